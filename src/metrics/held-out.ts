import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REQUIRED_LEXICON_CATEGORIES, UserInputError } from '../contracts/index.js';
import {
  type HeldOutCategory,
  type HeldOutFigures,
  type HeldOutLanguage,
  lexiconHash,
  loadLanguagePack,
  recallSpread,
} from '../languages/index.js';
import { categoryScore, evaluateLexicon } from './validation.js';

/**
 * Scoring of the locked gold test parts (gold/README.md): the out-of-sample validation of the
 * lexicons. The gold sets were written from docs/codebook.md by annotators who had not seen the
 * lexicons; the test parts were hashed in gold/LOCK.json before any lexicon was tuned on the dev parts.
 */

export const GoldItemSchema = z
  .object({
    id: z.string().min(1),
    text: z.string().min(1),
    labels: z.array(z.enum(REQUIRED_LEXICON_CATEGORIES)),
    case: z.string().min(1),
    parallelId: z.string().min(1).optional(),
  })
  .strict();
export type GoldItem = z.infer<typeof GoldItemSchema>;

export const GoldLockSchema = z
  .object({
    format: z.literal('backfire-gold-lock/1'),
    lockedAt: z.string(),
    codebookVersion: z.string(),
    splitRule: z.string(),
    counts: z.record(z.string(), z.object({ dev: z.number(), test: z.number(), parallel: z.number() })),
    files: z.record(z.string(), z.string()),
    hash: z.string(),
  })
  .strict();
export type GoldLock = z.infer<typeof GoldLockSchema>;

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/** Reads gold/LOCK.json and checks every locked file against its hash; any difference is refused. */
export function verifyGoldLock(goldDirectory: string): GoldLock {
  const lockFile = join(goldDirectory, 'LOCK.json');
  if (!existsSync(lockFile)) {
    throw new UserInputError('no gold lock', { file: lockFile, fix: 'run scripts/gold/split.ts once' });
  }
  const lock = GoldLockSchema.parse(JSON.parse(readFileSync(lockFile, 'utf8')));
  const expected = sha256(JSON.stringify(Object.entries(lock.files).sort()));
  if (expected !== lock.hash) {
    throw new UserInputError('the lock hash does not match its file list', {
      file: lockFile,
      fix: 'restore gold/LOCK.json from git',
    });
  }
  for (const [path, hash] of Object.entries(lock.files)) {
    const file = join(goldDirectory, path);
    if (!existsSync(file) || sha256(readFileSync(file)) !== hash) {
      throw new UserInputError('a locked gold file is missing or changed since it was locked', {
        file,
        fix: 'restore it from git: a locked test part is never edited',
      });
    }
  }
  return lock;
}

/**
 * A probe's identity (gold/README.md, "Probes"): the SHA-256 of its item files, each preceded by its
 * tag, in the order given. Stored as `goldLock` in the probe's results, so an item edited after the
 * one scoring no longer matches the figures that name it.
 */
export function probeItemsHash(folder: string, tags: readonly string[]): string {
  const hash = createHash('sha256');
  for (const tag of tags) hash.update(`${tag}\n`).update(readFileSync(join(folder, `${tag}.jsonl`)));
  return hash.digest('hex');
}

export function readGoldItems(file: string): GoldItem[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => GoldItemSchema.parse(JSON.parse(line)));
}

/** Each category's confusion counts summed over languages, scored as one set. */
function pooled(categoryLists: readonly HeldOutCategory[][]): HeldOutCategory[] {
  return REQUIRED_LEXICON_CATEGORIES.map((category) => {
    const rows = categoryLists.flatMap((list) => list.filter((row) => row.category === category));
    const total = (key: 'truePositives' | 'falsePositives' | 'falseNegatives' | 'trueNegatives') =>
      rows.reduce((sum, row) => sum + row[key], 0);
    return categoryScore(category, {
      truePositives: total('truePositives'),
      falsePositives: total('falsePositives'),
      falseNegatives: total('falseNegatives'),
      trueNegatives: total('trueNegatives'),
    });
  });
}

