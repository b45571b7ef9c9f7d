import type { EstimatorRecord } from '../contracts/index.js';
import { NotEstimableError, StatisticsError } from '../contracts/index.js';
import { normalCdf } from './distributions.js';
import { type Family, type FamilyName, familyNamed } from './glm-family.js';
import { irls } from './glm.js';
import { prepareGlmModel } from './glm-model.js';
import { aggregateIdenticalRows } from './glmm-aggregate.js';
import { type GaussHermiteRule, GlmmObjective } from './glmm-objective.js';
import { symmetricEigen } from './linear-algebra.js';
import { richardsonGradientHessian } from './lmm-derivatives.js';
import { type DevianceTerm, thetaDiagonalMask } from './lmm-deviance.js';
import { assessThetaFit, minimizeTheta, SINGULAR_TOLERANCE } from './lmm-optimizer.js';
import type { LmmConditionalMode, LmmCorrelation, LmmRandomEffect } from './lmm.js';
import { buildRandomTerms, MODELS_ENGINE_VERSION, type ModelData, type ModelDataOptions } from './model-frame.js';

/**
 * Generalised linear mixed models equal to `lme4::glmer`: binomial (logit) and Poisson (log),
 * the LMM's formula syntax and random-effects structures (intercepts, correlated slopes, `||`,
 * nested, crossed), `cbind(successes, failures)` and `offset()`; Laplace approximation (nAGQ = 1)
 * or adaptive Gauss-Hermite quadrature (nAGQ > 1, one scalar random-effects term); Wald z tests
 * with lme4's Hessian-based covariance of the fixed effects; logLik and AIC on lme4's scale;
 * singular-fit and convergence warnings as lme4 words them. See glmm-objective.ts for the
 * objective and src/stats/README.md for the comparison with lme4.
 */

export interface GlmmFixedEffect {
  term: string;
  estimate: number;
  se: number;
  z: number;
  p: number;
}

export interface GlmmFit {
  model: 'glmm';
  formula: string;
  family: FamilyName;
  link: 'logit' | 'log';
  nAGQ: number;
  fixed: GlmmFixedEffect[];
  random: LmmRandomEffect[];
  correlations: LmmCorrelation[];
  /** -objective/2: the full log-likelihood for Laplace; lme4's deviance-residual scale for nAGQ > 1. */
  logLik: number;
  /** Σ squared deviance residuals at the conditional modes, as lme4's deviance() of a GLMM. */
  deviance: number;
  /** The minimised objective, -2 logLik. */
  objective: number;
  AIC: number;
  BIC: number;
  /** Fixed effects + theta, as lme4 counts for logLik. */
  npar: number;
  converged: boolean;
  singular: boolean;
  warnings: string[];
  nobs: number;
  ngroups: Record<string, number>;
  response: string;
  theta: number[];
  conditionalModes: LmmConditionalMode[];
  covariance: number[][];
  /** Which covariance of the fixed effects the SEs use: lme4's Hessian one, or the β-only fallback. */
  covarianceSource: 'hessian' | 'fixed-effects-hessian';
  aliased: string[];
  optimizer: { name: string; evaluations: number; scaledGradient: number };
  estimator: EstimatorRecord;
}

export interface FitGlmmOptions extends ModelDataOptions {
  formula: string;
  data: ModelData;
  family: FamilyName;
  /** Points of adaptive Gauss-Hermite quadrature; 1 (default) is the Laplace approximation. */
  nAGQ?: number;
  maxEvaluations?: number;
}

/** Gauss-Hermite rule for the standard normal (Golub-Welsch on the probabilists' Hermite recurrence). */
export function gaussHermiteRule(points: number): GaussHermiteRule {
  if (points === 1) return { nodes: [0], weights: [1] };
  const jacobi = Array.from({ length: points }, (_, i) =>
    Array.from({ length: points }, (__, j) => (Math.abs(i - j) === 1 ? Math.sqrt(Math.max(i, j)) : 0)),
  );
  const { values, vectors } = symmetricEigen(jacobi);
  const pairs = values.map((value, index) => ({ node: value, weight: vectors[0]![index]! ** 2 }));
  pairs.sort((a, b) => a.node - b.node);
  // Symmetrise: the rule is exactly symmetric about 0 (and has a node at 0 when points is odd).
  const nodes = pairs.map((pair, index) => {
    const mirrored = pairs[points - 1 - index]!;
    const value = (pair.node - mirrored.node) / 2;
    return Math.abs(value) < 1e-12 ? 0 : value;
  });
  const raw = pairs.map((pair, index) => (pair.weight + pairs[points - 1 - index]!.weight) / 2);
  const total = raw.reduce((sum, weight) => sum + weight, 0);
  return { nodes, weights: raw.map((weight) => weight / total) };
}

