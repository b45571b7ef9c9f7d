import { type HeldOutFigures, parallelDetectionTable } from '../../src/languages/index.js';
import { equalRecallFigures, recallInvariance } from '../../src/stats/index.js';

/**
 * The figures with, per category, the test of equal recall across all the languages scored
 * (src/stats/recall-invariance.ts: Cochran's Q, and the spread a perfectly invariant instrument would
 * show with the same meanings). Seeded, so `--check` recomputes the same figures. A category whose
 * parallel items give no table (no labelled meaning, or figures without per-meaning outcomes) keeps
 * its row as it was.
 */
export function withEqualRecall(figures: HeldOutFigures): HeldOutFigures {
  return {
    ...figures,
    invariance: figures.invariance.map((row) => {
      const table = parallelDetectionTable(figures.languages, row.category);
      if (table === null || table.length === 0 || figures.languages.length < 2) return row;
      return { ...row, equalRecall: equalRecallFigures(recallInvariance(table)) };
    }),
  };
}
