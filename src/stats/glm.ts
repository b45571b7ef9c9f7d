import type { EstimatorRecord } from '../contracts/index.js';
import { NotEstimableError, StatisticsError } from '../contracts/index.js';
import { normalCdf } from './distributions.js';
import { type Family, type FamilyName, familyNamed, linkOf } from './glm-family.js';
import { prepareGlmModel } from './glm-model.js';
import { applyQTranspose, householderQr, solveUpperFromQr, unscaledCovarianceFromQr } from './linear-algebra.js';
import { MODELS_ENGINE_VERSION, type ModelData, type ModelDataOptions } from './model-frame.js';

/**
 * Generalised linear models equal to R's `glm()` and `summary.glm()` for the binomial (logit) and
 * Poisson (log) families: the same iteratively reweighted least squares as `glm.fit` (the
 * family's starting means, Householder QR at tolerance 1e-11, convergence when the deviance
 * changes by less than 1e-8 relative, at most 25 iterations, step halving when the deviance is not
 * finite), Wald z tests from the last iteration's QR (as summary.glm), logLik and AIC from the
 * family's full likelihood, residual and null deviance (the null model refitted with the offset).
 */

export interface GlmCoefficient {
  term: string;
  estimate: number;
  se: number;
  z: number;
  p: number;
}

export interface GlmFit {
  model: 'glm';
  formula: string;
  family: FamilyName;
  link: 'logit' | 'log';
  fixed: GlmCoefficient[];
  logLik: number;
  AIC: number;
  BIC: number;
  deviance: number;
  nullDeviance: number;
  dfResidual: number;
  dfNull: number;
  npar: number;
  nobs: number;
  /** The response as written, e.g. `cbind(conformity, individuation)`. */
  response: string;
  iterations: number;
  converged: boolean;
  aliased: string[];
  covariance: number[][];
  warnings: string[];
  estimator: EstimatorRecord;
}

export interface FitGlmOptions extends ModelDataOptions {
  formula: string;
  data: ModelData;
  family: FamilyName;
}

export interface IrlsResult {
  beta: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  deviance: number;
  iterations: number;
  converged: boolean;
  /** (X'WX)⁻¹ from the last iteration's QR, rank x rank. */
  unscaledCovariance: Float64Array;
}

const EPSILON = 1e-8;
const MAX_ITERATIONS = 25;

/** glm.fit's IRLS on a full-rank design (n x p, row-major). */
export function irls(
  family: Family,
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  trials: Float64Array,
  offset: Float64Array,
): IrlsResult {
  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let row = 0; row < n; row += 1) {
    eta[row] = linkOf(family, family.startingMean(y[row]!, trials[row]!));
    mu[row] = family.mean(eta[row]!);
  }
  const devianceOf = (means: Float64Array) => {
    let sum = 0;
    for (let row = 0; row < n; row += 1) sum += family.devianceResidual(y[row]!, means[row]!, trials[row]!);
    return sum;
  };
  let devianceOld = devianceOf(mu);
  let beta = new Float64Array(p);
  let betaOld: Float64Array | undefined;
  let unscaledCovariance = new Float64Array(p * p);
  let converged = false;
  let iterations = 0;
  let deviance = devianceOld;
  const weighted = new Float64Array(n * p);
  const working = new Float64Array(n);
  for (let iteration = 1; iteration <= MAX_ITERATIONS; iteration += 1) {
    iterations = iteration;
    for (let row = 0; row < n; row += 1) {
      const muEta = family.weight(mu[row]!, 1);
      const w = Math.sqrt(family.weight(mu[row]!, trials[row]!));
      working[row] = (eta[row]! - offset[row]! + (y[row]! - mu[row]!) / muEta) * w;
      for (let column = 0; column < p; column += 1) weighted[row * p + column] = x[row * p + column]! * w;
    }
    const decomposition = householderQr(weighted, n, p, 1e-11);
    if (decomposition.rank < p) {
      throw new NotEstimableError(
        'The weighted model matrix became rank deficient during IRLS (separation or a column with no information)',
      );
    }
    const solved = solveUpperFromQr(decomposition, applyQTranspose(decomposition, working));
    const next = new Float64Array(p);
    decomposition.pivot.forEach((column, position) => {
      next[column] = solved[position]!;
    });
    const pivotedCovariance = unscaledCovarianceFromQr(decomposition);
    unscaledCovariance = new Float64Array(p * p);
    for (let a = 0; a < p; a += 1) {
      for (let b = 0; b < p; b += 1) {
        unscaledCovariance[decomposition.pivot[a]! * p + decomposition.pivot[b]!] = pivotedCovariance[a * p + b]!;
      }
    }
    beta = next;
    const update = () => {
      for (let row = 0; row < n; row += 1) {
        let value = offset[row]!;
        for (let column = 0; column < p; column += 1) value += x[row * p + column]! * beta[column]!;
        eta[row] = value;
        mu[row] = family.mean(value);
      }
      return devianceOf(mu);
    };
    deviance = update();
    // glm.fit halves the step (towards the previous coefficients) while the deviance is not finite.
    for (let halving = 0; !Number.isFinite(deviance) && betaOld !== undefined && halving < 25; halving += 1) {
      const previous = betaOld;
      beta = beta.map((value, index) => (value + previous[index]!) / 2);
      deviance = update();
    }
    if (Math.abs(deviance - devianceOld) / (Math.abs(deviance) + 0.1) < EPSILON) {
      converged = true;
      break;
    }
    devianceOld = deviance;
    betaOld = beta;
  }
  return { beta, eta, mu, deviance, iterations, converged, unscaledCovariance };
}

