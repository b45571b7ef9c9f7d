import type { Family } from './glm-family.js';
import type { DevianceTerm } from './lmm-deviance.js';

/**
 * Rows that agree on everything but the response (the same fixed-effects row, offset, grouping
 * levels and random-effects design) share one linear predictor, so they can be fitted as one row:
 * binomial successes and trials add up, Poisson counts become a mean with the number of rows as
 * prior weight. The PIRLS system, its weights and the conditional modes are unchanged, and the
 * objective changes by a constant in (θ, β) (the binomial coefficients and saturated terms), which
 * is computed here once so that logLik stays the original data's. With discrete designs (doses,
 * conditions, languages: the project's agent-level data) this divides the work of every evaluation
 * by the number of rows per pattern.
 */
export interface AggregatedRows {
  n: number;
  x: Float64Array;
  y: Float64Array;
  trials: Float64Array;
  offset: Float64Array;
  terms: DevianceTerm[];
  constants: { laplace: number; quadrature: number };
}

export function aggregateIdenticalRows(
  family: Family,
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  trials: Float64Array,
  offset: Float64Array,
  terms: readonly DevianceTerm[],
): AggregatedRows {
  const groupOf = new Int32Array(n);
  const keys = new Map<string, number>();
  const firstRow: number[] = [];
  for (let row = 0; row < n; row += 1) {
    const parts: number[] = [offset[row]!];
    for (let column = 0; column < p; column += 1) parts.push(x[row * p + column]!);
    for (const term of terms) {
      parts.push(term.levelOfRow[row]!);
      for (let column = 0; column < term.columns; column += 1) parts.push(term.design[row * term.columns + column]!);
    }
    const key = parts.join(',');
    let group = keys.get(key);
    if (group === undefined) {
      group = firstRow.length;
      keys.set(key, group);
      firstRow.push(row);
    }
    groupOf[row] = group;
  }
  const m = firstRow.length;
  const aggregatedTrials = new Float64Array(m);
  const total = new Float64Array(m);
  for (let row = 0; row < n; row += 1) {
    aggregatedTrials[groupOf[row]!]! += trials[row]!;
    total[groupOf[row]!]! += trials[row]! * y[row]!;
  }
  const aggregatedY = total.map((sum, group) => (aggregatedTrials[group]! > 0 ? sum / aggregatedTrials[group]! : 0));
  // The constants: -2 log p and the deviance residuals of the original rows minus those of the
  // aggregated rows, at any mean (the difference does not depend on it); 0.5 for binomial, 1 for Poisson.
  const reference = family.name === 'binomial' ? 0.5 : 1;
  let laplace = 0;
  let quadrature = 0;
  for (let row = 0; row < n; row += 1) {
    const residual = family.devianceResidual(y[row]!, reference, trials[row]!);
    laplace += family.minusTwoLogLikelihood(y[row]!, reference, trials[row]!);
    quadrature += residual;
  }
  for (let group = 0; group < m; group += 1) {
    const residual = family.devianceResidual(aggregatedY[group]!, reference, aggregatedTrials[group]!);
    laplace -= residual;
    quadrature -= residual;
  }
  const aggregatedX = new Float64Array(m * p);
  const aggregatedOffset = new Float64Array(m);
  firstRow.forEach((row, group) => {
    for (let column = 0; column < p; column += 1) aggregatedX[group * p + column] = x[row * p + column]!;
    aggregatedOffset[group] = offset[row]!;
  });
  const aggregatedTerms = terms.map((term) => {
    const levelOfRow = new Int32Array(m);
    const design = new Float64Array(m * term.columns);
    firstRow.forEach((row, group) => {
      levelOfRow[group] = term.levelOfRow[row]!;
      for (let column = 0; column < term.columns; column += 1) {
        design[group * term.columns + column] = term.design[row * term.columns + column]!;
      }
    });
    return { columns: term.columns, levels: term.levels, levelOfRow, design };
  });
  return {
    n: m,
    x: aggregatedX,
    y: aggregatedY,
    trials: aggregatedTrials,
    offset: aggregatedOffset,
    terms: aggregatedTerms,
    constants: { laplace, quadrature },
  };
}