function invertSymmetric(matrix: number[][]): number[][] | undefined {
  const { values, vectors } = symmetricEigen(matrix);
  if (!values.every((value) => value > 0)) return undefined;
  const n = matrix.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (__, j) => {
      let sum = 0;
      for (let k = 0; k < n; k += 1) sum += (vectors[i]![k]! * vectors[j]![k]!) / values[k]!;
      return sum;
    }),
  );
}

/** Σ squared deviance residuals of the original rows at β and the conditional modes b (lme4's deviance()). */
function originalDeviance(
  family: Family,
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  trials: Float64Array,
  offset: Float64Array,
  terms: readonly DevianceTerm[],
  beta: readonly number[],
  b: Float64Array,
): number {
  let sum = 0;
  for (let row = 0; row < n; row += 1) {
    let eta = offset[row]!;
    for (let column = 0; column < p; column += 1) eta += x[row * p + column]! * beta[column]!;
    let termOffset = 0;
    for (const term of terms) {
      const start = termOffset + term.levelOfRow[row]! * term.columns;
      for (let column = 0; column < term.columns; column += 1) {
        eta += term.design[row * term.columns + column]! * b[start + column]!;
      }
      termOffset += term.levels * term.columns;
    }
    sum += family.devianceResidual(y[row]!, family.mean(eta), trials[row]!);
  }
  return sum;
}

