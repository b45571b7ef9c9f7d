import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import { tQuantile } from './distributions.js';

/**
 * Descriptive statistics and the input checks every test in this folder shares. Each function
 * refuses empty input and non-finite values with a `StatisticsError` instead of returning NaN, so a
 * missing group or a corrupt feature never turns into a plausible-looking number downstream.
 */

/** Version of the estimators in the tests half of the statistics engine (bump when a number can change). */
export const TESTS_ENGINE_VERSION = '1.0.0';

/** The record every result carries so a reader can re-derive it. */
export function estimatorRecord(name: string, args: Record<string, unknown>): EstimatorRecord {
  return { name, version: TESTS_ENGINE_VERSION, args };
}

/**
 * Throws unless `values` holds at least `minimumLength` finite numbers. `label` names the sample in
 * the message ("x", "group b", "differences").
 */
export function requireFiniteSample(values: readonly number[], label: string, minimumLength = 1): void {
  if (values.length < minimumLength) {
    throw new StatisticsError(
      `${label} has ${values.length} value${values.length === 1 ? '' : 's'}; at least ${minimumLength} needed`,
    );
  }
  const badIndex = values.findIndex((value) => !Number.isFinite(value));
  if (badIndex >= 0) {
    throw new StatisticsError(`${label}[${badIndex}] is ${String(values[badIndex])}; only finite numbers are allowed`);
  }
}

/** Throws unless `value` is a finite number. */
export function requireFiniteNumber(value: number, label: string): void {
  if (!Number.isFinite(value)) {
    throw new StatisticsError(`${label} is ${String(value)}; a finite number is needed`);
  }
}

/** Throws unless 0 < level < 1. */
export function requireProbability(value: number, label: string): void {
  if (!(value > 0 && value < 1)) {
    throw new StatisticsError(`${label} is ${String(value)}; it must lie strictly between 0 and 1`);
  }
}

function sumOf(values: readonly number[]): number {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return total;
}

/**
 * Arithmetic mean with one refinement pass (the mean of the residuals is added back), as R's
 * `mean()` does, so large offsets do not cost digits.
 */
export function mean(values: readonly number[]): number {
  requireFiniteSample(values, 'values');
  const first = sumOf(values) / values.length;
  let residual = 0;
  for (const value of values) {
    residual += value - first;
  }
  return first + residual / values.length;
}

/** Sum of squared deviations from the mean (two-pass, numerically stable). */
export function sumOfSquaredDeviations(values: readonly number[]): number {
  const center = mean(values);
  let total = 0;
  for (const value of values) {
    const deviation = value - center;
    total += deviation * deviation;
  }
  return total;
}

/** Sample variance with the n - 1 denominator (R `var`). */
export function variance(values: readonly number[]): number {
  requireFiniteSample(values, 'values', 2);
  return sumOfSquaredDeviations(values) / (values.length - 1);
}

/** Sample standard deviation with the n - 1 denominator (R `sd`). */
export function standardDeviation(values: readonly number[]): number {
  return Math.sqrt(variance(values));
}

/** Standard error of the mean, sd / sqrt(n). */
export function standardError(values: readonly number[]): number {
  return standardDeviation(values) / Math.sqrt(values.length);
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((left, right) => left - right);
}

/**
 * Sample quantile of R's default definition (type 7): linear interpolation between order statistics
 * at position 1 + (n - 1) p.
 */
export function quantile(values: readonly number[], probability: number): number {
  return quantiles(values, [probability])[0]!;
}

/** Several type-7 quantiles with one sort. */
export function quantiles(values: readonly number[], probabilities: readonly number[]): number[] {
  requireFiniteSample(values, 'values');
  const sorted = sortedCopy(values);
  return probabilities.map((probability) => {
    if (!(probability >= 0 && probability <= 1)) {
      throw new StatisticsError(`quantile probability is ${String(probability)}; it must lie in [0, 1]`);
    }
    const position = (sorted.length - 1) * probability;
    const below = Math.floor(position);
    const fraction = position - below;
    const lowValue = sorted[below]!;
    if (fraction === 0 || below + 1 >= sorted.length) {
      return lowValue;
    }
    return lowValue + fraction * (sorted[below + 1]! - lowValue);
  });
}

/** Median (type-7 quantile at 0.5; the mean of the two middle values for even n). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface MeanConfidenceInterval {
  estimate: number;
  standardError: number;
  df: number;
  ci: [number, number];
  ciLevel: number;
  n: number;
  estimator: EstimatorRecord;
  warnings: string[];
}

/** Two-sided t-based confidence interval of a mean (as `t.test(x)$conf.int`). */
export function meanConfidenceInterval(values: readonly number[], ciLevel = 0.95): MeanConfidenceInterval {
  requireFiniteSample(values, 'values', 2);
  requireProbability(ciLevel, 'ciLevel');
  const estimate = mean(values);
  const error = standardError(values);
  const df = values.length - 1;
  const halfWidth = tQuantile((1 + ciLevel) / 2, df) * error;
  return {
    estimate,
    standardError: error,
    df,
    ci: [estimate - halfWidth, estimate + halfWidth],
    ciLevel,
    n: values.length,
    estimator: estimatorRecord('mean-t-interval', { ciLevel }),
    warnings: [],
  };
}

export interface DescriptiveSummary {
  n: number;
  mean: number;
  /** Null when n < 2 (a single value has no spread). */
  sd: number | null;
  se: number | null;
  median: number;
  min: number;
  max: number;
  estimator: EstimatorRecord;
  warnings: string[];
}

/** The usual one-line summary of a sample. */
export function describeSample(values: readonly number[]): DescriptiveSummary {
  requireFiniteSample(values, 'values');
  const spread = values.length >= 2 ? standardDeviation(values) : null;
  return {
    n: values.length,
    mean: mean(values),
    sd: spread,
    se: spread === null ? null : spread / Math.sqrt(values.length),
    median: median(values),
    min: values.reduce((smallest, value) => Math.min(smallest, value), Number.POSITIVE_INFINITY),
    max: values.reduce((largest, value) => Math.max(largest, value), Number.NEGATIVE_INFINITY),
    estimator: estimatorRecord('describe-sample', {}),
    warnings: values.length < 2 ? ['a single value: sd and se are undefined'] : [],
  };
}
