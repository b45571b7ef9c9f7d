import { z } from 'zod';

/**
 * A pack's labelled items (`validation.json` beside `pack.json`): short agent utterances labelled
 * with the lexicon categories they express, machine-drafted together with the lexicon, which was
 * tuned on them. Scores on them are IN-SAMPLE: a regression guard for the packs, not a validation
 * of the instrument (docs/codebook.md; docs/decisions/2026-12-04-measurement-instrument-v2.md).
 * Labels follow the codebook's register rule (conformity and individuation only with protective).
 * Hard negatives carry a `note` (a negation, a quotation, another sense of a word).
 */
export const ValidationItemSchema = z
  .object({
    text: z.string().min(1),
    /** The categories a careful reader finds expressed in the text (empty: none). */
    labels: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/)),
    /** Why the item is there, e.g. "negation", "quotation", "other-sense". */
    note: z.string().min(1).optional(),
  })
  .strict();
export type ValidationItem = z.infer<typeof ValidationItemSchema>;

export const ValidationSetSchema = z.array(ValidationItemSchema).min(1);
