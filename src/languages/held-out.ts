import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EqualRecallSchema, hashCanonical, type LanguagePack } from '../contracts/index.js';

/**
 * Held-out validation figures of the lexicons: the locked gold test parts (gold/README.md) scored
 * once per lexicon version by scripts/gold/score.ts, shipped beside the packs as
 * `held-out-validation.json`. Each language's figures name the lexicon they were computed with
 * (`lexiconHash` over the pack's lexicon and capabilities); figures whose hash differs from the
 * installed pack are stale and are never shown as the pack's validation.
 */

const IntervalSchema = z.object({ lower: z.number(), upper: z.number() }).strict().nullable();

export const HeldOutCategorySchema = z
  .object({
    category: z.string(),
    positives: z.number().int(),
    truePositives: z.number().int(),
    falsePositives: z.number().int(),
    falseNegatives: z.number().int(),
    trueNegatives: z.number().int(),
    precision: z.number().nullable(),
    recall: z.number().nullable(),
    f1: z.number().nullable(),
    precisionInterval: IntervalSchema,
    recallInterval: IntervalSchema,
  })
  .strict();
export type HeldOutCategory = z.infer<typeof HeldOutCategorySchema>;

export const HeldOutParallelRecallSchema = z
  .object({
    category: z.string(),
    positives: z.number().int(),
    truePositives: z.number().int(),
    recall: z.number().nullable(),
    recallInterval: IntervalSchema,
    /**
     * Per meaning (parallelId) labelled with the category: whether the lexicon detected it. With
     * every language's, the meaning x language table that tests equal recall (absent in figures
     * scored before 2026-12-08).
     */
    detections: z.record(z.string(), z.boolean()).optional(),
  })
  .strict();

export const HeldOutLanguageSchema = z
  .object({
    language: z.string(),
    lexiconVersion: z.string(),
    lexiconHash: z.string(),
    items: z.number().int(),
    exactLabelSets: z.number().int(),
    exactLabelSetShare: z.number().nullable(),
    labelAccuracy: z.number().nullable(),
    categories: z.array(HeldOutCategorySchema),
    parallel: z.object({ items: z.number().int(), recall: z.array(HeldOutParallelRecallSchema) }).strict(),
  })
  .strict();
export type HeldOutLanguage = z.infer<typeof HeldOutLanguageSchema>;

export const HeldOutFiguresSchema = z
  .object({
    format: z.literal('backfire-held-out/1'),
    kind: z.literal('held-out'),
    scoredAt: z.string(),
    goldLock: z.string(),
    codebookVersion: z.string(),
    languages: z.array(HeldOutLanguageSchema),
    /** Pooled over every language's test part. */
    overall: z
      .object({
        items: z.number().int(),
        exactLabelSetShare: z.number().nullable(),
        labelAccuracy: z.number().nullable(),
        categories: z.array(HeldOutCategorySchema),
      })
      .strict(),
    /** Per category: parallel-set recall across languages (measurement invariance). */
    invariance: z.array(
      z
        .object({
          category: z.string(),
          minimum: z.number().nullable(),
          maximum: z.number().nullable(),
          spread: z.number().nullable(),
          lowest: z.string().nullable(),
          highest: z.string().nullable(),
          /** Across all the languages scored (scripts/gold/equal-recall.ts). */
          equalRecall: EqualRecallSchema.optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type HeldOutFigures = z.infer<typeof HeldOutFiguresSchema>;

/** The content a lexicon's figures depend on: its lexicon and the capabilities the matcher reads. */
export function lexiconHash(pack: Pick<LanguagePack, 'lexicon' | 'capabilities'>): string {
  return hashCanonical({ lexicon: pack.lexicon, capabilities: pack.capabilities });
}

export const HELD_OUT_FILE = fileURLToPath(new URL('./held-out-validation.json', import.meta.url));

let cached: HeldOutFigures | null | undefined;

/** The shipped held-out figures, or null when none have been scored yet. */
export function loadHeldOutFigures(file: string = HELD_OUT_FILE): HeldOutFigures | null {
  if (file === HELD_OUT_FILE && cached !== undefined) return cached;
  const figures = existsSync(file) ? HeldOutFiguresSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : null;
  if (file === HELD_OUT_FILE) cached = figures;
  return figures;
}

export type HeldOutStatus =
  | { status: 'current'; figures: HeldOutLanguage; scoredAt: string; goldLock: string }
  | { status: 'stale'; scoredLexiconVersion: string }
  | { status: 'none' };

/** A pack's held-out figures, if they were computed with exactly this lexicon. */
export function heldOutFor(pack: LanguagePack, figures = loadHeldOutFigures()): HeldOutStatus {
  const entry = figures?.languages.find((language) => language.language === pack.meta.tag);
  if (figures === null || figures === undefined || entry === undefined) return { status: 'none' };
  if (entry.lexiconHash !== lexiconHash(pack)) return { status: 'stale', scoredLexiconVersion: entry.lexiconVersion };
  return { status: 'current', figures: entry, scoredAt: figures.scoredAt, goldLock: figures.goldLock };
}

/**
 * The spread of one category's recall across languages: the lowest and highest (ties broken by
 * language tag) and their difference; languages without a recall are left out.
 */
export function recallSpread(entries: readonly { language: string; recall: number | null }[]): {
  lowest: { language: string; recall: number } | null;
  highest: { language: string; recall: number } | null;
  spread: number | null;
} {
  const known = entries
    .filter((entry): entry is { language: string; recall: number } => entry.recall !== null)
    .sort((a, b) => a.recall - b.recall || (a.language < b.language ? -1 : a.language > b.language ? 1 : 0));
  const lowest = known[0] ?? null;
  const highest = known[known.length - 1] ?? null;
  return {
    lowest: lowest === null ? null : { language: lowest.language, recall: lowest.recall },
    highest: highest === null ? null : { language: highest.language, recall: highest.recall },
    spread: lowest === null || highest === null ? null : highest.recall - lowest.recall,
  };
}

/**
 * The meaning x language table of one category's parallel-set outcomes (rows: the meanings labelled
 * with it that every language has an outcome for, in parallelId order; columns: `languages` in the
 * order given), or null when a language's figures carry no per-meaning outcomes.
 */
export function parallelDetectionTable(
  languages: readonly Pick<HeldOutLanguage, 'parallel'>[],
  category: string,
): boolean[][] | null {
  const columns = languages.map(
    (language) => language.parallel.recall.find((row) => row.category === category)?.detections,
  );
  if (columns.length === 0 || columns.some((column) => column === undefined)) return null;
  const present = columns as Record<string, boolean>[];
  const meanings = Object.keys(present[0]!)
    .filter((meaning) => present.every((column) => column[meaning] !== undefined))
    .sort();
  return meanings.map((meaning) => present.map((column) => column[meaning]!));
}
