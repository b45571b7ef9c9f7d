import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import { estimatorRecord, requireFiniteSample } from './descriptives.js';
import { logGamma } from './distributions.js';
import { createXoshiro128, RANDOM_ALGORITHM } from './random.js';
import type { Alternative } from './t-test.js';

/**
 * Two-sample permutation test of a mean difference (or any statistic of the two groups).
 *
 * Under H0 the group labels are exchangeable. When the number of distinct relabellings
 * C(n1 + n2, n1) is at most `maxExactPermutations`, every one is enumerated and
 * p = #{T* at least as extreme as T} / C(n1 + n2, n1), the observed split included (exact).
 * Otherwise `resamples` random relabellings are drawn with the seeded xoshiro128** generator and
 * p = (b + 1) / (m + 1) (Phipson & Smyth 2010), which never reports an impossible p = 0.
 *
 * "At least as extreme" is judged with a tolerance of sqrt(machine epsilon) * max(1, |T|), as the
 * R package coin does, so that splits with the same statistic up to rounding count as ties.
 * Two-sided compares |T*| with |T|: meant for statistics centred on 0 under H0, like a difference.
 */

export interface PermutationStatistic {
  /** Recorded in the estimator (the function itself cannot be). */
  name: string;
  compute(x: readonly number[], y: readonly number[]): number;
}

export interface PermutationOptions {
  alternative?: Alternative;
  /** Default: mean(x) - mean(y). */
  statistic?: PermutationStatistic;
  /** Random relabellings when enumeration is too large (default 9999). */
  resamples?: number;
  /** Enumerate exactly when C(n1 + n2, n1) is at most this (default 100000). */
  maxExactPermutations?: number;
  /** Seed of the generator for the Monte Carlo case (default 1; recorded in the result). */
  seed?: number;
}

export interface PermutationResult {
  /** The statistic on the observed grouping. */
  statistic: number;
  statisticName: string;
  p: number;
  method: 'exact' | 'monte-carlo';
  /** Relabellings evaluated: all C(n1 + n2, n1) (exact) or the random draws (Monte Carlo). */
  permutations: number;
  /** How many of them were at least as extreme as the observed statistic. */
  atLeastAsExtreme: number;
  /** Monte Carlo standard error of p (0 for the exact test). */
  monteCarloStandardError: number;
  alternative: Alternative;
  /** The generator seed (null for the exact test, which uses no randomness). */
  seed: number | null;
  n: Record<string, number>;
  estimator: EstimatorRecord;
  warnings: string[];
}

export const MEAN_DIFFERENCE: PermutationStatistic = {
  name: 'mean-difference',
  compute(x, y) {
    return sumOf(x) / x.length - sumOf(y) / y.length;
  },
};

function sumOf(values: readonly number[]): number {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return total;
}

/** C(n, k) as a double (exact while it stays below 2^53). */
function binomialCoefficient(n: number, k: number): number {
  return Math.round(Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)));
}

function exceeds(candidate: number, observed: number, alternative: Alternative, slack: number): boolean {
  switch (alternative) {
    case 'greater':
      return candidate >= observed - slack;
    case 'less':
      return candidate <= observed + slack;
    case 'two-sided':
      return Math.abs(candidate) >= Math.abs(observed) - slack;
  }
}

/** Calls `visit` with the index set of every k-subset of 0..n-1, in lexicographic order. */
function forEachCombination(n: number, k: number, visit: (indices: Int32Array) => void): void {
  const indices = Int32Array.from({ length: k }, (_, position) => position);
  for (;;) {
    visit(indices);
    let position = k - 1;
    while (position >= 0 && indices[position] === n - k + position) {
      position--;
    }
    if (position < 0) {
      return;
    }
    indices[position]!++;
    for (let next = position + 1; next < k; next++) {
      indices[next] = indices[next - 1]! + 1;
    }
  }
}

