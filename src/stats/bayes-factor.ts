import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import { estimatorRecord, requireFiniteNumber } from './descriptives.js';
import { logBeta, logGamma } from './distributions.js';
import { pearsonR } from './correlation.js';
import { oneSampleTTest, pairedTTest, studentTTest } from './t-test.js';

/**
 * Default Bayes factors, numerically as the R package BayesFactor (0.9.12).
 *
 * t tests (`ttestBF`): the JZS Bayes factor of Rouder, Speckman, Sun, Morey & Iverson (2009). Under
 * H1 the standardised effect δ has a Cauchy(0, r) prior, written as δ | g ~ N(0, g r^2) with
 * g ~ inverse-gamma(1/2, 1/2), so that
 *
 *   BF10 = ∫ (1 + N r^2 g)^(-1/2) (1 + t^2 / ((1 + N r^2 g) ν))^(-(ν+1)/2) p(g) dg / (1 + t^2/ν)^(-(ν+1)/2)
 *
 * with N = n (one sample, paired) or n1 n2 / (n1 + n2) and ν = n - 1 or n1 + n2 - 2. We integrate
 * over u = log g with adaptive Gauss–Kronrod (7/15) quadrature on the log scale (the integrand is
 * divided by its maximum first), so neither very large t nor large n overflows. BayesFactor
 * integrates the same quantity over δ with R's `integrate`; for |t| > 15 it prints "t is large;
 * approximation invoked" but the two-sided Bayes factor it returns is still the full integral.
 *
 * Correlation (`correlationBF`): the exact Bayes factor of Ly, Verhagen & Wagenmakers (2016) for a
 * stretched Beta(1/κ, 1/κ) prior on ρ over [-1, 1] (κ = rscale; BayesFactor's default "medium" is
 * κ = 1/3, i.e. Beta(3, 3)):
 *
 *   BF10 = 2^(1 - 2/κ) sqrt(π) / B(1/κ, 1/κ) · Γ((n + 2/κ - 1)/2) / Γ((n + 2/κ)/2)
 *          · 2F1((n - 1)/2, (n - 1)/2; (n + 2/κ)/2; r^2)
 *
 * The hypergeometric series is summed on the log scale until the remainder is below 1e-16 of the
 * sum (BayesFactor stops at 2000 terms, which only matters for |r| very close to 1).
 */

/** Named prior scales of BayesFactor's t tests. */
export const T_TEST_PRIOR_SCALES = { medium: Math.SQRT2 / 2, wide: 1, ultrawide: Math.SQRT2 } as const;
/** Named prior scales (κ) of BayesFactor's correlation test. */
export const CORRELATION_PRIOR_SCALES = {
  medium: 1 / 3,
  'medium.narrow': 1 / Math.sqrt(27),
  wide: 1 / Math.sqrt(3),
  ultrawide: 1,
} as const;

export type TTestPriorScale = number | keyof typeof T_TEST_PRIOR_SCALES;
export type CorrelationPriorScale = number | keyof typeof CORRELATION_PRIOR_SCALES;

export interface BayesFactorResult {
  /** Evidence for H1 over H0; may overflow to Infinity when `logBf10` is still finite. */
  bf10: number;
  logBf10: number;
  /** 1 / bf10. */
  bf01: number;
  /** The prior scale used (r for t tests, κ for correlations). */
  rScale: number;
  design: 'one-sample' | 'paired' | 'two-sample' | 'correlation';
  /** The statistic the Bayes factor depends on: t, or Pearson's r. */
  statistic: number;
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

function resolveScale<Names extends string>(
  scale: number | Names | undefined,
  named: Record<Names, number>,
  fallback: Names,
): number {
  const value = scale === undefined ? named[fallback] : typeof scale === 'number' ? scale : named[scale];
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new StatisticsError(`prior scale is ${String(scale)}; it must be a positive number or a named scale`);
  }
  return value;
}

// Gauss–Kronrod 7/15 nodes and weights on [-1, 1] (QUADPACK qk15). Nodes are the positive half.
const KRONROD_NODES = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
] as const;
const KRONROD_WEIGHTS = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
] as const;
/** Gauss weights for the Kronrod nodes with odd index (1, 3, 5) and the centre. */
const GAUSS_WEIGHTS = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694] as const;

interface QuadratureSegment {
  lower: number;
  upper: number;
  value: number;
  error: number;
}

