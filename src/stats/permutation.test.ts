import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import { median } from './descriptives.js';
import { permutationTest } from './permutation.js';
import { studentTTest } from './t-test.js';
import { readReferenceFixture } from './tests-reference.test-support.js';

const reference = readReferenceFixture(
  'permutation',
  z.object({
    cases: z.array(
      z.object({
        dataSet: z.string(),
        x: z.array(z.number()),
        y: z.array(z.number()),
        observed: z.number(),
        permutations: z.number(),
        twoSided: z.number(),
        greater: z.number(),
        less: z.number(),
      }),
    ),
  }),
);

describe('exact permutation test against full enumeration in R (combn)', () => {
  it('matches the observed difference and the exact p for each alternative', () => {
    for (const item of reference.cases) {
      for (const [alternative, expected] of [
        ['two-sided', item.twoSided],
        ['greater', item.greater],
        ['less', item.less],
      ] as const) {
        const result = permutationTest(item.x, item.y, { alternative });
        expect(result.method).toBe('exact');
        expect(result.permutations).toBe(item.permutations);
        expect(result.statistic).toBeCloseTo(item.observed, 12);
        // Both sides count relabellings, so the p-values are the same fraction.
        expect(result.p).toBeCloseTo(expected, 14);
        expect(result.seed).toBeNull();
      }
    }
  });

  it('counts tied relabellings as at least as extreme', () => {
    // Integer data: many relabellings share the observed difference exactly.
    const integers = reference.cases.find((item) => item.dataSet === 'integers')!;
    const result = permutationTest(integers.x, integers.y, { alternative: 'greater' });
    expect(result.atLeastAsExtreme).toBe(Math.round(integers.greater * 924));
  });
});

describe('Monte Carlo permutation test', () => {
  const x = [5.1, 4.8, 6.2, 5.9, 6.6, 5.4, 7.1, 6.0, 5.5, 6.8, 6.1, 5.7];
  const y = [4.9, 5.0, 4.4, 5.6, 4.7, 5.3, 4.1, 5.2, 4.6, 5.8, 4.3, 5.1];

  it('is reproducible from its seed and records it', () => {
    const options = { maxExactPermutations: 1000, resamples: 4999, seed: 99 };
    const first = permutationTest(x, y, options);
    const second = permutationTest(x, y, options);
    expect(first.method).toBe('monte-carlo');
    expect(second.p).toBe(first.p);
    expect(first.seed).toBe(99);
    expect(first.estimator.args).toMatchObject({ seed: 99, resamples: 4999, generator: 'xoshiro128**-splitmix64' });
    expect(first.p).toBe((first.atLeastAsExtreme + 1) / 5000);
  });

  it('agrees with the exact p within Monte Carlo error', () => {
    const exact = permutationTest(x, y, { alternative: 'greater', maxExactPermutations: 3_000_000 });
    expect(exact.method).toBe('exact');
    expect(exact.permutations).toBe(2704156);
    const sampled = permutationTest(x, y, {
      alternative: 'greater',
      maxExactPermutations: 0,
      resamples: 20000,
      seed: 5,
    });
    // 4 Monte Carlo standard errors plus the (b + 1)/(m + 1) offset.
    expect(Math.abs(sampled.p - exact.p)).toBeLessThan(4 * sampled.monteCarloStandardError + 1 / 20001);
    // And both sit close to the Student t test on the same data.
    expect(Math.abs(exact.p - studentTTest(x, y, { alternative: 'greater' }).p)).toBeLessThan(0.01);
  });

  it('never reports p = 0', () => {
    const far = permutationTest([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, -1], {
      maxExactPermutations: 0,
      resamples: 999,
    });
    expect(far.p).toBe(1 / 1000);
  });
});

describe('custom statistics', () => {
  it('accepts any statistic of the two groups', () => {
    const medianDifference = {
      name: 'median-difference',
      compute: (a: readonly number[], b: readonly number[]) => median(a) - median(b),
    };
    const result = permutationTest([1, 2, 3, 10], [0, 0.5, 1.5, -1], {
      statistic: medianDifference,
      alternative: 'greater',
    });
    expect(result.statisticName).toBe('median-difference');
    expect(result.statistic).toBe(2.5 - 0.25);
    expect(result.permutations).toBe(70);
    // Only the observed split and {1.5, 2, 3, 10} vs {-1, 0, 0.5, 1} reach a median difference of 2.25.
    expect(result.atLeastAsExtreme).toBe(2);
    expect(result.p).toBeCloseTo(2 / 70, 14);
    expect(result.estimator.args).toMatchObject({ statistic: 'median-difference' });
  });

  it('refuses empty groups, NaN and non-integer resamples', () => {
    expect(() => permutationTest([], [1, 2])).toThrow(StatisticsError);
    expect(() => permutationTest([1, Number.NaN], [1, 2])).toThrow(StatisticsError);
    expect(() => permutationTest([1, 2], [3, 4], { resamples: 2.5 })).toThrow(StatisticsError);
  });
});