export function fitGlmm(options: FitGlmmOptions): GlmmFit {
  const family = familyNamed(options.family);
  const nAGQ = options.nAGQ ?? 1;
  if (!Number.isInteger(nAGQ) || nAGQ < 1 || nAGQ > 100) {
    throw new StatisticsError(`nAGQ must be a whole number from 1 to 100, got ${nAGQ}`);
  }
  const model = prepareGlmModel(options.formula, options.data, options, family);
  const { formula, frame } = model;
  if (formula.randomTerms.length === 0) {
    throw new StatisticsError(
      `Mixed-model formula '${options.formula}' has no random-effects term such as (1 | group); fit it as a GLM instead`,
    );
  }
  const randomTerms = buildRandomTerms(frame, formula);
  if (nAGQ > 1 && (randomTerms.length !== 1 || randomTerms[0]!.columns.length !== 1)) {
    throw new StatisticsError(
      `nAGQ > 1 (adaptive Gauss-Hermite) needs a single scalar random-effects term such as (1 | group); '${options.formula}' has ${randomTerms.map((term) => term.spec.text).join(' + ')}. Use nAGQ = 1 (Laplace)`,
    );
  }
  const n = model.rows;
  const p = model.fixedNames.length;
  const warnings: string[] = [];
  if (model.aliased.length > 0) {
    warnings.push(
      `fixed-effect model matrix is rank deficient so dropping ${model.aliased.length} column(s): ${model.aliased.join(', ')}`,
    );
  }
  if (p >= n) {
    throw new NotEstimableError(`Mixed model '${options.formula}' has ${p} fixed effects but only ${n} rows`);
  }
  const devianceTerms: DevianceTerm[] = randomTerms.map((term) => ({
    columns: term.columns.length,
    levels: term.levels.length,
    levelOfRow: term.levelOfRow,
    design: term.design,
  }));
  const { y, trials, offset } = model.response;
  const aggregated = aggregateIdenticalRows(family, model.x, n, p, y, trials, offset, devianceTerms);
  const objective = new GlmmObjective({ family, p, ...aggregated });
  const rule = nAGQ > 1 ? gaussHermiteRule(nAGQ) : undefined;
  const thetaSize = objective.thetaSize;
  const evaluate = (parameters: number[]) =>
    objective.evaluate(parameters.slice(0, thetaSize), parameters.slice(thetaSize), rule);

  const start = irls(family, model.x, n, p, y, trials, offset);
  const diagonal = thetaDiagonalMask(devianceTerms);
  const initial = [...diagonal.map((isDiagonal) => (isDiagonal ? 1 : 0)), ...Array.from(start.beta)];
  const optimization = minimizeTheta(
    evaluate,
    initial,
    devianceTerms.map((term) => term.columns),
    [...diagonal, ...new Array<boolean>(p).fill(false)],
    {
      // Nelder–Mead only needs to reach the basin; the Newton steps on Richardson derivatives
      // locate the minimum (each evaluation runs PIRLS, so evaluations are what costs).
      functionTolerance: 1e-3,
      parameterTolerance: 1e-2,
      ...(options.maxEvaluations === undefined ? {} : { maxEvaluations: options.maxEvaluations }),
    },
  );
  const parameters = optimization.theta;
  const theta = parameters.slice(0, thetaSize);
  const beta = parameters.slice(thetaSize);
  const value = evaluate(parameters);
  if (!Number.isFinite(value)) {
    throw new NotEstimableError(`Mixed model '${options.formula}' could not be fitted: the objective is not finite`);
  }
  const state = objective.state();
  const conditionalDeviance = originalDeviance(family, model.x, n, p, y, trials, offset, devianceTerms, beta, state.b);

  // lme4's vcov for GLMMs: the inverse of half the Hessian of the objective in (θ, β), β block;
  // when that Hessian is not positive definite lme4 falls back to the fixed-effects part alone.
  const derivativeOptions = { d: 1e-3, eps: 5e-5, r: 2, zeroTolerance: 0.05 };
  let covarianceSource: GlmmFit['covarianceSource'] = 'hessian';
  const full = richardsonGradientHessian(evaluate, parameters, derivativeOptions);
  let inverse = invertSymmetric(full.hessian);
  let covariance: number[][];
  if (inverse !== undefined) {
    covariance = beta.map((_, a) => beta.map((__, b) => 2 * inverse![thetaSize + a]![thetaSize + b]!));
  } else {
    covarianceSource = 'fixed-effects-hessian';
    const betaOnly = richardsonGradientHessian(
      (values) => objective.evaluate(theta, values, rule),
      beta,
      derivativeOptions,
    );
    inverse = invertSymmetric(betaOnly.hessian);
    if (inverse === undefined) {
      throw new NotEstimableError(
        `Mixed model '${options.formula}': the Hessian of the fixed effects is not positive definite; the fixed effects are not estimable (separation or aliasing)`,
      );
    }
    covariance = inverse.map((row) => row.map((entry) => 2 * entry));
    warnings.push(
      'Hessian of the objective in (theta, beta) is not positive definite; standard errors use the fixed-effects part only (lme4 falls back likewise)',
    );
  }
  evaluate(parameters);

  const fitVerdict = assessThetaFit(optimization, diagonal);
  const { singular, converged } = fitVerdict;
  warnings.push(...fitVerdict.warnings);

  const random: LmmRandomEffect[] = [];
  const correlations: LmmCorrelation[] = [];
  const conditionalModes: LmmConditionalMode[] = [];
  const ngroups: Record<string, number> = {};
  let thetaOffset = 0;
  let randomOffset = 0;
  for (const term of randomTerms) {
    const k = term.columns.length;
    const factor = new Float64Array(k * k);
    for (let column = 0; column < k; column += 1) {
      for (let row = column; row < k; row += 1) {
        factor[row * k + column] = theta[thetaOffset]!;
        thetaOffset += 1;
      }
    }
    const covarianceOf = (a: number, b: number) => {
      let sum = 0;
      for (let e = 0; e <= Math.min(a, b); e += 1) sum += factor[a * k + e]! * factor[b * k + e]!;
      return sum;
    };
    for (let a = 0; a < k; a += 1) {
      const variance = covarianceOf(a, a);
      random.push({ group: term.group, term: term.columns[a]!, variance, sd: Math.sqrt(variance) });
    }
    for (let b = 0; b < k; b += 1) {
      for (let a = b + 1; a < k; a += 1) {
        const shared = covarianceOf(a, b);
        const denominator = Math.sqrt(covarianceOf(a, a) * covarianceOf(b, b));
        correlations.push({
          group: term.group,
          term1: term.columns[b]!,
          term2: term.columns[a]!,
          covariance: shared,
          correlation: denominator > 0 ? shared / denominator : null,
        });
      }
    }
    term.levels.forEach((level, levelIndex) => {
      for (let a = 0; a < k; a += 1) {
        conditionalModes.push({
          group: term.group,
          level,
          term: term.columns[a]!,
          value: state.b[randomOffset + levelIndex * k + a]!,
        });
      }
    });
    randomOffset += term.levels.length * k;
    ngroups[term.group] = term.levels.length;
  }

  const fixed = model.fixedNames.map((term, index) => {
    const estimate = beta[index]!;
    const se = Math.sqrt(covariance[index]![index]!);
    const z = estimate / se;
    return { term, estimate, se, z, p: 2 * normalCdf(-Math.abs(z)) };
  });
  const npar = p + thetaSize;
  return {
    model: 'glmm',
    formula: options.formula,
    family: family.name,
    link: family.link,
    nAGQ,
    fixed,
    random,
    correlations,
    logLik: -value / 2,
    deviance: conditionalDeviance,
    objective: value,
    AIC: value + 2 * npar,
    BIC: value + Math.log(n) * npar,
    npar,
    converged,
    singular,
    warnings,
    nobs: n,
    ngroups,
    response: model.response.label,
    theta,
    conditionalModes,
    covariance,
    covarianceSource,
    aliased: model.aliased,
    optimizer: {
      name: 'nelder-mead+newton',
      evaluations: optimization.evaluations,
      scaledGradient: optimization.scaledGradient,
    },
    estimator: {
      name: `glmm-${family.name}`,
      version: MODELS_ENGINE_VERSION,
      args: {
        formula: options.formula,
        family: family.name,
        link: family.link,
        nAGQ,
        approximation: nAGQ === 1 ? 'laplace' : 'adaptive-gauss-hermite',
        optimizer: 'nelder-mead+newton',
        singularTolerance: SINGULAR_TOLERANCE,
        ...(options.levels === undefined ? {} : { levels: options.levels }),
        ...(options.referenceLevels === undefined ? {} : { referenceLevels: options.referenceLevels }),
        ...(options.factors === undefined ? {} : { factors: options.factors }),
      },
    },
  };
}

