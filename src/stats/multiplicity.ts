import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import { estimatorRecord } from './descriptives.js';

/**
 * Multiplicity corrections, numerically as R's `p.adjust`:
 *  - `holm`: step-down family-wise error control (Holm 1979), valid under any dependence;
 *  - `bh`: Benjamini–Hochberg step-up false discovery rate (1995), valid under independence or
 *    positive dependence;
 *  - `bonferroni`: min(1, m p).
 * Adjusted values come back in the input order. NaN is refused rather than skipped: a missing
 * p-value silently shrinking m would make every other adjustment too lenient.
 */

export type MultiplicityMethod = 'holm' | 'bh' | 'bonferroni';

export interface AdjustedPValues {
  adjusted: number[];
  method: MultiplicityMethod;
  /** The size of the family, m. */
  m: number;
  estimator: EstimatorRecord;
  warnings: string[];
}

function requirePValues(pValues: readonly number[]): void {
  const badIndex = pValues.findIndex((p) => !(p >= 0 && p <= 1));
  if (badIndex >= 0) {
    throw new StatisticsError(`p-value ${badIndex} is ${String(pValues[badIndex])}; p-values lie in [0, 1]`);
  }
}

/** Indices of `values` sorted ascending; ties keep input order. */
function ascendingOrder(values: readonly number[]): number[] {
  return values.map((_, index) => index).sort((left, right) => values[left]! - values[right]! || left - right);
}

function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let runningMaximum = 0;
  order.forEach((index, rank) => {
    runningMaximum = Math.max(runningMaximum, (m - rank) * pValues[index]!);
    adjusted[index] = Math.min(1, runningMaximum);
  });
  return adjusted;
}

function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let runningMinimum = Number.POSITIVE_INFINITY;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank]!;
    runningMinimum = Math.min(runningMinimum, (m / (rank + 1)) * pValues[index]!);
    adjusted[index] = Math.min(1, runningMinimum);
  }
  return adjusted;
}

/** Adjusted p-values for a family of tests, in input order. */
export function adjustPValues(pValues: readonly number[], method: MultiplicityMethod): AdjustedPValues {
  requirePValues(pValues);
  const m = pValues.length;
  const adjusted =
    method === 'holm'
      ? holm(pValues)
      : method === 'bh'
        ? benjaminiHochberg(pValues)
        : pValues.map((p) => Math.min(1, m * p));
  return {
    adjusted,
    method,
    m,
    estimator: estimatorRecord(`p-adjust-${method}`, { method, m }),
    warnings: m === 0 ? ['an empty family: nothing to adjust'] : [],
  };
}
