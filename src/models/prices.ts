import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Usage, UserInputError } from '../contracts/index.js';

/**
 * The price table (`prices.json`, USD per million tokens, one dated row per provider and model) and
 * the one cost formula. Prices are looked up by the *requested* model name, because the resolved
 * name a provider returns (a dated snapshot) is not always in a public price list.
 */

export const PriceEntrySchema = z
  .object({
    /** Preset name (`openai`, `groq`, ...), `anthropic`, `gguf`, `builtin`, or an endpoint host. */
    provider: z.string().min(1),
    /** Model name as requested; a trailing `*` matches any suffix, `*` alone any model. */
    model: z.string().min(1),
    inputPerMillion: z.number().min(0),
    /** Price of prompt tokens served from the provider's prompt cache; input price when absent. */
    cachedInputPerMillion: z.number().min(0).optional(),
    outputPerMillion: z.number().min(0),
    /** Date of the price list the row was read from (YYYY-MM-DD). */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    source: z.string().min(1),
  })
  .strict();
export type PriceEntry = z.infer<typeof PriceEntrySchema>;

export const PriceTableSchema = z
  .object({
    currency: z.literal('USD'),
    unit: z.literal('per million tokens'),
    note: z.string().optional(),
    entries: z.array(PriceEntrySchema),
  })
  .strict();
export type PriceTable = z.infer<typeof PriceTableSchema>;

let bundledTable: PriceTable | undefined;

/** The table shipped with backfire (read once; `prices.json` sits beside this module in src and dist). */
export function loadBundledPrices(): PriceTable {
  if (bundledTable === undefined) {
    const url = new URL('./prices.json', import.meta.url);
    bundledTable = parsePriceTable(readFileSync(url, 'utf8'), url.pathname);
  }
  return bundledTable;
}

/** Parses a price table (bundled or user-supplied) through its schema. */
export function parsePriceTable(text: string, file: string): PriceTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`price table is not valid JSON (${(error as Error).message})`, {
      file,
      fix: 'fix the JSON syntax',
    });
  }
  const parsed = PriceTableSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(`price table: ${issue?.message ?? 'invalid'}`, {
      file,
      path: issue?.path.join('.') ?? '',
      fix: 'each entry needs provider, model, inputPerMillion, outputPerMillion, date (YYYY-MM-DD) and source',
    });
  }
  return parsed.data;
}

/**
 * Finds the price of `model` at `provider`: an exact row first, then the longest matching `prefix*`
 * row, then a `*` row. Rows of `extra` (a user's table) win over the bundled ones.
 */
export function findPrice(
  provider: string,
  model: string,
  tables: readonly PriceTable[] = [loadBundledPrices()],
): PriceEntry | undefined {
  for (const table of tables) {
    const rows = table.entries.filter((entry) => entry.provider === provider);
    const exact = rows.find((entry) => entry.model === model);
    if (exact !== undefined) {
      return exact;
    }
    const prefixed = rows
      .filter((entry) => entry.model.endsWith('*') && model.startsWith(entry.model.slice(0, -1)))
      .sort((left, right) => right.model.length - left.model.length)[0];
    if (prefixed !== undefined) {
      return prefixed;
    }
  }
  return undefined;
}

/**
 * Cost of one call in USD. Cached prompt tokens are part of `promptTokens` (as every provider
 * reports them after normalisation) and billed at the cached price where one is listed.
 */
export function costOf(usage: Usage, price: PriceEntry): number {
  const cached = Math.min(usage.cachedPromptTokens ?? 0, usage.promptTokens);
  const uncached = usage.promptTokens - cached;
  const cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion;
  return (
    (uncached * price.inputPerMillion + cached * cachedPrice + usage.completionTokens * price.outputPerMillion) / 1e6
  );
}
