import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import { adjustPValues } from './multiplicity.js';
import { readReferenceFixture } from './tests-reference.test-support.js';

const reference = readReferenceFixture(
  'multiplicity',
  z.object({
    cases: z.array(
      z.object({
        name: z.string(),
        p: z.array(z.number()),
        holm: z.array(z.number()),
        bh: z.array(z.number()),
        bonferroni: z.array(z.number()),
      }),
    ),
  }),
);

describe('p-value adjustment against R p.adjust', () => {
  it('matches holm, BH and bonferroni, ties included, in input order', () => {
    for (const item of reference.cases) {
      for (const method of ['holm', 'bh', 'bonferroni'] as const) {
        const result = adjustPValues(item.p, method);
        expect(result.m).toBe(item.p.length);
        result.adjusted.forEach((value, index) => {
          expect(Math.abs(value - item[method][index]!)).toBeLessThan(1e-15);
        });
      }
    }
    expect(reference.cases.map((item) => item.name)).toEqual(['withTies', 'sixteen', 'single']);
  });

  it('works on a hand-checked family', () => {
    // Holm: sorted 0.01, 0.02, 0.03 times 3, 2, 1 = 0.03, 0.04, 0.03 -> running max 0.03, 0.04, 0.04.
    expect(adjustPValues([0.03, 0.01, 0.02], 'holm').adjusted).toEqual([0.04, 0.03, 0.04]);
    // BH: 0.01 * 3/1, 0.02 * 3/2, 0.03 * 3/3 -> running min from the top: 0.03 for all.
    const bh = adjustPValues([0.03, 0.01, 0.02], 'bh').adjusted;
    for (const value of bh) {
      expect(value).toBeCloseTo(0.03, 15);
    }
    const result = adjustPValues([0.5], 'holm');
    expect(result.estimator).toEqual({ name: 'p-adjust-holm', version: '1.0.0', args: { method: 'holm', m: 1 } });
  });

  it('refuses NaN and values outside [0, 1]', () => {
    expect(() => adjustPValues([0.1, Number.NaN], 'holm')).toThrow(StatisticsError);
    expect(() => adjustPValues([1.2], 'bh')).toThrow(StatisticsError);
    expect(adjustPValues([], 'bh').warnings).toHaveLength(1);
  });
});
