import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import { equivalenceTest } from './equivalence.js';
import {
  expectEstimate,
  expectPValue,
  readReferenceFixture,
  reportDeviations,
} from './tests-reference.test-support.js';

const PairSchema = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
const reference = readReferenceFixture(
  'equivalence',
  z.object({
    dataSets: z.record(z.string(), PairSchema),
    cases: z.array(
      z.object({
        dataSet: z.string(),
        method: z.enum(['student', 'welch']),
        units: z.enum(['raw', 'd']),
        lower: z.number(),
        upper: z.number(),
        alpha: z.number(),
        rawLower: z.number(),
        rawUpper: z.number(),
        estimate: z.number(),
        df: z.number(),
        lowerStatistic: z.number(),
        lowerP: z.number(),
        upperStatistic: z.number(),
        upperP: z.number(),
        p: z.number(),
        ci: z.tuple([z.number(), z.number()]),
      }),
    ),
  }),
);

afterAll(() => reportDeviations('equivalence.test.ts'));

describe('TOST against two one-sided R t.test calls', () => {
  it('matches bounds, both one-sided tests, p and the 90% interval', () => {
    for (const item of reference.cases) {
      const data = reference.dataSets[item.dataSet]!;
      const label = `${item.method} ${item.dataSet} ${item.units} [${item.lower}, ${item.upper}]`;
      const result = equivalenceTest(data.x, data.y, {
        lower: item.lower,
        upper: item.upper,
        units: item.units,
        equalVariances: item.method === 'student',
        alpha: item.alpha,
      });
      expectEstimate(result.rawBounds[0], item.rawLower, `${label} raw lower`, 'bound');
      expectEstimate(result.rawBounds[1], item.rawUpper, `${label} raw upper`, 'bound');
      expectEstimate(result.estimate, item.estimate, `${label} estimate`);
      expectEstimate(result.df, item.df, `${label} df`, 'df');
      expectEstimate(result.lowerTest.statistic, item.lowerStatistic, `${label} lower t`, 't statistic');
      expectEstimate(result.upperTest.statistic, item.upperStatistic, `${label} upper t`, 't statistic');
      expectPValue(result.lowerTest.p, item.lowerP, `${label} lower p`);
      expectPValue(result.upperTest.p, item.upperP, `${label} upper p`);
      expectPValue(result.p, item.p, `${label} p`);
      expectEstimate(result.ci[0], item.ci[0], `${label} ci lower`, 'confidence limit');
      expectEstimate(result.ci[1], item.ci[1], `${label} ci upper`, 'confidence limit');
      expect(result.ciLevel).toBeCloseTo(0.9, 15);
      expect(result.equivalent).toBe(item.p < item.alpha);
    }
    expect(reference.cases).toHaveLength(16);
  });

  it('declares clearly equal groups equivalent and clearly different ones not', () => {
    const x = [10.1, 9.9, 10.0, 10.2, 9.8, 10.05, 9.95, 10.1];
    const y = [10.0, 10.1, 9.9, 10.0, 10.15, 9.85, 10.05, 9.95];
    expect(equivalenceTest(x, y, { lower: -0.3, upper: 0.3, units: 'raw' }).equivalent).toBe(true);
    const shifted = y.map((value) => value + 1);
    expect(equivalenceTest(x, shifted, { lower: -0.3, upper: 0.3, units: 'raw' }).equivalent).toBe(false);
  });

  it('refuses reversed bounds and alpha >= 0.5', () => {
    expect(() => equivalenceTest([1, 2, 3], [1, 2, 4], { lower: 1, upper: -1, units: 'raw' })).toThrow(StatisticsError);
    expect(() => equivalenceTest([1, 2, 3], [1, 2, 4], { lower: -1, upper: 1, units: 'raw', alpha: 0.5 })).toThrow(
      StatisticsError,
    );
  });
});
