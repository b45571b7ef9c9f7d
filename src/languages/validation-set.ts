import { z } from 'zod';

/**
 * A pack's lexicon validation set (`validation.json` beside `pack.json`): short agent utterances
 * labelled by a human annotator with the lexicon categories they express. The metrics layer scores
 * the lexicon against it (precision and recall per category); hard negatives carry a `note` saying
 * what makes them hard (a negation, a quotation, another sense of a word).
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
