import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import {
  describeSample,
  mean,
  meanConfidenceInterval,
  median,
  quantile,
  quantiles,
  standardDeviation,
  standardError,
  variance,
} from './descriptives.js';
import { expectEstimate, readReferenceFixture, reportDeviations } from './tests-reference.test-support.js';

const reference = readReferenceFixture(
  'descriptives',
  z.object({
    cases: z.array(
      z.object({
        name: z.string(),
        values: z.array(z.number()),
        mean: z.number(),
        variance: z.number(),
        sd: z.number(),
        median: z.number(),
        standardError: z.number(),
        probabilities: z.array(z.number()),
        quantiles: z.array(z.number()),
        ci95: z.tuple([z.number(), z.number()]),
        ci90: z.tuple([z.number(), z.number()]),
      }),
    ),
  }),
);

afterAll(() => reportDeviations('descriptives.test.ts'));

describe('descriptives against R', () => {
  it('match mean, var, sd, median, se, type-7 quantiles and the t interval of the mean', () => {
    for (const item of reference.cases) {
      const label = item.name;
      expectEstimate(mean(item.values), item.mean, `${label} mean`);
      expectEstimate(variance(item.values), item.variance, `${label} variance`);
      expectEstimate(standardDeviation(item.values), item.sd, `${label} sd`);
      expectEstimate(median(item.values), item.median, `${label} median`);
      expectEstimate(standardError(item.values), item.standardError, `${label} se`);
      quantiles(item.values, item.probabilities).forEach((value, index) => {
        expectEstimate(value, item.quantiles[index]!, `${label} q${item.probabilities[index]}`, 'quantile');
      });
      const ci95 = meanConfidenceInterval(item.values);
      const ci90 = meanConfidenceInterval(item.values, 0.9);
      expectEstimate(ci95.ci[0], item.ci95[0], `${label} ci95 lower`, 'confidence limit');
      expectEstimate(ci95.ci[1], item.ci95[1], `${label} ci95 upper`, 'confidence limit');
      expectEstimate(ci90.ci[0], item.ci90[0], `${label} ci90 lower`, 'confidence limit');
      expectEstimate(ci90.ci[1], item.ci90[1], `${label} ci90 upper`, 'confidence limit');
    }
    expect(reference.cases).toHaveLength(4);
  });

  it('keeps digits for values with a large common offset', () => {
    const values = [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3];
    expect(mean(values)).toBeCloseTo(1e9 + 0.2, 6);
    expect(variance(values)).toBeCloseTo(0.01, 6);
  });

  it('interpolates quantiles as R type 7', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.1)).toBe(14);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('summarises, and marks a single value as having no spread', () => {
    const summary = describeSample([3, 1, 2]);
    expect(summary).toMatchObject({ n: 3, mean: 2, sd: 1, median: 2, min: 1, max: 3 });
    expect(summary.se).toBeCloseTo(1 / Math.sqrt(3), 15);
    const single = describeSample([5]);
    expect(single.sd).toBeNull();
    expect(single.warnings).toHaveLength(1);
  });

  it('fails loudly on empty input, NaN, infinities and too few values', () => {
    expect(() => mean([])).toThrow(StatisticsError);
    expect(() => mean([1, Number.NaN])).toThrow(/values\[1\] is NaN/);
    expect(() => median([Number.POSITIVE_INFINITY])).toThrow(StatisticsError);
    expect(() => variance([1])).toThrow(/at least 2/);
    expect(() => quantile([1, 2], 1.5)).toThrow(StatisticsError);
    expect(() => meanConfidenceInterval([1, 2, 3], 0)).toThrow(StatisticsError);
  });
});
