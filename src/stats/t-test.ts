import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import {
  estimatorRecord,
  mean,
  requireFiniteNumber,
  requireFiniteSample,
  requireProbability,
  variance,
} from './descriptives.js';
import { tCdf, tQuantile } from './distributions.js';

/**
 * Student, Welch, one-sample and paired t tests, numerically as R's `t.test` (same statistic,
 * degrees of freedom, p-value and confidence interval, for the three alternatives).
 */

/** `less`: the true difference (or mean) is below the null value; `greater`: above. */
export type Alternative = 'two-sided' | 'less' | 'greater';

export type TTestMethod = 'student' | 'welch' | 'one-sample' | 'paired';

export interface TTestOptions {
  /** Null value of the mean (one-sample), mean difference (paired) or difference of means. Default 0. */
  mu?: number;
  alternative?: Alternative;
  /** Confidence level of `ci` (default 0.95). One-sided alternatives give one-sided intervals. */
  ciLevel?: number;
}

export interface TwoSampleTTestOptions extends TTestOptions {
  /** true: Student's pooled-variance test; false (default, as R): Welch's test. */
  equalVariances?: boolean;
}

export interface TTestResult {
  /** The t statistic, (estimate - mu) / standardError. */
  statistic: number;
  df: number;
  p: number;
  /** Mean (one-sample), mean of the differences x - y (paired), or mean(x) - mean(y). */
  estimate: number;
  /** Confidence interval of the estimate; a one-sided alternative leaves one end infinite. */
  ci: [number, number];
  ciLevel: number;
  standardError: number;
  mu: number;
  method: TTestMethod;
  alternative: Alternative;
  /** Group sizes: `x` and `y` for two samples, `x` for one sample, `pairs` for paired data. */
  n: Record<string, number>;
  /** Group means (`x`, `y`) for the two-sample tests; the single mean otherwise. */
  means: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

/** A sample reduced to what a t test needs; lets callers test published summaries too. */
export interface SampleSummary {
  mean: number;
  /** Sample standard deviation (n - 1 denominator). */
  sd: number;
  n: number;
}

export function summarizeSample(values: readonly number[], label: string): SampleSummary {
  requireFiniteSample(values, label, 1);
  return { mean: mean(values), sd: values.length >= 2 ? Math.sqrt(variance(values)) : 0, n: values.length };
}

function resolveOptions(options: TTestOptions): { mu: number; alternative: Alternative; ciLevel: number } {
  const mu = options.mu ?? 0;
  const alternative = options.alternative ?? 'two-sided';
  const ciLevel = options.ciLevel ?? 0.95;
  requireFiniteNumber(mu, 'mu');
  requireProbability(ciLevel, 'ciLevel');
  return { mu, alternative, ciLevel };
}

/** p-value of an observed t for an alternative. */
export function tTestPValue(statistic: number, df: number, alternative: Alternative): number {
  switch (alternative) {
    case 'less':
      return tCdf(statistic, df, 'lower');
    case 'greater':
      return tCdf(statistic, df, 'upper');
    case 'two-sided':
      return Math.min(1, 2 * tCdf(-Math.abs(statistic), df, 'lower'));
  }
}

/** Confidence interval of `estimate` with standard error `se` on `df` degrees of freedom. */
export function tConfidenceInterval(
  estimate: number,
  se: number,
  df: number,
  alternative: Alternative,
  ciLevel: number,
): [number, number] {
  switch (alternative) {
    case 'less':
      return [Number.NEGATIVE_INFINITY, estimate + tQuantile(ciLevel, df) * se];
    case 'greater':
      return [estimate - tQuantile(ciLevel, df) * se, Number.POSITIVE_INFINITY];
    case 'two-sided': {
      const halfWidth = tQuantile((1 + ciLevel) / 2, df) * se;
      return [estimate - halfWidth, estimate + halfWidth];
    }
  }
}

function requireNonConstant(se: number, scale: number): void {
  // R's threshold: a standard error this small relative to the data means the data are constant
  // and t would be an artefact of rounding.
  if (!(se > 10 * Number.EPSILON * scale) || se === 0) {
    throw new StatisticsError('data are essentially constant: the standard error is zero, so t is undefined');
  }
}

function assemble(
  fields: Omit<TTestResult, 'p' | 'ci' | 'statistic' | 'estimator' | 'warnings'>,
  estimatorArgs: Record<string, unknown>,
): TTestResult {
  const statistic = (fields.estimate - fields.mu) / fields.standardError;
  return {
    ...fields,
    statistic,
    p: tTestPValue(statistic, fields.df, fields.alternative),
    ci: tConfidenceInterval(fields.estimate, fields.standardError, fields.df, fields.alternative, fields.ciLevel),
    estimator: estimatorRecord(`${fields.method}-t-test`, {
      mu: fields.mu,
      alternative: fields.alternative,
      ciLevel: fields.ciLevel,
      ...estimatorArgs,
    }),
    warnings: [],
  };
}

/** One-sample t test of H0: mean = mu. */
export function oneSampleTTest(values: readonly number[], options: TTestOptions = {}): TTestResult {
  requireFiniteSample(values, 'x', 2);
  return oneSampleTTestFromSummary(summarizeSample(values, 'x'), options);
}

export function oneSampleTTestFromSummary(summary: SampleSummary, options: TTestOptions = {}): TTestResult {
  const { mu, alternative, ciLevel } = resolveOptions(options);
  requireSummary(summary, 'x', 2);
  const standardError = summary.sd / Math.sqrt(summary.n);
  requireNonConstant(standardError, Math.abs(summary.mean));
  return assemble(
    {
      df: summary.n - 1,
      estimate: summary.mean,
      ciLevel,
      standardError,
      mu,
      method: 'one-sample',
      alternative,
      n: { x: summary.n },
      means: { x: summary.mean },
    },
    {},
  );
}

/** Paired t test: a one-sample test on the differences x[i] - y[i]. */
export function pairedTTest(x: readonly number[], y: readonly number[], options: TTestOptions = {}): TTestResult {
  requireFiniteSample(x, 'x', 2);
  requireFiniteSample(y, 'y', 2);
  if (x.length !== y.length) {
    throw new StatisticsError(`paired samples differ in length: x has ${x.length} values, y has ${y.length}`);
  }
  const differences = x.map((value, index) => value - y[index]!);
  const oneSample = oneSampleTTest(differences, options);
  return {
    ...oneSample,
    method: 'paired',
    n: { pairs: x.length },
    means: { x: mean(x), y: mean(y), differences: oneSample.estimate },
    estimator: estimatorRecord('paired-t-test', oneSample.estimator.args),
  };
}

/** Two-sample t test of H0: mean(x) - mean(y) = mu; Welch unless `equalVariances` is true. */
export function twoSampleTTest(
  x: readonly number[],
  y: readonly number[],
  options: TwoSampleTTestOptions = {},
): TTestResult {
  const minimum = options.equalVariances === true ? 1 : 2;
  requireFiniteSample(x, 'x', minimum);
  requireFiniteSample(y, 'y', minimum);
  return twoSampleTTestFromSummaries(summarizeSample(x, 'x'), summarizeSample(y, 'y'), options);
}

/** Student's pooled-variance two-sample t test. */
export function studentTTest(x: readonly number[], y: readonly number[], options: TTestOptions = {}): TTestResult {
  return twoSampleTTest(x, y, { ...options, equalVariances: true });
}

/** Welch's unequal-variance two-sample t test (Welch–Satterthwaite df). */
export function welchTTest(x: readonly number[], y: readonly number[], options: TTestOptions = {}): TTestResult {
  return twoSampleTTest(x, y, { ...options, equalVariances: false });
}

function requireSummary(summary: SampleSummary, label: string, minimumN: number): void {
  requireFiniteNumber(summary.mean, `${label} mean`);
  requireFiniteNumber(summary.sd, `${label} sd`);
  if (!Number.isInteger(summary.n) || summary.n < minimumN) {
    throw new StatisticsError(`${label} has n = ${summary.n}; at least ${minimumN} observations needed`);
  }
  if (summary.sd < 0) {
    throw new StatisticsError(`${label} sd is ${summary.sd}; a standard deviation cannot be negative`);
  }
}

/** Two-sample t test from group means, SDs and sizes. */
export function twoSampleTTestFromSummaries(
  x: SampleSummary,
  y: SampleSummary,
  options: TwoSampleTTestOptions = {},
): TTestResult {
  const { mu, alternative, ciLevel } = resolveOptions(options);
  const equalVariances = options.equalVariances ?? false;
  requireSummary(x, 'x', equalVariances ? 1 : 2);
  requireSummary(y, 'y', equalVariances ? 1 : 2);
  if (equalVariances && x.n + y.n < 3) {
    throw new StatisticsError(`Student's t test needs at least 3 observations in all; got ${x.n + y.n}`);
  }
  const varianceX = x.sd * x.sd;
  const varianceY = y.sd * y.sd;
  let df: number;
  let standardError: number;
  if (equalVariances) {
    df = x.n + y.n - 2;
    const pooledVariance = ((x.n - 1) * varianceX + (y.n - 1) * varianceY) / df;
    standardError = Math.sqrt(pooledVariance * (1 / x.n + 1 / y.n));
  } else {
    const squaredErrorX = varianceX / x.n;
    const squaredErrorY = varianceY / y.n;
    standardError = Math.sqrt(squaredErrorX + squaredErrorY);
    df = (squaredErrorX + squaredErrorY) ** 2 / (squaredErrorX ** 2 / (x.n - 1) + squaredErrorY ** 2 / (y.n - 1));
  }
  requireNonConstant(standardError, Math.max(Math.abs(x.mean), Math.abs(y.mean)));
  return assemble(
    {
      df,
      estimate: x.mean - y.mean,
      ciLevel,
      standardError,
      mu,
      method: equalVariances ? 'student' : 'welch',
      alternative,
      n: { x: x.n, y: y.n },
      means: { x: x.mean, y: y.mean },
    },
    { equalVariances },
  );
}