/** One language's items scored with its installed pack; the items carrying a `parallelId` also alone. */
export function scoreLanguageItems(tag: string, items: readonly GoldItem[]): HeldOutLanguage {
  const pack = loadLanguagePack(tag);
  const asValidation = (list: readonly GoldItem[]) =>
    list.map((item) => ({ text: item.text, labels: [...item.labels], note: item.case }));
  const evaluation = evaluateLexicon(pack, asValidation(items));
  const parallelItems = items.filter((item) => item.parallelId !== undefined);
  const parallel = evaluateLexicon(pack, asValidation(parallelItems));
  // Per category, each labelled meaning's outcome: detected unless it is one of the false negatives.
  const detectionsOf = (category: string): Record<string, boolean> => {
    const missed = new Set(
      parallel.disagreements
        .filter((disagreement) => disagreement.category === category && disagreement.kind === 'false-negative')
        .map((disagreement) => disagreement.index),
    );
    return Object.fromEntries(
      parallelItems.flatMap((item, index) =>
        (item.labels as readonly string[]).includes(category) ? [[item.parallelId!, !missed.has(index)]] : [],
      ),
    );
  };
  return {
    language: tag,
    lexiconVersion: pack.lexicon.version,
    lexiconHash: lexiconHash(pack),
    items: evaluation.items,
    exactLabelSets: evaluation.exactLabelSets,
    exactLabelSetShare: evaluation.items > 0 ? evaluation.exactLabelSets / evaluation.items : null,
    labelAccuracy: evaluation.labelAccuracy,
    categories: evaluation.categories.filter((row) =>
      (REQUIRED_LEXICON_CATEGORIES as readonly string[]).includes(row.category),
    ),
    parallel: {
      items: parallelItems.length,
      recall: parallel.categories
        .filter((row) => (REQUIRED_LEXICON_CATEGORIES as readonly string[]).includes(row.category))
        .map((row) => ({
          category: row.category,
          positives: row.positives,
          truePositives: row.truePositives,
          recall: row.recall,
          recallInterval: row.recallInterval,
          detections: detectionsOf(row.category),
        })),
    },
  };
}

/** Pooled figures over languages, and per category the spread of parallel-item recall across them. */
function summariseLanguages(languages: readonly HeldOutLanguage[]): Pick<HeldOutFigures, 'overall' | 'invariance'> {
  const totalItems = languages.reduce((sum, language) => sum + language.items, 0);
  const totalExact = languages.reduce((sum, language) => sum + language.exactLabelSets, 0);
  const decisions = totalItems * REQUIRED_LEXICON_CATEGORIES.length;
  const agreements = languages.reduce(
    (sum, language) => sum + (language.labelAccuracy ?? 0) * language.items * REQUIRED_LEXICON_CATEGORIES.length,
    0,
  );
  return {
    overall: {
      items: totalItems,
      exactLabelSetShare: totalItems > 0 ? totalExact / totalItems : null,
      labelAccuracy: decisions > 0 ? agreements / decisions : null,
      categories: pooled(languages.map((language) => language.categories)),
    },
    invariance: REQUIRED_LEXICON_CATEGORIES.map((category) => {
      const { lowest, highest, spread } = recallSpread(
        languages.map((language) => ({
          language: language.language,
          recall: language.parallel.recall.find((row) => row.category === category)?.recall ?? null,
        })),
      );
      return {
        category,
        minimum: lowest?.recall ?? null,
        maximum: highest?.recall ?? null,
        spread,
        lowest: lowest?.language ?? null,
        highest: highest?.language ?? null,
      };
    }),
  };
}

/** Scores every language's locked test part with its installed pack. */
export function scoreGoldTestParts(goldDirectory: string, lock: GoldLock, scoredAt: string): HeldOutFigures {
  const languages = Object.keys(lock.counts)
    .sort()
    .map((tag) => scoreLanguageItems(tag, readGoldItems(join(goldDirectory, tag, 'test.jsonl'))));
  return heldOutFigures(languages, { scoredAt, goldLock: lock.hash, codebookVersion: lock.codebookVersion });
}

/** The stored figures of a scored gold set (locked test parts or a probe) from its languages' scores. */
export function heldOutFigures(
  languages: HeldOutLanguage[],
  scoring: Pick<HeldOutFigures, 'scoredAt' | 'goldLock' | 'codebookVersion'>,
): HeldOutFigures {
  return {
    format: 'backfire-held-out/1',
    kind: 'held-out',
    scoredAt: scoring.scoredAt,
    goldLock: scoring.goldLock,
    codebookVersion: scoring.codebookVersion,
    languages,
    ...summariseLanguages(languages),
  };
}

const percent = (value: number | null) => (value === null ? 'n/a' : value.toFixed(2));
const interval = (value: { lower: number; upper: number } | null) =>
  value === null ? '' : ` [${value.lower.toFixed(2)}, ${value.upper.toFixed(2)}]`;

