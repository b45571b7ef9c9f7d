import { type LanguagePack, REQUIRED_LEXICON_CATEGORIES } from '../contracts/index.js';
import type { ValidationItem } from '../languages/index.js';
import { compileLexicon, type LexiconMatch } from './lexicon.js';

/**
 * Utterance-level validity of a pack's lexicon against its hand-labelled validation set: for each
 * category, an utterance is predicted positive when the lexicon finds at least one hit in it, and
 * precision and recall compare that with the annotator's labels. The same numbers feed the test
 * that guards every pack and the parity table the CLI prints across languages.
 */

export interface CategoryScore {
  category: string;
  /** Items the annotator labelled with the category. */
  positives: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** Null when the lexicon predicted no positive at all (precision undefined). */
  precision: number | null;
  /** Null when the set has no positive item for the category (recall undefined). */
  recall: number | null;
  f1: number | null;
  /** Wilson score 95% intervals of precision and recall (null where the rate is undefined). */
  precisionInterval: RateInterval | null;
  recallInterval: RateInterval | null;
}

export interface RateInterval {
  lower: number;
  upper: number;
}

/** Two-sided 95% normal quantile. */
const Z_95 = 1.959963984540054;

/**
 * Wilson score interval of a proportion `successes / trials` (Wilson 1927): unlike the Wald
 * interval it stays inside [0, 1] and keeps its coverage for the small counts of per-language gold
 * sets, where a 20/20 recall must not read as certain.
 */
export function wilsonInterval(successes: number, trials: number): RateInterval | null {
  if (trials <= 0) return null;
  const rate = successes / trials;
  const zz = Z_95 * Z_95;
  const denominator = 1 + zz / trials;
  const centre = (rate + zz / (2 * trials)) / denominator;
  const half = (Z_95 * Math.sqrt((rate * (1 - rate)) / trials + zz / (4 * trials * trials))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface ItemDisagreement {
  index: number;
  text: string;
  category: string;
  kind: 'false-positive' | 'false-negative';
  note: string | undefined;
  /** The hits behind a false positive (empty for a false negative). */
  matches: LexiconMatch[];
}

export interface LexiconEvaluation {
  language: string;
  lexiconVersion: string;
  items: number;
  categories: CategoryScore[];
  /** Items whose whole predicted label set equals the annotator's. */
  exactLabelSets: number;
  /** Share of (item, category) decisions that agree with the annotator. */
  labelAccuracy: number | null;
  disagreements: ItemDisagreement[];
}

type EvaluatedPack = Pick<LanguagePack, 'meta' | 'capabilities' | 'lexicon'>;

export function evaluateLexicon(pack: EvaluatedPack, items: readonly ValidationItem[]): LexiconEvaluation {
  const lexicon = compileLexicon(pack);
  const categories = [...new Set<string>([...REQUIRED_LEXICON_CATEGORIES, ...Object.keys(pack.lexicon.categories)])];
  const tallies = new Map(
    categories.map((category) => [
      category,
      { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 },
    ]),
  );
  const disagreements: ItemDisagreement[] = [];
  let exactLabelSets = 0;

  items.forEach((item, index) => {
    const matches = lexicon.match(item.text);
    let exact = true;
    for (const category of categories) {
      const tally = tallies.get(category)!;
      const hits = matches.filter((match) => match.category === category);
      const predicted = hits.length > 0;
      const labelled = item.labels.includes(category);
      if (predicted && labelled) tally.truePositives += 1;
      else if (predicted) tally.falsePositives += 1;
      else if (labelled) tally.falseNegatives += 1;
      else tally.trueNegatives += 1;
      if (predicted !== labelled) {
        exact = false;
        disagreements.push({
          index,
          text: item.text,
          category,
          kind: predicted ? 'false-positive' : 'false-negative',
          note: item.note,
          matches: hits,
        });
      }
    }
    if (exact) exactLabelSets += 1;
  });

  const decisions = items.length * categories.length;
  return {
    language: pack.meta.tag,
    lexiconVersion: pack.lexicon.version,
    items: items.length,
    exactLabelSets,
    labelAccuracy: decisions > 0 ? (decisions - disagreements.length) / decisions : null,
    categories: categories.map((category) => categoryScore(category, tallies.get(category)!)),
    disagreements,
  };
}

/** Precision, recall and F1 with Wilson intervals from one category's confusion counts. */
export function categoryScore(
  category: string,
  tally: { truePositives: number; falsePositives: number; falseNegatives: number; trueNegatives: number },
): CategoryScore {
  const predictedPositives = tally.truePositives + tally.falsePositives;
  const positives = tally.truePositives + tally.falseNegatives;
  const precision = predictedPositives === 0 ? null : tally.truePositives / predictedPositives;
  const recall = positives === 0 ? null : tally.truePositives / positives;
  const f1 =
    precision === null || recall === null || precision + recall === 0
      ? null
      : (2 * precision * recall) / (precision + recall);
  return {
    category,
    positives,
    truePositives: tally.truePositives,
    falsePositives: tally.falsePositives,
    falseNegatives: tally.falseNegatives,
    trueNegatives: tally.trueNegatives,
    precision,
    recall,
    f1,
    precisionInterval: wilsonInterval(tally.truePositives, predictedPositives),
    recallInterval: wilsonInterval(tally.truePositives, positives),
  };
}

/** A fixed-width table of precision / recall per language and category (for the CLI and tests). */
export function formatEvaluationTable(evaluations: readonly LexiconEvaluation[]): string {
  const header = ['language', 'category', 'n', 'pos', 'precision', 'recall', 'f1'];
  const rows = evaluations.flatMap((evaluation) =>
    evaluation.categories.map((score) => [
      evaluation.language,
      score.category,
      String(evaluation.items),
      String(score.positives),
      formatRate(score.precision),
      formatRate(score.recall),
      formatRate(score.f1),
    ]),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function formatRate(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}
