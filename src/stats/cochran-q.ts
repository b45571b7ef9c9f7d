import { chiSquareCdf } from './distributions.js';

/** Cochran's Q test of equal proportions across matched groups of binary outcomes. */
export interface CochranQResult {
  method: 'cochran-q';
  /** Blocks (rows): the matched units, e.g. one meaning written in every language. */
  blocks: number;
  /** Groups (columns): e.g. the languages. */
  groups: number;
  /** Blocks whose outcomes differ between groups; constant blocks carry no information on Q. */
  informativeBlocks: number;
  /** Q; NaN when every block is constant (all detected or none), as R's friedman.test gives. */
  statistic: number;
  degreesOfFreedom: number;
  /** Upper tail of the chi-square distribution with groups - 1 degrees of freedom. */
  pValue: number;
}

/**
 * Cochran's Q for a blocks x groups table of 0/1 outcomes (Cochran 1950): whether the proportion of
 * successes is the same in every group when the same blocks are observed in each. For a parallel
 * gold set it asks whether the lexicon detects the same meanings equally often in every language,
 * allowing for meanings that are harder than others. On 0/1 data it equals the Friedman rank-sum
 * statistic with its tie correction, which is how R computes it (stats::friedman.test;
 * scripts/reference/cochran.R).
 *
 * Q = (k - 1) (k sum C_j^2 - N^2) / (k N - sum R_i^2), with column totals C_j, row totals R_i and
 * grand total N, referred to chi-square with k - 1 degrees of freedom.
 */
export function cochranQ(rows: readonly (readonly (boolean | 0 | 1)[])[]): CochranQResult {
  const groups = rows[0]?.length ?? 0;
  if (rows.length === 0 || groups < 2) {
    throw new RangeError('cochranQ needs at least one block and at least two groups');
  }
  const columnTotals = new Array<number>(groups).fill(0);
  let sumOfSquaredRowTotals = 0;
  let grandTotal = 0;
  let informativeBlocks = 0;
  rows.forEach((row, index) => {
    if (row.length !== groups) {
      throw new RangeError(`cochranQ: block ${index} has ${row.length} outcomes, the first has ${groups}`);
    }
    let rowTotal = 0;
    row.forEach((outcome, group) => {
      const success = outcome === true || outcome === 1 ? 1 : 0;
      columnTotals[group]! += success;
      rowTotal += success;
    });
    if (rowTotal > 0 && rowTotal < groups) informativeBlocks += 1;
    sumOfSquaredRowTotals += rowTotal * rowTotal;
    grandTotal += rowTotal;
  });
  const sumOfSquaredColumnTotals = columnTotals.reduce((sum, total) => sum + total * total, 0);
  const denominator = groups * grandTotal - sumOfSquaredRowTotals;
  const statistic =
    denominator === 0
      ? Number.NaN
      : ((groups - 1) * (groups * sumOfSquaredColumnTotals - grandTotal * grandTotal)) / denominator;
  const degreesOfFreedom = groups - 1;
  return {
    method: 'cochran-q',
    blocks: rows.length,
    groups,
    informativeBlocks,
    statistic,
    degreesOfFreedom,
    pValue: Number.isNaN(statistic) ? Number.NaN : chiSquareCdf(statistic, degreesOfFreedom, 'upper'),
  };
}