function kronrodSegment(f: (x: number) => number, lower: number, upper: number): QuadratureSegment {
  const center = 0.5 * (lower + upper);
  const halfWidth = 0.5 * (upper - lower);
  const centerValue = f(center);
  let kronrod = KRONROD_WEIGHTS[7] * centerValue;
  let gauss = GAUSS_WEIGHTS[3] * centerValue;
  for (let index = 0; index < 7; index++) {
    const offset = halfWidth * KRONROD_NODES[index]!;
    const pair = f(center - offset) + f(center + offset);
    kronrod += KRONROD_WEIGHTS[index]! * pair;
    if (index % 2 === 1) {
      gauss += GAUSS_WEIGHTS[(index - 1) / 2]! * pair;
    }
  }
  return { lower, upper, value: kronrod * halfWidth, error: Math.abs((kronrod - gauss) * halfWidth) };
}

/**
 * Adaptive Gauss–Kronrod quadrature of f over [lower, upper]: bisects the segment with the largest
 * error estimate until the summed estimate is below `relativeTolerance` of the integral.
 */
export function integrateAdaptive(
  f: (x: number) => number,
  lower: number,
  upper: number,
  options: { relativeTolerance?: number; absoluteTolerance?: number; maxSegments?: number } = {},
): { value: number; errorEstimate: number; segments: number } {
  const relativeTolerance = options.relativeTolerance ?? 1e-12;
  const absoluteTolerance = options.absoluteTolerance ?? 0;
  const maxSegments = options.maxSegments ?? 500;
  const segments = [kronrodSegment(f, lower, upper)];
  for (;;) {
    let value = 0;
    let error = 0;
    let worst = 0;
    segments.forEach((segment, index) => {
      value += segment.value;
      error += segment.error;
      if (segment.error > segments[worst]!.error) {
        worst = index;
      }
    });
    if (!Number.isFinite(value)) {
      throw new StatisticsError('numerical integration produced a non-finite value');
    }
    if (error <= Math.max(absoluteTolerance, relativeTolerance * Math.abs(value)) || segments.length >= maxSegments) {
      return { value, errorEstimate: error, segments: segments.length };
    }
    const split = segments[worst]!;
    const middle = 0.5 * (split.lower + split.upper);
    segments.splice(worst, 1, kronrodSegment(f, split.lower, middle), kronrodSegment(f, middle, split.upper));
  }
}

/**
 * Integral of exp(logIntegrand) over the real line for a unimodal log-integrand that falls off
 * on both sides, returned on the log scale. Finds the mode, walks out to where the integrand is
 * e^-50 of its peak, and integrates the rescaled integrand there.
 */
function logIntegralOverLine(logIntegrand: (u: number) => number, start: number): number {
  // Coarse search for the mode, then golden-section refinement.
  let best = start;
  let bestValue = logIntegrand(start);
  for (let u = -40; u <= 60; u += 0.25) {
    const value = logIntegrand(u);
    if (value > bestValue) {
      best = u;
      bestValue = value;
    }
  }
  let left = best - 0.25;
  let right = best + 0.25;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let iteration = 0; iteration < 80; iteration++) {
    const first = right - ratio * (right - left);
    const second = left + ratio * (right - left);
    if (logIntegrand(first) > logIntegrand(second)) {
      right = second;
    } else {
      left = first;
    }
  }
  const mode = 0.5 * (left + right);
  const peak = Math.max(logIntegrand(mode), bestValue);
  const cutoff = peak - 50;
  let lower = mode - 1;
  for (let step = 1; logIntegrand(lower) > cutoff; step *= 1.5) {
    lower -= step;
  }
  let upper = mode + 1;
  for (let step = 1; logIntegrand(upper) > cutoff; step *= 1.5) {
    upper += step;
  }
  const { value } = integrateAdaptive((u) => Math.exp(logIntegrand(u) - peak), lower, upper, {
    relativeTolerance: 1e-11,
  });
  return peak + Math.log(value);
}

/**
 * log BF10 of the JZS t test from t, the effective sample size N (n, or n1 n2 / (n1 + n2)) and the
 * degrees of freedom ν.
 */