export interface WaldContrastTest {
  estimate: number;
  se: number;
  z: number;
  p: number;
}

/**
 * Wald z test of a linear combination of fixed effects of a GLM or GLMM (weights by position or by
 * term name; missing terms weigh 0), from the fit's covariance of the estimates.
 */
export function testWaldContrast(
  fit: { fixed: readonly { term: string; estimate: number }[]; covariance: readonly (readonly number[])[] },
  weights: readonly number[] | Readonly<Record<string, number>>,
): WaldContrastTest {
  const terms = fit.fixed.map((row) => row.term);
  let contrast: number[];
  if (Array.isArray(weights)) {
    contrast = [...(weights as readonly number[])];
  } else {
    const named = weights as Readonly<Record<string, number>>;
    for (const name of Object.keys(named)) {
      if (!terms.includes(name)) {
        throw new StatisticsError(`Contrast names '${name}', which is not a fixed effect (terms: ${terms.join(', ')})`);
      }
    }
    contrast = terms.map((term) => named[term] ?? 0);
  }
  if (contrast.length !== terms.length) {
    throw new StatisticsError(
      `A contrast needs one weight per fixed effect (${terms.length}), but ${contrast.length} were given`,
    );
  }
  let estimate = 0;
  let variance = 0;
  contrast.forEach((a, i) => {
    estimate += a * fit.fixed[i]!.estimate;
    contrast.forEach((b, j) => {
      variance += a * b * fit.covariance[i]![j]!;
    });
  });
  const se = Math.sqrt(variance);
  const z = estimate / se;
  return { estimate, se, z, p: 2 * normalCdf(-Math.abs(z)) };
}