/** How a Markdown page of held-out figures introduces itself: its title, opening lines and parallel set. */
export interface HeldOutPageHeading {
  title: string;
  introduction: string[];
  /** Names the parallel items in the invariance section's title, e.g. "the same 48 meanings in every language". */
  parallelSet: string;
}

/** docs/validation.md: the held-out figures as tables (written by scripts/gold/score.ts). */
export function formatHeldOutMarkdown(figures: HeldOutFigures, heading?: HeldOutPageHeading): string {
  const page = heading ?? {
    title: 'Held-out validation of the lexicons',
    introduction: [
      `Written by \`scripts/gold/score.ts\` on ${figures.scoredAt.slice(0, 10)}; do not edit by hand. Gold sets, how they`,
      `were written and split: \`gold/README.md\` (lock \`${figures.goldLock.slice(0, 16)}\`, codebook ${figures.codebookVersion}).`,
      'Every figure here is on the locked **test** parts, which no lexicon was tuned on. Intervals are',
      'Wilson 95%. An action is predicted positive for a category when the lexicon finds a hit in it.',
    ],
    parallelSet: 'the same 48 meanings in every language',
  };
  const lines = [
    `# ${page.title}`,
    '',
    ...page.introduction,
    '',
    '## Overall (all languages pooled)',
    '',
    `${figures.overall.items} items; exact label sets ${percent(figures.overall.exactLabelSetShare)}; label accuracy ${percent(figures.overall.labelAccuracy)}.`,
    '',
    '| category | positives | precision | recall | F1 |',
    '|---|---|---|---|---|',
    ...figures.overall.categories.map(
      (row) =>
        `| ${row.category} | ${row.positives} | ${percent(row.precision)}${interval(row.precisionInterval)} | ${percent(row.recall)}${interval(row.recallInterval)} | ${percent(row.f1)} |`,
    ),
    '',
    `## Measurement invariance (parallel set: ${page.parallelSet})`,
    '',
    "Is a spread more than sampling noise? Cochran's Q tests equal recall across the languages with the",
    'meanings as blocks; the spread under invariance is what a perfectly invariant instrument would show',
    "with these meanings (each meaning's outcomes shuffled across the languages, median and 95th percentile).",
    '',
    "| category | lowest recall | highest recall | spread | meanings | Cochran's Q (df), p | spread under invariance: median / 95th pct., p |",
    '|---|---|---|---|---|---|---|',
    ...figures.invariance.map((row) => {
      const test = row.equalRecall;
      const q =
        test === undefined
          ? 'n/a'
          : `${test.cochranQ.statistic?.toFixed(2) ?? 'n/a'} (${test.cochranQ.degreesOfFreedom}), ${test.cochranQ.pValue?.toFixed(3) ?? 'n/a'}`;
      const underInvariance =
        test === undefined
          ? 'n/a'
          : `${percent(test.spreadUnderInvariance.median)} / ${percent(test.spreadUnderInvariance.quantile95)}, ${test.spreadUnderInvariance.pValue.toFixed(3)}`;
      return `| ${row.category} | ${percent(row.minimum)} (${row.lowest ?? '-'}) | ${percent(row.maximum)} (${row.highest ?? '-'}) | ${percent(row.spread)} | ${test?.meanings ?? 'n/a'} | ${q} | ${underInvariance} |`;
    }),
    '',
    '## Per language',
    '',
    '| language | lexicon | items | exact sets | label accuracy | sexual P / R | protective P / R | conformity P / R | individuation P / R | parallel recall (sex / prot / conf / indiv) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...figures.languages.map((language) => {
      const cell = (category: string) => {
        const row = language.categories.find((entry) => entry.category === category);
        return row === undefined ? 'n/a' : `${percent(row.precision)} / ${percent(row.recall)}`;
      };
      const parallel = REQUIRED_LEXICON_CATEGORIES.map((category) =>
        percent(language.parallel.recall.find((row) => row.category === category)?.recall ?? null),
      ).join(' / ');
      return `| ${language.language} | ${language.lexiconVersion} | ${language.items} | ${percent(language.exactLabelSetShare)} | ${percent(language.labelAccuracy)} | ${cell('sexual')} | ${cell('protective')} | ${cell('conformity')} | ${cell('individuation')} | ${parallel} |`;
    }),
    '',
  ];
  return `${lines.join('\n')}`;
}
