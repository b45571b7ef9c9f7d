import { type EstimatorRecord, NotEstimableError, StatisticsError } from '../contracts/index.js';
import { estimatorRecord, mean, requireFiniteSample, requireProbability } from './descriptives.js';
import { normalCdf, normalQuantile, tCdf } from './distributions.js';
import type { Alternative } from './t-test.js';

/**
 * Pearson and Spearman correlations with the tests of R's `cor.test`.
 *
 * Pearson: t = r sqrt(n - 2) / sqrt(1 - r^2) on n - 2 df; the confidence interval is Fisher's z,
 * tanh(atanh(r) ± z_{1-α/2} / sqrt(n - 3)) (needs n >= 4).
 *
 * Spearman: rho is Pearson's r of the ranks (ties get average ranks); S = (n^3 - n)(1 - rho)/6.
 * The p-value follows `cor.test(method = "spearman")` exactly, which means three regimes:
 *  - no ties and n <= 9: exact, by counting all n! permutations (here by dynamic programming);
 *  - no ties and 10 <= n <= 1290: the Edgeworth series of algorithm AS 89 (Best & Roberts 1975),
 *    which R calls "exact" but is an approximation;
 *  - ties, n > 1290, or `exact: false`: the t approximation t = rho sqrt((n - 2)/(1 - rho^2)) on
 *    n - 2 df, with a warning when ties forced it.
 */

export interface CorrelationOptions {
  alternative?: Alternative;
  /** Confidence level of the Fisher-z interval (Pearson only; default 0.95). */
  ciLevel?: number;
}

export interface PearsonResult {
  estimate: number;
  /** t statistic on `df` degrees of freedom. */
  statistic: number;
  df: number;
  p: number;
  /** Fisher-z interval; null when n < 4 (the interval needs n - 3 > 0). */
  ci: [number, number] | null;
  ciLevel: number;
  alternative: Alternative;
  method: 'pearson';
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

function requirePairs(x: readonly number[], y: readonly number[], minimum: number): void {
  if (x.length !== y.length) {
    throw new StatisticsError(`x and y differ in length: ${x.length} and ${y.length} values`);
  }
  requireFiniteSample(x, 'x', minimum);
  requireFiniteSample(y, 'y', minimum);
}

/** Pearson's r of two equally long samples (centred two-pass sums). */
export function pearsonR(x: readonly number[], y: readonly number[]): number {
  requirePairs(x, y, 2);
  const meanX = mean(x);
  const meanY = mean(y);
  let crossProducts = 0;
  let squaresX = 0;
  let squaresY = 0;
  for (let index = 0; index < x.length; index++) {
    const deviationX = x[index]! - meanX;
    const deviationY = y[index]! - meanY;
    crossProducts += deviationX * deviationY;
    squaresX += deviationX * deviationX;
    squaresY += deviationY * deviationY;
  }
  if (squaresX === 0 || squaresY === 0) {
    throw new NotEstimableError(
      `${squaresX === 0 ? 'x' : 'y'} is constant: a correlation with a variable that does not vary is undefined`,
    );
  }
  const r = crossProducts / Math.sqrt(squaresX * squaresY);
  return Math.max(-1, Math.min(1, r));
}

/** Pearson correlation with its t test and Fisher-z confidence interval (as `cor.test`). */
export function pearsonCorrelation(
  x: readonly number[],
  y: readonly number[],
  options: CorrelationOptions = {},
): PearsonResult {
  requirePairs(x, y, 3);
  return pearsonFromR(pearsonR(x, y), x.length, options);
}

/**
 * The test and interval of a published r from n pairs (docs/paper-notes.md: r = 0.474, n = 16 gives
 * t(14) = 2.01, p = .064).
 */
export function pearsonFromR(r: number, n: number, options: CorrelationOptions = {}): PearsonResult {
  if (!(r >= -1 && r <= 1)) {
    throw new StatisticsError(`r is ${String(r)}; a correlation lies in [-1, 1]`);
  }
  if (!Number.isInteger(n) || n < 3) {
    throw new StatisticsError(`n is ${n}; a correlation test needs at least 3 pairs`);
  }
  const alternative = options.alternative ?? 'two-sided';
  const ciLevel = options.ciLevel ?? 0.95;
  requireProbability(ciLevel, 'ciLevel');
  const df = n - 2;
  const statistic = (Math.sqrt(df) * r) / Math.sqrt(1 - r * r);
  const p =
    alternative === 'less'
      ? tCdf(statistic, df, 'lower')
      : alternative === 'greater'
        ? tCdf(statistic, df, 'upper')
        : Math.min(1, 2 * Math.min(tCdf(statistic, df, 'lower'), tCdf(statistic, df, 'upper')));
  const warnings: string[] = [];
  let ci: [number, number] | null = null;
  if (n > 3) {
    const z = Math.atanh(r);
    const sigma = 1 / Math.sqrt(n - 3);
    if (alternative === 'less') {
      ci = [-1, Math.tanh(z + sigma * normalQuantile(ciLevel))];
    } else if (alternative === 'greater') {
      ci = [Math.tanh(z - sigma * normalQuantile(ciLevel)), 1];
    } else {
      const halfWidth = sigma * normalQuantile((1 + ciLevel) / 2);
      ci = [Math.tanh(z - halfWidth), Math.tanh(z + halfWidth)];
    }
  } else {
    warnings.push('n = 3: the Fisher-z confidence interval needs at least 4 pairs');
  }
  return {
    estimate: r,
    statistic,
    df,
    p,
    ci,
    ciLevel,
    alternative,
    method: 'pearson',
    n: { pairs: n },
    estimator: estimatorRecord('pearson-correlation', { alternative, ciLevel, interval: 'fisher-z' }),
    warnings,
  };
}

/** Ranks 1..n with ties given their average rank (R's `rank(ties.method = "average")`). */
export function averageRanks(values: readonly number[]): number[] {
  requireFiniteSample(values, 'values');
  const order = values.map((_, index) => index).sort((left, right) => values[left]! - values[right]!);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]!] === values[order[start]!]) {
      end++;
    }
    const averageRank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position++) {
      ranks[order[position]!] = averageRank;
    }
    start = end + 1;
  }
  return ranks;
}

