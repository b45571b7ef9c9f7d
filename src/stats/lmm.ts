import type { EstimatorRecord } from '../contracts/index.js';
import { NotEstimableError, StatisticsError } from '../contracts/index.js';
import { formatFixedPart, parseFormula } from './formula.js';
import { householderQr } from './linear-algebra.js';
import { type DevianceTerm, ProfiledDeviance, thetaDiagonalMask } from './lmm-deviance.js';
import { assessThetaFit, minimizeTheta, SINGULAR_TOLERANCE } from './lmm-optimizer.js';
import {
  buildFixedDesign,
  buildRandomTerms,
  MODELS_ENGINE_VERSION,
  type ModelData,
  type ModelDataOptions,
  ModelFrame,
  responseVector,
} from './model-frame.js';
import {
  type ContrastTest,
  computeSatterthwaiteState,
  type SatterthwaiteState,
  satterthwaiteContrast,
} from './satterthwaite.js';

/**
 * Linear mixed models equal to lme4's `lmer()` with lmerTest's `summary()`: REML or ML, random
 * intercepts, correlated random slopes, nested (`a/b`) and crossed grouping factors, fixed-effect
 * t tests with Satterthwaite degrees of freedom, variance components, conditional modes (BLUPs) and
 * lme4's singular-fit check. See lmm-deviance.ts for the deviance, lmm-optimizer.ts for the
 * optimiser and satterthwaite.ts for the degrees of freedom.
 */

export interface LmmFixedEffect {
  term: string;
  estimate: number;
  se: number;
  /** Satterthwaite degrees of freedom; null when they cannot be computed (see warnings). */
  df: number | null;
  t: number;
  p: number | null;
}

export interface LmmRandomEffect {
  /** Grouping factor as lme4 names it, e.g. `language`, `run:language`. */
  group: string;
  /** Column of the random-effects term, e.g. `(Intercept)`, `k`. */
  term: string;
  variance: number;
  sd: number;
}

export interface LmmCorrelation {
  group: string;
  term1: string;
  term2: string;
  covariance: number;
  /** Null when either standard deviation is zero (R prints NaN). */
  correlation: number | null;
}

export interface LmmConditionalMode {
  group: string;
  level: string;
  term: string;
  value: number;
}

export interface LmmFit {
  model: 'lmm';
  formula: string;
  fixed: LmmFixedEffect[];
  random: LmmRandomEffect[];
  correlations: LmmCorrelation[];
  residualVariance: number;
  sigma: number;
  /** REML log-likelihood for REML fits (as lme4's logLik), ML otherwise. */
  logLik: number;
  /** The minimised criterion: REML criterion or ML deviance (-2 logLik). */
  deviance: number;
  AIC: number;
  BIC: number;
  /** Fixed effects + variance parameters (theta) + residual variance, as lme4 counts for logLik. */
  npar: number;
  reml: boolean;
  converged: boolean;
  /** lme4's isSingular(tol = 1e-4): a diagonal of a relative covariance factor below 1e-4. */
  singular: boolean;
  warnings: string[];
  nobs: number;
  ngroups: Record<string, number>;
  response: string;
  /** Relative covariance factors, lme4's getME(fit, "theta") order. */
  theta: number[];
  /** Conditional modes of the random effects (lme4's ranef()). */
  conditionalModes: LmmConditionalMode[];
  /** Covariance of the fixed-effect estimates (vcov), rows and columns in `fixed` order. */
  covariance: number[][];
  /** Fixed-effect columns dropped because they are linear combinations of others. */
  aliased: string[];
  optimizer: { name: string; evaluations: number; scaledGradient: number };
  /** What contrast tests need (testLmmContrast): lmerTest's vcov of (theta, sigma) and Jacobian. */
  satterthwaite: SatterthwaiteState;
  estimator: EstimatorRecord;
}

export interface FitLmmOptions extends ModelDataOptions {
  formula: string;
  data: ModelData;
  /** REML (default, as lmer) or maximum likelihood. */
  reml?: boolean;
  /** Budget of deviance evaluations for the optimiser (default 20,000). */
  maxEvaluations?: number;
}

/** Refits kept per fit object, so compareModels can refit with ML as anova() does. */
const refits = new WeakMap<LmmFit, (reml: boolean) => LmmFit>();