export function jzsLogBayesFactor(t: number, effectiveN: number, df: number, rScale: number): number {
  requireFiniteNumber(t, 't');
  if (!(effectiveN > 0 && df > 0 && rScale > 0)) {
    throw new StatisticsError(`JZS Bayes factor needs N > 0, df > 0 and r > 0; got ${effectiveN}, ${df}, ${rScale}`);
  }
  const spread = effectiveN * rScale * rScale;
  const tSquaredOverDf = (t * t) / df;
  const halfDfPlusOne = (df + 1) / 2;
  const logNormalising = -0.5 * Math.log(2 * Math.PI);
  const logIntegrand = (u: number): number => {
    // g = e^u; the Jacobian dg = g du turns g^(-3/2) into g^(-1/2).
    const g = Math.exp(u);
    const inflation = Math.log1p(spread * g);
    return (
      -0.5 * inflation -
      halfDfPlusOne * Math.log1p(tSquaredOverDf / (1 + spread * g)) +
      logNormalising -
      0.5 * u -
      0.5 * Math.exp(-u)
    );
  };
  return logIntegralOverLine(logIntegrand, 0) + halfDfPlusOne * Math.log1p(tSquaredOverDf);
}

function tResult(
  design: 'one-sample' | 'paired' | 'two-sample',
  t: number,
  effectiveN: number,
  df: number,
  rScale: number,
  n: Record<string, number>,
): BayesFactorResult {
  const logBf10 = jzsLogBayesFactor(t, effectiveN, df, rScale);
  return {
    bf10: Math.exp(logBf10),
    logBf10,
    bf01: Math.exp(-logBf10),
    rScale,
    design,
    statistic: t,
    n,
    estimator: estimatorRecord(`jzs-bayes-factor-${design}`, {
      rScale,
      prior: 'cauchy',
      integration: 'gauss-kronrod-log-g',
    }),
    warnings: [],
  };
}

export interface TTestBayesFactorOptions {
  /** Cauchy prior scale on δ: a number or BayesFactor's name (default "medium", sqrt(2)/2). */
  rScale?: TTestPriorScale;
}

/**
 * JZS Bayes factor from a t statistic: one-sample / paired when only `n1` is given (n pairs),
 * two-sample (Student's pooled t) when `n2` is given too.
 */
export function tTestBayesFactorFromT(
  t: number,
  n1: number,
  n2?: number,
  options: TTestBayesFactorOptions = {},
): BayesFactorResult {
  const rScale = resolveScale(options.rScale, T_TEST_PRIOR_SCALES, 'medium');
  if (n2 === undefined) {
    if (!(Number.isInteger(n1) && n1 >= 2)) {
      throw new StatisticsError(`n is ${n1}; a one-sample Bayes factor needs at least 2 observations`);
    }
    return tResult('one-sample', t, n1, n1 - 1, rScale, { x: n1 });
  }
  if (!(Number.isInteger(n1) && Number.isInteger(n2) && n1 >= 1 && n2 >= 1 && n1 + n2 >= 3)) {
    throw new StatisticsError(`group sizes ${n1} and ${n2}: a two-sample Bayes factor needs n1 + n2 >= 3`);
  }
  return tResult('two-sample', t, (n1 * n2) / (n1 + n2), n1 + n2 - 2, rScale, { x: n1, y: n2 });
}

/** One-sample JZS Bayes factor for H1: mean ≠ mu (`ttestBF(x, mu = mu)`). */
export function oneSampleBayesFactor(
  values: readonly number[],
  options: TTestBayesFactorOptions & { mu?: number } = {},
): BayesFactorResult {
  const test = oneSampleTTest(values, { mu: options.mu ?? 0 });
  const result = tTestBayesFactorFromT(test.statistic, values.length, undefined, options);
  return { ...result, estimator: { ...result.estimator, args: { ...result.estimator.args, mu: options.mu ?? 0 } } };
}

/** Paired JZS Bayes factor (`ttestBF(x, y, paired = TRUE)`): one-sample on x - y. */
export function pairedBayesFactor(
  x: readonly number[],
  y: readonly number[],
  options: TTestBayesFactorOptions = {},
): BayesFactorResult {
  const test = pairedTTest(x, y);
  const rScale = resolveScale(options.rScale, T_TEST_PRIOR_SCALES, 'medium');
  return tResult('paired', test.statistic, x.length, x.length - 1, rScale, { pairs: x.length });
}

