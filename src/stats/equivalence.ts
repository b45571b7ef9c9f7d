import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import { estimatorRecord, requireProbability } from './descriptives.js';
import { type SampleSummary, summarizeSample, twoSampleTTestFromSummaries } from './t-test.js';

/**
 * Equivalence test for two independent means by two one-sided tests (TOST; Schuirmann 1987,
 * Lakens 2017): H0 is "the difference lies at or beyond a bound". Reject it, and call the means
 * equivalent at level α, when both mean(x) - mean(y) > lower (tested with t against `lower`) and
 * mean(x) - mean(y) < upper (against `upper`). p is the larger of the two one-sided p-values, and
 * the matching interval is the (1 - 2α) CI of the difference.
 *
 * Bounds come in raw units or in standardised (d) units. d bounds are turned into raw ones with the
 * pooled SD for Student's test and with sqrt((sd1^2 + sd2^2) / 2) for Welch's, the convention of
 * the R package TOSTER (`TOSTtwo`).
 */

export interface EquivalenceOptions {
  /** Lower and upper equivalence bounds on mean(x) - mean(y); lower < upper. */
  lower: number;
  upper: number;
  /** `raw`: the bounds are in the data's units; `d`: in standard deviations. */
  units: 'raw' | 'd';
  /** true: Student's pooled test; false (default): Welch's. */
  equalVariances?: boolean;
  /** Level of each one-sided test (default 0.05). */
  alpha?: number;
}

export interface OneSidedTest {
  bound: number;
  statistic: number;
  p: number;
}

export interface EquivalenceResult {
  /** mean(x) - mean(y). */
  estimate: number;
  df: number;
  standardError: number;
  /** Test of H0: difference <= lower, against "greater". */
  lowerTest: OneSidedTest;
  /** Test of H0: difference >= upper, against "less". */
  upperTest: OneSidedTest;
  /** max of the two one-sided p-values. */
  p: number;
  alpha: number;
  /** True when p < alpha: the difference lies inside the bounds. */
  equivalent: boolean;
  /** The (1 - 2 alpha) confidence interval of the difference. */
  ci: [number, number];
  ciLevel: number;
  /** Bounds in raw units, whatever units they were given in. */
  rawBounds: [number, number];
  units: 'raw' | 'd';
  method: 'student' | 'welch';
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

/** TOST for two independent samples. */
export function equivalenceTest(
  x: readonly number[],
  y: readonly number[],
  options: EquivalenceOptions,
): EquivalenceResult {
  return equivalenceTestFromSummaries(summarizeSample(x, 'x'), summarizeSample(y, 'y'), options);
}

/** TOST from group means, SDs and sizes. */
export function equivalenceTestFromSummaries(
  x: SampleSummary,
  y: SampleSummary,
  options: EquivalenceOptions,
): EquivalenceResult {
  const alpha = options.alpha ?? 0.05;
  requireProbability(alpha, 'alpha');
  if (alpha >= 0.5) {
    throw new StatisticsError(`alpha is ${alpha}; the (1 - 2 alpha) interval needs alpha < 0.5`);
  }
  if (!(Number.isFinite(options.lower) && Number.isFinite(options.upper) && options.lower < options.upper)) {
    throw new StatisticsError(
      `equivalence bounds are [${options.lower}, ${options.upper}]; they must be finite with lower < upper`,
    );
  }
  const equalVariances = options.equalVariances ?? false;
  let scale = 1;
  if (options.units === 'd') {
    scale = equalVariances
      ? Math.sqrt(((x.n - 1) * x.sd * x.sd + (y.n - 1) * y.sd * y.sd) / (x.n + y.n - 2))
      : Math.sqrt((x.sd * x.sd + y.sd * y.sd) / 2);
    if (!(scale > 0)) {
      throw new StatisticsError('bounds in d units need a non-zero standard deviation');
    }
  }
  const rawBounds: [number, number] = [options.lower * scale, options.upper * scale];
  const ciLevel = 1 - 2 * alpha;
  const lower = twoSampleTTestFromSummaries(x, y, {
    equalVariances,
    mu: rawBounds[0],
    alternative: 'greater',
  });
  const upper = twoSampleTTestFromSummaries(x, y, {
    equalVariances,
    mu: rawBounds[1],
    alternative: 'less',
  });
  const interval = twoSampleTTestFromSummaries(x, y, { equalVariances, ciLevel });
  const p = Math.max(lower.p, upper.p);
  const warnings: string[] = [];
  if (rawBounds[0] > 0 || rawBounds[1] < 0) {
    warnings.push('the equivalence bounds do not contain 0');
  }
  return {
    estimate: interval.estimate,
    df: interval.df,
    standardError: interval.standardError,
    lowerTest: { bound: rawBounds[0], statistic: lower.statistic, p: lower.p },
    upperTest: { bound: rawBounds[1], statistic: upper.statistic, p: upper.p },
    p,
    alpha,
    equivalent: p < alpha,
    ci: interval.ci,
    ciLevel,
    rawBounds,
    units: options.units,
    method: equalVariances ? 'student' : 'welch',
    n: { x: x.n, y: y.n },
    estimator: estimatorRecord('tost-two-sample', {
      lower: options.lower,
      upper: options.upper,
      units: options.units,
      equalVariances,
      alpha,
    }),
    warnings,
  };
}