/** The same model refitted with ML (or the fit itself when it already is ML). */
export function refitWithMaximumLikelihood(fit: LmmFit): LmmFit {
  if (!fit.reml) return fit;
  const refit = refits.get(fit);
  if (refit === undefined) {
    throw new StatisticsError(
      'This mixed model was fitted with REML and cannot be refitted here (it did not come from fitLmm in this process); fit it with reml: false',
    );
  }
  return refit(false);
}

export function fitLmm(options: FitLmmOptions): LmmFit {
  const reml = options.reml ?? true;
  const formula = parseFormula(options.formula);
  if (formula.randomTerms.length === 0) {
    throw new StatisticsError(
      `Mixed-model formula '${options.formula}' has no random-effects term such as (1 | group); fit it with fitOls instead (${formatFixedPart(formula)})`,
    );
  }
  const frame = new ModelFrame(options.data, options);
  const y = responseVector(frame, formula);
  const design = buildFixedDesign(frame, formula);
  const randomTerms = buildRandomTerms(frame, formula);
  const n = design.rows;
  const warnings: string[] = [];

  // Drop aliased fixed-effect columns, as lme4 does (with a message) by default.
  const decomposition = householderQr(design.values, n, design.columns.length);
  const keptColumns = decomposition.pivot.slice(0, decomposition.rank).sort((a, b) => a - b);
  const aliased = decomposition.pivot.slice(decomposition.rank).map((index) => design.columns[index]!);
  if (aliased.length > 0) {
    warnings.push(
      `fixed-effect model matrix is rank deficient so dropping ${aliased.length} column(s): ${aliased.join(', ')}`,
    );
  }
  const p = keptColumns.length;
  const x = new Float64Array(n * p);
  for (let row = 0; row < n; row += 1) {
    keptColumns.forEach((column, position) => {
      x[row * p + position] = design.values[row * design.columns.length + column]!;
    });
  }
  const fixedNames = keptColumns.map((column) => design.columns[column]!);
  if (p >= n) {
    throw new NotEstimableError(
      `Mixed model '${options.formula}' has ${p} fixed effects but only ${n} rows; it needs more rows than fixed effects`,
    );
  }
  for (const term of randomTerms) {
    if (term.levels.length >= n) {
      throw new NotEstimableError(
        `Grouping factor '${term.group}' has ${term.levels.length} levels for ${n} rows; the number of levels of each grouping factor must be less than the number of rows`,
      );
    }
    const randomEffects = term.levels.length * term.columns.length;
    if (randomEffects >= n) {
      throw new NotEstimableError(
        `The term ${term.spec.text} has ${randomEffects} random effects for ${n} rows; the random-effects parameters and the residual variance would be unidentifiable`,
      );
    }
  }

  const devianceTerms: DevianceTerm[] = randomTerms.map((term) => ({
    columns: term.columns.length,
    levels: term.levels.length,
    levelOfRow: term.levelOfRow,
    design: term.design,
  }));
  const deviance = new ProfiledDeviance(x, n, p, y, devianceTerms);
  let squares = 0;
  for (let row = 0; row < n; row += 1) squares += y[row]! * y[row]!;
  if (!(deviance.olsResidualSumOfSquares > 1e-24 * squares)) {
    throw new NotEstimableError(
      `The fixed effects of '${options.formula}' reproduce the response '${formula.response}' exactly (is it constant?); there is no variance left to model`,
    );
  }
  const termColumns = devianceTerms.map((term) => term.columns);
  const diagonal = thetaDiagonalMask(devianceTerms);
  const start = diagonal.map((isDiagonal) => (isDiagonal ? 1 : 0));
  const optimization = minimizeTheta(
    (theta) => deviance.deviance(theta, reml),
    start,
    termColumns,
    diagonal,
    options.maxEvaluations === undefined ? {} : { maxEvaluations: options.maxEvaluations },
  );
  const theta = optimization.theta;
  const solution = deviance.solution(theta, reml);
  if (solution === undefined || !Number.isFinite(solution.deviance)) {
    throw new StatisticsError(`Mixed model '${options.formula}' could not be fitted: the deviance is not finite`);
  }
  const sigmaSquared = solution.penalizedRss / (reml ? n - p : n);
  const sigma = Math.sqrt(sigmaSquared);

  const fitVerdict = assessThetaFit(optimization, diagonal);
  const { singular, converged } = fitVerdict;
  warnings.push(...fitVerdict.warnings);

  // Variance components, term by term, in lme4's order.
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
    const covariance = (a: number, b: number) => {
      let sum = 0;
      for (let e = 0; e <= Math.min(a, b); e += 1) sum += factor[a * k + e]! * factor[b * k + e]!;
      return sigmaSquared * sum;
    };
    for (let a = 0; a < k; a += 1) {
      const variance = covariance(a, a);
      random.push({ group: term.group, term: term.columns[a]!, variance, sd: Math.sqrt(variance) });
    }
    for (let b = 0; b < k; b += 1) {
      for (let a = b + 1; a < k; a += 1) {
        const value = covariance(a, b);
        const denominator = Math.sqrt(covariance(a, a) * covariance(b, b));
        correlations.push({
          group: term.group,
          term1: term.columns[b]!,
          term2: term.columns[a]!,
          covariance: value,
          correlation: denominator > 0 ? value / denominator : null,
        });
      }
    }
    term.levels.forEach((level, levelIndex) => {
      for (let a = 0; a < k; a += 1) {
        conditionalModes.push({
          group: term.group,
          level,
          term: term.columns[a]!,
          value: solution.b[randomOffset + levelIndex * k + a]!,
        });
      }
    });
    randomOffset += term.levels.length * k;
    ngroups[term.group] = term.levels.length;
  }

  const satterthwaite = computeSatterthwaiteState(deviance, theta, sigma, reml);
  warnings.push(...satterthwaite.warnings);
  const estimates = Array.from(solution.beta);
  const fixed: LmmFixedEffect[] = fixedNames.map((term, index) => {
    const contrast = fixedNames.map((_, other) => (other === index ? 1 : 0));
    const test = satterthwaiteContrast(satterthwaite, estimates, contrast);
    return { term, estimate: estimates[index]!, se: test.se, df: test.df, t: test.t, p: test.p };
  });
  if (fixed.some((row) => row.df === null)) {
    warnings.push(
      'Satterthwaite degrees of freedom could not be computed for some fixed effects; their p-values are null',
    );
  }

  const npar = p + theta.length + 1;
  const fit: LmmFit = {
    model: 'lmm',
    formula: options.formula,
    fixed,
    random,
    correlations,
    residualVariance: sigmaSquared,
    sigma,
    logLik: -solution.deviance / 2,
    deviance: solution.deviance,
    AIC: solution.deviance + 2 * npar,
    BIC: solution.deviance + Math.log(n) * npar,
    npar,
    reml,
    converged,
    singular,
    warnings,
    nobs: n,
    ngroups,
    response: formula.response,
    theta,
    conditionalModes,
    covariance: satterthwaite.covariance,
    aliased,
    optimizer: {
      name: 'nelder-mead+newton',
      evaluations: optimization.evaluations,
      scaledGradient: optimization.scaledGradient,
    },
    satterthwaite,
    estimator: {
      name: reml ? 'lmm-reml' : 'lmm-ml',
      version: MODELS_ENGINE_VERSION,
      args: {
        formula: options.formula,
        reml,
        ddf: 'satterthwaite',
        optimizer: 'nelder-mead+newton',
        singularTolerance: SINGULAR_TOLERANCE,
        ...(options.levels === undefined ? {} : { levels: options.levels }),
        ...(options.referenceLevels === undefined ? {} : { referenceLevels: options.referenceLevels }),
        ...(options.factors === undefined ? {} : { factors: options.factors }),
      },
    },
  };
  refits.set(fit, (refitReml) => fitLmm({ ...options, reml: refitReml }));
  return fit;
}

/**
 * t test of a linear combination of fixed effects with Satterthwaite degrees of freedom, as
 * lmerTest's contest1D. Weights are given in `fixed` order, or by term name (missing terms weigh 0).
 */
export function testLmmContrast(
  fit: LmmFit,
  weights: readonly number[] | Readonly<Record<string, number>>,
): ContrastTest {
  let contrast: number[];
  if (Array.isArray(weights)) {
    contrast = [...(weights as readonly number[])];
  } else {
    const named = weights as Readonly<Record<string, number>>;
    const terms = fit.fixed.map((row) => row.term);
    for (const name of Object.keys(named)) {
      if (!terms.includes(name)) {
        throw new StatisticsError(`Contrast names '${name}', which is not a fixed effect (terms: ${terms.join(', ')})`);
      }
    }
    contrast = terms.map((term) => named[term] ?? 0);
  }
  return satterthwaiteContrast(
    fit.satterthwaite,
    fit.fixed.map((row) => row.estimate),
    contrast,
  );
}