/** Two-sample JZS Bayes factor (`ttestBF(x, y)`), from Student's pooled-variance t. */
export function twoSampleBayesFactor(
  x: readonly number[],
  y: readonly number[],
  options: TTestBayesFactorOptions = {},
): BayesFactorResult {
  const test = studentTTest(x, y);
  return tTestBayesFactorFromT(test.statistic, x.length, y.length, options);
}

/** log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1, from the series summed on the log scale. */
export function logHypergeometric2F1(a: number, b: number, c: number, z: number): number {
  if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1)) {
    throw new StatisticsError(`2F1 series needs a, b, c > 0 and 0 <= z < 1; got ${a}, ${b}, ${c}, ${z}`);
  }
  if (z === 0) {
    return 0;
  }
  const logZ = Math.log(z);
  let logTerm = 0;
  // The sum is kept as exp(logScale) * scaledSum so neither overflows.
  let logScale = 0;
  let scaledSum = 1;
  for (let k = 0; k < 10_000_000; k++) {
    const ratio = ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    logTerm += Math.log(a + k) + Math.log(b + k) - Math.log(c + k) - Math.log(k + 1) + logZ;
    if (logTerm > logScale) {
      scaledSum = scaledSum * Math.exp(logScale - logTerm) + 1;
      logScale = logTerm;
    } else {
      scaledSum += Math.exp(logTerm - logScale);
    }
    // Later ratios stay below max(ratio, z) (they tend to z monotonically), which bounds the rest
    // by a geometric series.
    const bound = Math.max(ratio, z);
    if (bound < 1) {
      const logRemainder = logTerm + Math.log(bound) - Math.log1p(-bound);
      if (logRemainder < logScale + Math.log(scaledSum) + Math.log(1e-17)) {
        return logScale + Math.log(scaledSum);
      }
    }
  }
  throw new StatisticsError(`2F1 series did not converge (a = ${a}, c = ${c}, z = ${z})`);
}

export interface CorrelationBayesFactorOptions {
  /** κ of the stretched Beta(1/κ, 1/κ) prior: a number or BayesFactor's name (default "medium", 1/3). */
  rScale?: CorrelationPriorScale;
}

/** Bayes factor for H1: ρ ≠ 0 from Pearson's r and n pairs (`correlationBF`). */
export function correlationBayesFactorFromR(
  r: number,
  n: number,
  options: CorrelationBayesFactorOptions = {},
): BayesFactorResult {
  const kappa = resolveScale(options.rScale, CORRELATION_PRIOR_SCALES, 'medium');
  if (!(r >= -1 && r <= 1)) {
    throw new StatisticsError(`r is ${String(r)}; a correlation lies in [-1, 1]`);
  }
  if (!(Number.isInteger(n) && n >= 3)) {
    throw new StatisticsError(`n is ${n}; a correlation Bayes factor needs at least 3 pairs`);
  }
  const warnings: string[] = [];
  let logBf10: number;
  if (Math.abs(r) === 1) {
    logBf10 = Number.POSITIVE_INFINITY;
    warnings.push('|r| = 1: the data are impossible under H0, BF10 is infinite');
  } else {
    const shape = 1 / kappa;
    logBf10 =
      (1 - 2 * shape) * Math.LN2 +
      0.5 * Math.log(Math.PI) -
      logBeta(shape, shape) +
      logGamma((n + 2 * shape - 1) / 2) -
      logGamma((n + 2 * shape) / 2) +
      logHypergeometric2F1((n - 1) / 2, (n - 1) / 2, (n + 2 * shape) / 2, r * r);
  }
  return {
    bf10: Math.exp(logBf10),
    logBf10,
    bf01: Math.exp(-logBf10),
    rScale: kappa,
    design: 'correlation',
    statistic: r,
    n: { pairs: n },
    estimator: estimatorRecord('correlation-bayes-factor', {
      rScale: kappa,
      prior: 'stretched-beta',
      method: 'ly-verhagen-wagenmakers-exact',
    }),
    warnings,
  };
}

/** Correlation Bayes factor of two samples (`correlationBF(y, x)`). */
export function pearsonBayesFactor(
  x: readonly number[],
  y: readonly number[],
  options: CorrelationBayesFactorOptions = {},
): BayesFactorResult {
  if (x.length < 3) {
    throw new StatisticsError(`a correlation Bayes factor needs at least 3 pairs; got ${x.length}`);
  }
  return correlationBayesFactorFromR(pearsonR(x, y), x.length, options);
}
