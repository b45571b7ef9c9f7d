import type { HeldOutFigures } from '../../src/languages/index.js';
import { equalRecallOf } from '../../src/runner/measurement.js';

/**
 * The figures with, per category, the test of equal recall across all the languages scored
 * (`equalRecallOf`, the same test results.json makes for a study's languages, here with the default
 * 20,000 permutations): Cochran's Q, and the spread a perfectly invariant instrument would show with
 * the same meanings. Seeded, so `--check` recomputes the same figures. A category whose parallel
 * items give no table (no labelled meaning, or figures without per-meaning outcomes) keeps its row
 * as it was.
 */
export function withEqualRecall(figures: HeldOutFigures): HeldOutFigures {
  return {
    ...figures,
    invariance: figures.invariance.map((row) => {
      if (figures.languages.length < 2) return row;
      const equalRecall = equalRecallOf(figures.languages, row.category);
      return equalRecall === null ? row : { ...row, equalRecall };
    }),
  };
}
