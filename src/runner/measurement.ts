import {
  type EqualRecall,
  type LanguagePack,
  type Measurement,
  type MeasurementWarning,
  REQUIRED_LEXICON_CATEGORIES,
  type Study,
} from '../contracts/index.js';
import {
  type HeldOutFigures,
  type HeldOutLanguage,
  heldOutFor,
  loadHeldOutFigures,
  parallelDetectionTable,
  recallSpread,
} from '../languages/index.js';
import { INDEX_DEFINITIONS } from '../metrics/index.js';
import { equalRecallFigures, type RecallInvarianceOptions, recallInvariance } from '../stats/index.js';

/**
 * The measurement section of results.json: how well the instrument measures in each of the study's
 * languages (held-out figures of the locked gold test parts, gold/README.md), whether it measures
 * them alike (parallel-set recall: the same meanings in every language), and a warning wherever a
 * hypothesis compares languages on an index whose categories the instrument detects unequally: a
 * language-dependent instrument can manufacture exactly the language-dependent effect a study looks for.
 */

/** Largest difference in parallel-set recall between compared languages that passes without a warning. */
export const INVARIANCE_TOLERANCE = 0.15;

/**
 * Shuffles behind the spread a perfectly invariant instrument would show (per category and study):
 * enough for its median and 95th percentile to two decimals, few enough to cost milliseconds.
 */
const EQUAL_RECALL_PERMUTATIONS = 5_000;

export function measurementSection(
  study: Study,
  packs: ReadonlyMap<string, LanguagePack>,
  figures: HeldOutFigures | null = loadHeldOutFigures(),
): Measurement {
  const currentFigures: HeldOutLanguage[] = [];
  const languages = study.languages.map((language) => {
    const pack = packs.get(language) as LanguagePack;
    const status = heldOutFor(pack, figures);
    if (status.status === 'current') currentFigures.push(status.figures);
    if (status.status !== 'current') {
      return {
        language,
        lexiconVersion: pack.lexicon.version,
        status: status.status,
        heldOut: null,
        parallelRecall: null,
      };
    }
    return {
      language,
      lexiconVersion: pack.lexicon.version,
      status: 'current' as const,
      heldOut: Object.fromEntries(
        status.figures.categories.map((row) => [row.category, { precision: row.precision, recall: row.recall }]),
      ),
      parallelRecall: Object.fromEntries(status.figures.parallel.recall.map((row) => [row.category, row.recall])),
    };
  });

  // Equal recall is tested only when every language compared has current figures: a test over some
  // of them would answer another question than the one the study asks.
  const allCurrent = currentFigures.length === languages.length && languages.length >= 2;
  const invariance = REQUIRED_LEXICON_CATEGORIES.map((category) => ({
    category,
    ...recallSpread(
      languages.map((entry) => ({ language: entry.language, recall: entry.parallelRecall?.[category] ?? null })),
    ),
    equalRecall: allCurrent
      ? equalRecallOf(currentFigures, category, { permutations: EQUAL_RECALL_PERMUTATIONS })
      : null,
  }));

  const warnings: MeasurementWarning[] = [];
  for (const entry of languages) {
    if (entry.status !== 'current') {
      warnings.push({
        hypothesis: null,
        metric: null,
        category: null,
        message:
          entry.status === 'stale'
            ? `the ${entry.language} lexicon (${entry.lexiconVersion}) differs from the one the held-out figures were computed with: its validity on new text is unmeasured`
            : `the ${entry.language} lexicon has no held-out validation figures: its validity on new text is unmeasured`,
      });
    }
  }
  if (study.languages.length >= 2) {
    for (const hypothesis of study.analysis.hypotheses) {
      const categories = INDEX_DEFINITIONS[hypothesis.metric].lexiconCategories;
      for (const category of categories) {
        const row = invariance.find((candidate) => candidate.category === category);
        if (row?.spread === null || row === undefined || row.lowest === null || row.highest === null) continue;
        if (row.spread > INVARIANCE_TOLERANCE) {
          warnings.push({
            hypothesis: hypothesis.id,
            metric: hypothesis.metric,
            category,
            message: `${hypothesis.id} compares languages on ${hypothesis.metric}, but the instrument's recall of ${category} differs by ${row.spread.toFixed(2)} between them (${row.lowest.language} ${row.lowest.recall.toFixed(2)}, ${row.highest.language} ${row.highest.recall.toFixed(2)}; tolerance ${INVARIANCE_TOLERANCE}): part of a language difference may be the instrument's${equalRecallNote(row.equalRecall)}`,
          });
        }
      }
    }
  }

  return {
    goldLock: figures?.goldLock ?? null,
    scoredAt: figures?.scoredAt ?? null,
    tolerance: INVARIANCE_TOLERANCE,
    languages,
    invariance,
    warnings,
  };
}

/**
 * The test of equal recall over the languages' parallel-set outcomes (at least two languages); null
 * without a table. Also what the gold scripts store with held-out and probe figures.
 */
export function equalRecallOf(
  languages: readonly HeldOutLanguage[],
  category: string,
  options: RecallInvarianceOptions = {},
): EqualRecall | null {
  const table = parallelDetectionTable(languages, category);
  if (table === null || table.length === 0) return null;
  return equalRecallFigures(recallInvariance(table, options));
}

/** How a spread warning reads the test of equal recall, when there is one. */
function equalRecallNote(test: EqualRecall | null | undefined): string {
  if (test === null || test === undefined) return '';
  const q = test.cochranQ.pValue === null ? 'n/a' : test.cochranQ.pValue.toFixed(3);
  return ` (equal recall across these languages: Cochran's Q p = ${q} over ${test.meanings} meanings; a perfectly invariant instrument would show a spread of ${test.spreadUnderInvariance.median.toFixed(2)} in the median, ${test.spreadUnderInvariance.quantile95.toFixed(2)} at the 95th percentile)`;
}
