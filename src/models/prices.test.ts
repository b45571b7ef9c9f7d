import { describe, expect, it } from 'vitest';
import { UserInputError } from '../contracts/index.js';
import { costOf, findPrice, loadBundledPrices, type PriceTable, parsePriceTable } from './prices.js';

describe('the bundled price table', () => {
  it('parses, and every row has a date and a source', () => {
    const table = loadBundledPrices();
    expect(table.entries.length).toBeGreaterThan(10);
    for (const entry of table.entries) {
      expect(Number.isNaN(Date.parse(entry.date)), entry.model).toBe(false);
      expect(entry.source.length).toBeGreaterThan(5);
    }
  });

  it('has no duplicate provider/model rows', () => {
    const keys = loadBundledPrices().entries.map((entry) => `${entry.provider} ${entry.model}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('findPrice', () => {
  const table: PriceTable = {
    currency: 'USD',
    unit: 'per million tokens',
    entries: [
      { provider: 'p', model: 'm', inputPerMillion: 1, outputPerMillion: 2, date: '2026-01-01', source: 'test' },
      { provider: 'p', model: 'm-*', inputPerMillion: 3, outputPerMillion: 4, date: '2026-01-01', source: 'test' },
      {
        provider: 'p',
        model: 'm-large-*',
        inputPerMillion: 5,
        outputPerMillion: 6,
        date: '2026-01-01',
        source: 'test',
      },
      { provider: 'local', model: '*', inputPerMillion: 0, outputPerMillion: 0, date: '2026-01-01', source: 'test' },
    ],
  };

  it('prefers an exact row, then the longest prefix, then a wildcard', () => {
    expect(findPrice('p', 'm', [table])?.inputPerMillion).toBe(1);
    expect(findPrice('p', 'm-2026', [table])?.inputPerMillion).toBe(3);
    expect(findPrice('p', 'm-large-2026', [table])?.inputPerMillion).toBe(5);
    expect(findPrice('local', 'anything', [table])?.inputPerMillion).toBe(0);
    expect(findPrice('p', 'other', [table])).toBeUndefined();
    expect(findPrice('nobody', 'm', [table])).toBeUndefined();
  });

  it('lets an earlier table win over the bundled one', () => {
    const override: PriceTable = {
      ...table,
      entries: [{ ...table.entries[0]!, provider: 'groq', model: 'llama-3.3-70b-versatile', inputPerMillion: 9 }],
    };
    expect(findPrice('groq', 'llama-3.3-70b-versatile', [override, loadBundledPrices()])?.inputPerMillion).toBe(9);
    expect(findPrice('groq', 'llama-3.3-70b-versatile')?.inputPerMillion).toBe(0.59);
  });

  it('finds dated Anthropic snapshots and local zero prices', () => {
    expect(findPrice('anthropic', 'claude-haiku-4-5-20251001')?.outputPerMillion).toBe(5);
    expect(findPrice('vllm', 'Qwen/Qwen3-Next-80B-A3B-Instruct')?.inputPerMillion).toBe(0);
  });
});

describe('costOf', () => {
  const price = {
    provider: 'p',
    model: 'm',
    inputPerMillion: 2,
    cachedInputPerMillion: 0.5,
    outputPerMillion: 8,
    date: '2026-01-01',
    source: 's',
  };

  it('bills uncached prompt, cached prompt and completion tokens at their prices', () => {
    // 600 uncached * 2 + 400 cached * 0.5 + 100 * 8 = 1200 + 200 + 800 = 2200 per million.
    expect(costOf({ promptTokens: 1000, completionTokens: 100, cachedPromptTokens: 400 }, price)).toBeCloseTo(
      0.0022,
      12,
    );
  });

  it('bills cached tokens at the input price when no cached price is listed', () => {
    const { cachedInputPerMillion: _unused, ...plain } = price;
    expect(costOf({ promptTokens: 1000, completionTokens: 0, cachedPromptTokens: 400 }, plain)).toBeCloseTo(0.002, 12);
  });

  it('never bills more cached tokens than prompt tokens', () => {
    expect(costOf({ promptTokens: 10, completionTokens: 0, cachedPromptTokens: 50 }, price)).toBeCloseTo(
      10 * 0.5e-6,
      15,
    );
  });
});

describe('parsePriceTable', () => {
  it('names the file and the bad path', () => {
    const bad = JSON.stringify({
      currency: 'USD',
      unit: 'per million tokens',
      entries: [
        { provider: 'p', model: 'm', inputPerMillion: -1, outputPerMillion: 1, date: '2026-01-01', source: 's' },
      ],
    });
    expect(() => parsePriceTable(bad, 'my-prices.json')).toThrow(UserInputError);
    try {
      parsePriceTable(bad, 'my-prices.json');
    } catch (error) {
      expect((error as UserInputError).file).toBe('my-prices.json');
      expect((error as UserInputError).path).toBe('entries.0.inputPerMillion');
    }
    expect(() => parsePriceTable('{', 'x.json')).toThrow(/not valid JSON/);
  });
});