export function permutationTest(
  x: readonly number[],
  y: readonly number[],
  options: PermutationOptions = {},
): PermutationResult {
  requireFiniteSample(x, 'x', 1);
  requireFiniteSample(y, 'y', 1);
  const alternative = options.alternative ?? 'two-sided';
  const statistic = options.statistic ?? MEAN_DIFFERENCE;
  const resamples = options.resamples ?? 9999;
  const maxExact = options.maxExactPermutations ?? 100000;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new StatisticsError(`resamples is ${resamples}; it must be a positive integer`);
  }
  const pooled = [...x, ...y];
  const total = pooled.length;
  const groupSize = x.length;
  const isMeanDifference = statistic === MEAN_DIFFERENCE;
  const pooledSum = sumOf(pooled);
  // The mean difference of a relabelling follows from the sum of the first group alone.
  const fromFirstGroupSum = (firstSum: number): number =>
    firstSum / groupSize - (pooledSum - firstSum) / (total - groupSize);
  const observed = isMeanDifference ? fromFirstGroupSum(sumOf(x)) : statistic.compute(x, y);
  if (!Number.isFinite(observed)) {
    throw new StatisticsError(`the statistic ${statistic.name} is ${observed} on the observed data`);
  }
  const slack = Math.sqrt(Number.EPSILON) * Math.max(1, Math.abs(observed));
  const warnings: string[] = [];
  const splits = binomialCoefficient(total, groupSize);
  const n = { x: x.length, y: y.length };

  if (splits <= maxExact) {
    let count = 0;
    const first = new Array<number>(groupSize);
    const second = new Array<number>(total - groupSize);
    const inFirst = new Uint8Array(total);
    forEachCombination(total, groupSize, (indices) => {
      let value: number;
      if (isMeanDifference) {
        let firstSum = 0;
        for (const index of indices) {
          firstSum += pooled[index]!;
        }
        value = fromFirstGroupSum(firstSum);
      } else {
        inFirst.fill(0);
        indices.forEach((index, position) => {
          inFirst[index] = 1;
          first[position] = pooled[index]!;
        });
        let secondPosition = 0;
        for (let index = 0; index < total; index++) {
          if (inFirst[index] === 0) {
            second[secondPosition++] = pooled[index]!;
          }
        }
        value = statistic.compute(first, second);
      }
      if (exceeds(value, observed, alternative, slack)) {
        count++;
      }
    });
    return {
      statistic: observed,
      statisticName: statistic.name,
      p: count / splits,
      method: 'exact',
      permutations: splits,
      atLeastAsExtreme: count,
      monteCarloStandardError: 0,
      alternative,
      seed: null,
      n,
      estimator: estimatorRecord('permutation-test', {
        statistic: statistic.name,
        alternative,
        method: 'exact',
        permutations: splits,
      }),
      warnings,
    };
  }

  const random = createXoshiro128(seed);
  const shuffled = [...pooled];
  const first = new Array<number>(groupSize);
  const second = new Array<number>(total - groupSize);
  let count = 0;
  for (let draw = 0; draw < resamples; draw++) {
    // A partial Fisher–Yates shuffle: the first `groupSize` slots become a uniform random subset.
    for (let index = 0; index < groupSize; index++) {
      const other = index + random.nextInt(total - index);
      const held = shuffled[index]!;
      shuffled[index] = shuffled[other]!;
      shuffled[other] = held;
    }
    let value: number;
    if (isMeanDifference) {
      let firstSum = 0;
      for (let index = 0; index < groupSize; index++) {
        firstSum += shuffled[index]!;
      }
      value = fromFirstGroupSum(firstSum);
    } else {
      for (let index = 0; index < total; index++) {
        if (index < groupSize) {
          first[index] = shuffled[index]!;
        } else {
          second[index - groupSize] = shuffled[index]!;
        }
      }
      value = statistic.compute(first, second);
    }
    if (exceeds(value, observed, alternative, slack)) {
      count++;
    }
  }
  const p = (count + 1) / (resamples + 1);
  if (resamples < 999) {
    warnings.push(`only ${resamples} random relabellings: p cannot fall below ${(1 / (resamples + 1)).toPrecision(2)}`);
  }
  return {
    statistic: observed,
    statisticName: statistic.name,
    p,
    method: 'monte-carlo',
    permutations: resamples,
    atLeastAsExtreme: count,
    monteCarloStandardError: Math.sqrt((p * (1 - p)) / resamples),
    alternative,
    seed,
    n,
    estimator: estimatorRecord('permutation-test', {
      statistic: statistic.name,
      alternative,
      method: 'monte-carlo',
      resamples,
      seed,
      generator: RANDOM_ALGORITHM,
    }),
    warnings,
  };
}