export function fitGlm(options: FitGlmOptions): GlmFit {
  const family = familyNamed(options.family);
  const model = prepareGlmModel(options.formula, options.data, options, family);
  if (model.formula.randomTerms.length > 0) {
    throw new StatisticsError(`GLM formula '${options.formula}' has random-effects terms; fit it as a GLMM`);
  }
  const n = model.rows;
  const p = model.fixedNames.length;
  const { y, trials, offset } = model.response;
  if (p > n) {
    throw new NotEstimableError(`GLM '${options.formula}' has ${p} coefficients but only ${n} rows`);
  }
  const fit = irls(family, model.x, n, p, y, trials, offset);
  const warnings: string[] = [];
  if (model.aliased.length > 0) {
    warnings.push(`coefficients not defined because of singularities (aliased): ${model.aliased.join(', ')}`);
  }
  if (!fit.converged) warnings.push(`glm.fit: algorithm did not converge in ${MAX_ITERATIONS} iterations`);
  if (
    family.name === 'binomial' &&
    fit.mu.some((value) => value > 1 - 10 * 2.220446049250313e-16 || value < 10 * 2.220446049250313e-16)
  ) {
    warnings.push('glm.fit: fitted probabilities numerically 0 or 1 occurred (complete or quasi-complete separation)');
  }
  let minusTwoLogLik = 0;
  for (let row = 0; row < n; row += 1)
    minusTwoLogLik += family.minusTwoLogLikelihood(y[row]!, fit.mu[row]!, trials[row]!);
  const fixed = model.fixedNames.map((term, index) => {
    const estimate = fit.beta[index]!;
    const se = Math.sqrt(fit.unscaledCovariance[index * p + index]!);
    const z = estimate / se;
    return { term, estimate, se, z, p: 2 * normalCdf(-Math.abs(z)) };
  });
  // Null deviance: glm() refits the intercept-only model when there is an offset.
  let nullDeviance: number;
  if (model.formula.intercept) {
    const ones = new Float64Array(n).fill(1);
    nullDeviance = offset.some((value) => value !== 0)
      ? irls(family, ones, n, 1, y, trials, offset).deviance
      : (() => {
          let total = 0;
          let weight = 0;
          for (let row = 0; row < n; row += 1) {
            total += trials[row]! * y[row]!;
            weight += trials[row]!;
          }
          let sum = 0;
          for (let row = 0; row < n; row += 1) sum += family.devianceResidual(y[row]!, total / weight, trials[row]!);
          return sum;
        })();
  } else {
    nullDeviance = 0;
    for (let row = 0; row < n; row += 1) {
      nullDeviance += family.devianceResidual(y[row]!, family.mean(offset[row]!), trials[row]!);
    }
  }
  const used = Array.from(trials).filter((value) => value !== 0).length;
  return {
    model: 'glm',
    formula: options.formula,
    family: family.name,
    link: family.link,
    fixed,
    logLik: -minusTwoLogLik / 2,
    AIC: minusTwoLogLik + 2 * p,
    BIC: minusTwoLogLik + Math.log(used) * p,
    deviance: fit.deviance,
    nullDeviance,
    dfResidual: used - p,
    dfNull: used - (model.formula.intercept ? 1 : 0),
    npar: p,
    nobs: used,
    response: model.response.label,
    iterations: fit.iterations,
    converged: fit.converged,
    aliased: model.aliased,
    covariance: model.fixedNames.map((_, a) => model.fixedNames.map((__, b) => fit.unscaledCovariance[a * p + b]!)),
    warnings,
    estimator: {
      name: `glm-${family.name}`,
      version: MODELS_ENGINE_VERSION,
      args: { formula: options.formula, family: family.name, link: family.link, epsilon: EPSILON },
    },
  };
}