export type SpearmanPMethod = 'exact' | 'edgeworth' | 't-approximation';

export interface SpearmanOptions {
  alternative?: Alternative;
  /**
   * true (default, as R): exact enumeration for n <= 9 and the AS 89 Edgeworth series up to
   * n = 1290 when there are no ties; false: always the t approximation.
   */
  exact?: boolean;
}

export interface SpearmanResult {
  estimate: number;
  /** S = (n^3 - n)(1 - rho)/6, the sum of squared rank differences when there are no ties. */
  statistic: number;
  p: number;
  pMethod: SpearmanPMethod;
  ties: boolean;
  alternative: Alternative;
  method: 'spearman';
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

const EXACT_SPEARMAN_MAX_N = 9;
const EDGEWORTH_SPEARMAN_MAX_N = 1290;

const exactDistributions = new Map<number, Float64Array>();

/**
 * Number of permutations π of 1..n with sum_i (i - π(i))^2 = s, for every even s up to
 * (n^3 - n)/3, by dynamic programming over the set of values used so far (2^n states).
 */
function exactSpearmanCounts(n: number): Float64Array {
  const cached = exactDistributions.get(n);
  if (cached !== undefined) {
    return cached;
  }
  const maximum = (n * (n * n - 1)) / 3;
  const states = 1 << n;
  // counts[mask][s]: ways to fill positions 1..popcount(mask) with the values in mask, summing to s.
  const counts = new Array<Float64Array | undefined>(states);
  counts[0] = new Float64Array(maximum + 1);
  counts[0][0] = 1;
  for (let mask = 0; mask < states; mask++) {
    const current = counts[mask];
    if (current === undefined) {
      continue;
    }
    let position = 0;
    for (let bits = mask; bits !== 0; bits &= bits - 1) {
      position++;
    }
    for (let value = 0; value < n; value++) {
      if ((mask & (1 << value)) !== 0) {
        continue;
      }
      const next = mask | (1 << value);
      const target = counts[next] ?? new Float64Array(maximum + 1);
      counts[next] = target;
      const step = (position - value) ** 2;
      for (let sum = 0; sum + step <= maximum; sum++) {
        const ways = current[sum]!;
        if (ways !== 0) {
          target[sum + step]! += ways;
        }
      }
    }
    if (mask !== states - 1) {
      counts[mask] = undefined;
    }
  }
  const result = counts[states - 1]!;
  exactDistributions.set(n, result);
  return result;
}

// Edgeworth series coefficients of AS 89.
const EDGEWORTH = [
  0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4,
] as const;

/**
 * AS 89: P[S >= threshold] (upper) or P[S < threshold] (lower) for Spearman's S without ties;
 * exact for n <= 9, Edgeworth series above.
 */
function spearmanTail(n: number, threshold: number, tail: 'lower' | 'upper'): number {
  const lowerTail = tail === 'lower';
  const zero = lowerTail ? 0 : 1;
  if (n <= 1 || threshold <= 0) {
    return zero;
  }
  const maximum = (n * (n * n - 1)) / 3;
  if (threshold > maximum) {
    return 1 - zero;
  }
  if (n <= EXACT_SPEARMAN_MAX_N) {
    const counts = exactSpearmanCounts(n);
    let total = 0;
    let atLeast = 0;
    for (let sum = 0; sum < counts.length; sum++) {
      total += counts[sum]!;
      if (sum >= threshold) {
        atLeast += counts[sum]!;
      }
    }
    return (lowerTail ? total - atLeast : atLeast) / total;
  }
  const [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12] = EDGEWORTH;
  const b = 1 / n;
  const x = ((6 * (threshold - 1) * b) / (n * n - 1) - 1) * Math.sqrt(n - 1);
  const squared = x * x;
  const correction =
    x *
    b *
    (c1 +
      b * (c2 + c3 * b) +
      squared *
        (-c4 +
          b * (c5 + c6 * b) -
          squared * b * (c7 + c8 * b - squared * (c9 - c10 * b + squared * b * (c11 - c12 * squared)))));
  const scaled = correction / Math.exp(squared / 2);
  const value = (lowerTail ? -scaled : scaled) + normalCdf(x, lowerTail ? 'lower' : 'upper');
  return Math.min(1, Math.max(0, value));
}

function hasTies(values: readonly number[]): boolean {
  return new Set(values).size < values.length;
}

/** Spearman's rank correlation with the p-value of `cor.test(method = "spearman")`. */
export function spearmanCorrelation(
  x: readonly number[],
  y: readonly number[],
  options: SpearmanOptions = {},
): SpearmanResult {
  requirePairs(x, y, 3);
  const alternative = options.alternative ?? 'two-sided';
  const exactRequested = options.exact ?? true;
  const n = x.length;
  const rho = pearsonR(averageRanks(x), averageRanks(y));
  const statistic = ((n * n * n - n) * (1 - rho)) / 6;
  const ties = hasTies(x) || hasTies(y);
  const warnings: string[] = [];
  let useSeries = exactRequested && n <= EDGEWORTH_SPEARMAN_MAX_N;
  if (ties && useSeries) {
    warnings.push('ties in the data: the exact p-value is unavailable, the t approximation was used');
    useSeries = false;
  }
  const tailProbability = (lowerTail: boolean): number => {
    if (useSeries) {
      return spearmanTail(n, Math.round(statistic) + (lowerTail ? 2 : 0), lowerTail ? 'lower' : 'upper');
    }
    const r = Math.max(-1, Math.min(1, 1 - statistic / ((n * (n * n - 1)) / 6)));
    const t = r / Math.sqrt((1 - r * r) / (n - 2));
    return tCdf(t, n - 2, lowerTail ? 'upper' : 'lower');
  };
  let p: number;
  if (alternative === 'two-sided') {
    const upperHalf = statistic > (n * n * n - n) / 6;
    p = Math.min(1, 2 * tailProbability(!upperHalf));
  } else {
    p = tailProbability(alternative === 'greater');
  }
  const pMethod: SpearmanPMethod = !useSeries ? 't-approximation' : n <= EXACT_SPEARMAN_MAX_N ? 'exact' : 'edgeworth';
  return {
    estimate: rho,
    statistic,
    p,
    pMethod,
    ties,
    alternative,
    method: 'spearman',
    n: { pairs: n },
    estimator: estimatorRecord('spearman-correlation', { alternative, exact: exactRequested, pMethod }),
    warnings,
  };
}
