import type { EqualRecall } from '../contracts/index.js';
import { cochranQ } from './cochran-q.js';
import { createXoshiro128, RANDOM_ALGORITHM } from './random.js';

/**
 * Is a spread of recall across languages on a parallel set more than sampling noise? For one
 * category: a table of the meanings labelled with it (rows) by the languages (columns), detected or
 * not. The spread (highest minus lowest per-language recall) grows with the number of languages and
 * shrinks only slowly with the number of meanings, so even an instrument whose detection of each
 * meaning does not depend on the language shows one. Two answers:
 *   - Cochran's Q test of equal recall across languages, with the meanings as blocks (so that hard
 *     meanings do not count as a language difference);
 *   - a permutation test of the spread itself: if the language does not matter, a meaning's outcomes
 *     are exchangeable across languages, so they are shuffled within each meaning (seeded
 *     xoshiro128**) and the observed spread is compared with the spreads so obtained. Their median
 *     and 95th percentile are the spreads a perfectly invariant instrument would show with these
 *     meanings: what a tolerance on the spread should be read against.
 */
export interface RecallInvarianceResult {
  method: 'recall-invariance';
  meanings: number;
  languages: number;
  /** Highest minus lowest recall across the languages (columns). */
  spread: number;
  /** Cochran's Q; null statistic and p when every meaning is detected in all languages or in none. */
  cochranQ: { statistic: number | null; degreesOfFreedom: number; pValue: number | null };
  spreadUnderInvariance: {
    permutations: number;
    seed: number;
    algorithm: typeof RANDOM_ALGORITHM;
    median: number;
    quantile95: number;
    /** (b + 1) / (m + 1): the share of shuffled spreads at least as large as the observed one. */
    pValue: number;
  };
}

export interface RecallInvarianceOptions {
  permutations?: number;
  seed?: number;
}

export const RECALL_INVARIANCE_SEED = 20261208;

/** `rows[meaning][language]`: detected or not; every row has one outcome per language. */
export function recallInvariance(
  rows: readonly (readonly boolean[])[],
  options: RecallInvarianceOptions = {},
): RecallInvarianceResult {
  const { permutations = 20_000, seed = RECALL_INVARIANCE_SEED } = options;
  const languages = rows[0]?.length ?? 0;
  if (rows.length === 0 || languages < 2) {
    throw new RangeError('recallInvariance needs at least one meaning and at least two languages');
  }
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new RangeError(`recallInvariance: permutations must be a positive integer, got ${permutations}`);
  }
  const q = cochranQ(rows);
  const observed = spreadOf(rows, languages);
  const random = createXoshiro128(seed);
  const shuffled = rows.map((row) => [...row]);
  const spreads = new Float64Array(permutations);
  let atLeastObserved = 0;
  for (let permutation = 0; permutation < permutations; permutation += 1) {
    for (const row of shuffled) {
      for (let index = row.length - 1; index > 0; index -= 1) {
        const other = random.nextInt(index + 1);
        const held = row[index]!;
        row[index] = row[other]!;
        row[other] = held;
      }
    }
    const spread = spreadOf(shuffled, languages);
    spreads[permutation] = spread;
    // Spreads are multiples of 1 / meanings: compare with a tolerance far below that step.
    if (spread >= observed - 1e-9) atLeastObserved += 1;
  }
  spreads.sort();
  return {
    method: 'recall-invariance',
    meanings: rows.length,
    languages,
    spread: observed,
    cochranQ: {
      statistic: Number.isNaN(q.statistic) ? null : q.statistic,
      degreesOfFreedom: q.degreesOfFreedom,
      pValue: Number.isNaN(q.pValue) ? null : q.pValue,
    },
    spreadUnderInvariance: {
      permutations,
      seed,
      algorithm: RANDOM_ALGORITHM,
      median: spreads[Math.floor(permutations / 2)]!,
      quantile95: spreads[Math.min(permutations - 1, Math.floor(permutations * 0.95))]!,
      pValue: (atLeastObserved + 1) / (permutations + 1),
    },
  };
}

/** Highest minus lowest column share of detections. */
function spreadOf(rows: readonly (readonly boolean[])[], languages: number): number {
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (let column = 0; column < languages; column += 1) {
    let detected = 0;
    for (const row of rows) if (row[column]) detected += 1;
    lowest = Math.min(lowest, detected);
    highest = Math.max(highest, detected);
  }
  return (highest - lowest) / rows.length;
}

/** The stored form of a result (results.json, held-out figures): the test's figures without the spread itself. */
export function equalRecallFigures(result: RecallInvarianceResult): EqualRecall {
  const { permutations, seed, median, quantile95, pValue } = result.spreadUnderInvariance;
  return {
    meanings: result.meanings,
    languages: result.languages,
    cochranQ: result.cochranQ,
    spreadUnderInvariance: { permutations, seed, median, quantile95, pValue },
  };
}
