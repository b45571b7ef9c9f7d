import { type EstimatorRecord, NotEstimableError, StatisticsError } from '../contracts/index.js';
import { estimatorRecord, mean, requireFiniteSample, requireProbability, standardDeviation } from './descriptives.js';
import { logGamma, noncentralityInterval, tTwoSidedP } from './distributions.js';
import { type SampleSummary, summarizeSample } from './t-test.js';

/**
 * Standardised mean differences: Cohen's d (pooled SD) and Hedges' g with the exact small-sample
 * correction, with confidence intervals from the noncentral t.
 *
 * The CI inverts the noncentral t at the observed t (Steiger & Fouladi 1997): find the noncentrality
 * values that put t at the upper and lower α/2 points, then rescale them to d. This is what
 * `MBESS::ci.smd` reports for d; for g both limits are multiplied by J, as `effectsize::hedges_g`
 * does. (The interval is exact for d under normality with equal variances.)
 */

export type EffectSizeDesign = 'two-sample' | 'paired' | 'one-sample';

export interface EffectSizeOptions {
  /** Confidence level of the two-sided interval (default 0.95). */
  ciLevel?: number;
}

export interface StandardizedMeanDifference {
  /** Hedges' g (from the `hedgesG` functions) or Cohen's d (from `cohensD`). */
  estimate: number;
  /** Which of the two `estimate` and `ci` are. */
  quantity: 'hedges-g' | 'cohens-d';
  d: number;
  g: number;
  /** J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)); g = J d. */
  correction: number;
  /** Interval for `estimate`. */
  ci: [number, number];
  ciD: [number, number];
  ciG: [number, number];
  ciLevel: number;
  /** Noncentrality limits behind the interval. */
  ncpInterval: [number, number];
  /** The t statistic d corresponds to (Student's pooled t for two samples). */
  t: number;
  df: number;
  /** Two-sided p-value of that t. */
  p: number;
  /** The SD the mean difference was divided by: pooled SD, SD of the differences, or SD. */
  standardizer: number;
  design: EffectSizeDesign;
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

/**
 * Hedges' exact small-sample correction J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)), computed with
 * log-gamma so it stays finite for large df (where it tends to 1). The familiar 1 - 3/(4 df - 1)
 * is an approximation to this.
 */
export function hedgesCorrection(df: number): number {
  if (!(df > 1) || !Number.isFinite(df)) {
    throw new StatisticsError(`Hedges' correction needs df > 1; got ${String(df)}`);
  }
  return Math.exp(logGamma(df / 2) - 0.5 * Math.log(df / 2) - logGamma((df - 1) / 2));
}

function twoGroupScale(n1: number, n2: number): number {
  if (!(n1 >= 1 && n2 >= 1)) {
    throw new StatisticsError(`group sizes must be at least 1; got ${n1} and ${n2}`);
  }
  return Math.sqrt(1 / n1 + 1 / n2);
}

/** Student's t of two groups from Cohen's d: t = d / sqrt(1/n1 + 1/n2). */
export function tFromD(d: number, n1: number, n2: number): number {
  return d / twoGroupScale(n1, n2);
}

/** Cohen's d from Student's t of two groups: d = t sqrt(1/n1 + 1/n2). */
export function dFromT(t: number, n1: number, n2: number): number {
  return t * twoGroupScale(n1, n2);
}

/** Hedges' g from Cohen's d of two groups (df = n1 + n2 - 2). */
export function gFromD(d: number, n1: number, n2: number): number {
  return d * hedgesCorrection(n1 + n2 - 2);
}

/** Cohen's d from Hedges' g of two groups (df = n1 + n2 - 2). */
export function dFromG(g: number, n1: number, n2: number): number {
  return g / hedgesCorrection(n1 + n2 - 2);
}

export interface TFromHedgesG {
  g: number;
  d: number;
  correction: number;
  t: number;
  df: number;
  /** Two-sided p-value of Student's t. */
  p: number;
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

/**
 * The pooled-SD Student t test a published Hedges' g of two groups implies: d = g / J(df),
 * t = d / sqrt(1/n1 + 1/n2), df = n1 + n2 - 2 (docs/paper-notes.md: g = 0.771, 15 + 15 gives t(28) = 2.17).
 */
export function studentTFromHedgesG(g: number, n1: number, n2: number): TFromHedgesG {
  if (!Number.isFinite(g)) {
    throw new StatisticsError(`g is ${String(g)}; a finite number is needed`);
  }
  const df = n1 + n2 - 2;
  const correction = hedgesCorrection(df);
  const d = g / correction;
  const t = tFromD(d, n1, n2);
  return {
    g,
    d,
    correction,
    t,
    df,
    p: tTwoSidedP(t, df),
    n: { x: n1, y: n2 },
    estimator: estimatorRecord('student-t-from-hedges-g', { g, n1, n2 }),
    warnings: [],
  };
}

function resolveLevel(options: EffectSizeOptions): number {
  const ciLevel = options.ciLevel ?? 0.95;
  requireProbability(ciLevel, 'ciLevel');
  return ciLevel;
}

function assemble(
  quantity: 'hedges-g' | 'cohens-d',
  fields: {
    d: number;
    t: number;
    df: number;
    ciLevel: number;
    /** ncp -> d: multiply by this. */
    ncpToD: number;
    standardizer: number;
    design: EffectSizeDesign;
    n: Record<string, number>;
  },
): StandardizedMeanDifference {
  const correction = hedgesCorrection(fields.df);
  const limits = noncentralityInterval(fields.t, fields.df, fields.ciLevel);
  const ciD: [number, number] = [limits.lower * fields.ncpToD, limits.upper * fields.ncpToD];
  const ciG: [number, number] = [ciD[0] * correction, ciD[1] * correction];
  const g = fields.d * correction;
  const warnings: string[] = [];
  if (fields.df < 4) {
    warnings.push(`only ${fields.df} degrees of freedom: the standardiser is very uncertain`);
  }
  return {
    estimate: quantity === 'hedges-g' ? g : fields.d,
    quantity,
    d: fields.d,
    g,
    correction,
    ci: quantity === 'hedges-g' ? ciG : ciD,
    ciD,
    ciG,
    ciLevel: fields.ciLevel,
    ncpInterval: [limits.lower, limits.upper],
    t: fields.t,
    df: fields.df,
    p: tTwoSidedP(fields.t, fields.df),
    standardizer: fields.standardizer,
    design: fields.design,
    n: fields.n,
    estimator: estimatorRecord(quantity === 'hedges-g' ? `hedges-g-${fields.design}` : `cohens-d-${fields.design}`, {
      ciLevel: fields.ciLevel,
      correction: 'exact-gamma',
      interval: 'noncentral-t-inversion',
    }),
    warnings,
  };
}

function twoSampleFromSummaries(
  quantity: 'hedges-g' | 'cohens-d',
  x: SampleSummary,
  y: SampleSummary,
  options: EffectSizeOptions,
): StandardizedMeanDifference {
  const ciLevel = resolveLevel(options);
  for (const [label, summary] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (!Number.isFinite(summary.mean) || !Number.isFinite(summary.sd) || summary.sd < 0) {
      throw new StatisticsError(`${label} summary has mean ${summary.mean} and sd ${summary.sd}; both must be finite`);
    }
    if (!Number.isInteger(summary.n) || summary.n < 1) {
      throw new StatisticsError(`${label} has n = ${summary.n}; at least 1 observation needed`);
    }
  }
  const df = x.n + y.n - 2;
  if (df < 2) {
    throw new NotEstimableError(`a standardised mean difference needs n1 + n2 >= 4; got ${x.n} + ${y.n}`);
  }
  const pooledSd = Math.sqrt(((x.n - 1) * x.sd * x.sd + (y.n - 1) * y.sd * y.sd) / df);
  if (!(pooledSd > 0)) {
    throw new NotEstimableError('the pooled standard deviation is zero: a standardised difference is undefined');
  }
  const d = (x.mean - y.mean) / pooledSd;
  return assemble(quantity, {
    d,
    t: tFromD(d, x.n, y.n),
    df,
    ciLevel,
    ncpToD: twoGroupScale(x.n, y.n),
    standardizer: pooledSd,
    design: 'two-sample',
    n: { x: x.n, y: y.n },
  });
}

/** Hedges' g of two independent groups, (mean(x) - mean(y)) / pooled SD times J(n1 + n2 - 2). */
export function hedgesG(
  x: readonly number[],
  y: readonly number[],
  options: EffectSizeOptions = {},
): StandardizedMeanDifference {
  return twoSampleFromSummaries('hedges-g', summarizeSample(x, 'x'), summarizeSample(y, 'y'), options);
}

/** Cohen's d of two independent groups, (mean(x) - mean(y)) / pooled SD. */
export function cohensD(
  x: readonly number[],
  y: readonly number[],
  options: EffectSizeOptions = {},
): StandardizedMeanDifference {
  return twoSampleFromSummaries('cohens-d', summarizeSample(x, 'x'), summarizeSample(y, 'y'), options);
}

/** Hedges' g from group means, SDs and sizes. */
export function hedgesGFromSummaries(
  x: SampleSummary,
  y: SampleSummary,
  options: EffectSizeOptions = {},
): StandardizedMeanDifference {
  return twoSampleFromSummaries('hedges-g', x, y, options);
}

function singleSample(
  quantity: 'hedges-g' | 'cohens-d',
  values: readonly number[],
  mu: number,
  design: 'paired' | 'one-sample',
  options: EffectSizeOptions,
): StandardizedMeanDifference {
  const ciLevel = resolveLevel(options);
  requireFiniteSample(values, design === 'paired' ? 'differences' : 'x', 3);
  const spread = standardDeviation(values);
  if (!(spread > 0)) {
    throw new NotEstimableError('the standard deviation is zero: a standardised mean is undefined');
  }
  const n = values.length;
  const d = (mean(values) - mu) / spread;
  return assemble(quantity, {
    d,
    t: d * Math.sqrt(n),
    df: n - 1,
    ciLevel,
    ncpToD: 1 / Math.sqrt(n),
    standardizer: spread,
    design,
    n: design === 'paired' ? { pairs: n } : { x: n },
  });
}

/**
 * Hedges' g_z of paired data: mean of the differences x - y over their SD, times J(n - 1). (Not
 * comparable to a two-sample g: the SD of differences shrinks as the pairs correlate.)
 */
export function pairedHedgesG(
  x: readonly number[],
  y: readonly number[],
  options: EffectSizeOptions = {},
): StandardizedMeanDifference {
  if (x.length !== y.length) {
    throw new StatisticsError(`paired samples differ in length: x has ${x.length} values, y has ${y.length}`);
  }
  requireFiniteSample(x, 'x', 3);
  requireFiniteSample(y, 'y', 3);
  return singleSample(
    'hedges-g',
    x.map((value, index) => value - y[index]!),
    0,
    'paired',
    options,
  );
}

/** Hedges' g of one sample against a reference value mu: (mean - mu) / SD times J(n - 1). */
export function oneSampleHedgesG(
  values: readonly number[],
  options: EffectSizeOptions & { mu?: number } = {},
): StandardizedMeanDifference {
  return singleSample('hedges-g', values, options.mu ?? 0, 'one-sample', options);
}
