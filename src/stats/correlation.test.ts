import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import { averageRanks, pearsonCorrelation, pearsonFromR, spearmanCorrelation } from './correlation.js';
import {
  alternativeFromR,
  expectEstimate,
  expectPValue,
  ReferenceIntervalSchema,
  readReferenceFixture,
  reportDeviations,
} from './tests-reference.test-support.js';

const PairSchema = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
const AlternativeSchema = z.enum(['two.sided', 'less', 'greater']);
const reference = readReferenceFixture(
  'correlation',
  z.object({
    pearsonData: PairSchema,
    pearson: z.array(
      z.object({
        alternative: AlternativeSchema,
        confidenceLevel: z.number(),
        estimate: z.number(),
        statistic: z.number(),
        df: z.number(),
        p: z.number(),
        ci: ReferenceIntervalSchema,
      }),
    ),
    paper: z.object({ r: z.number(), n: z.number(), df: z.number(), t: z.number(), p: z.number() }),
    spearmanData: z.record(z.string(), PairSchema),
    spearman: z.array(
      z.object({
        dataSet: z.string(),
        alternative: AlternativeSchema,
        exact: z.boolean(),
        estimate: z.number(),
        statistic: z.number(),
        p: z.number(),
      }),
    ),
  }),
);

afterAll(() => reportDeviations('correlation.test.ts'));

describe('Pearson correlation against R cor.test', () => {
  it('matches r, t, df, p and the Fisher-z interval for every alternative and level', () => {
    const { x, y } = reference.pearsonData;
    for (const item of reference.pearson) {
      const label = `pearson ${item.alternative} level=${item.confidenceLevel}`;
      const result = pearsonCorrelation(x, y, {
        alternative: alternativeFromR(item.alternative),
        ciLevel: item.confidenceLevel,
      });
      expectEstimate(result.estimate, item.estimate, `${label} r`);
      expectEstimate(result.statistic, item.statistic, `${label} t`, 't statistic');
      expect(result.df).toBe(item.df);
      expectPValue(result.p, item.p, `${label} p`);
      // R's one-sided intervals end at -1 / 1 after tanh(-Inf / Inf).
      expectEstimate(result.ci![0], item.ci[0], `${label} ci lower`, 'confidence limit');
      expectEstimate(result.ci![1], item.ci[1], `${label} ci upper`, 'confidence limit');
    }
  });

  it('reproduces docs/paper-notes.md: r = 0.474, n = 16 gives t(14) = 2.01, p = .064', () => {
    const result = pearsonFromR(0.474, 16);
    expect(result.df).toBe(14);
    expect(result.statistic.toFixed(2)).toBe('2.01');
    expect(result.p.toFixed(3)).toBe('0.064');
    expectEstimate(result.statistic, reference.paper.t, 'paper t', 't statistic');
    expectPValue(result.p, reference.paper.p, 'paper p');
  });

  it('refuses constant variables, unequal lengths and too few pairs', () => {
    expect(() => pearsonCorrelation([1, 1, 1, 1], [1, 2, 3, 4])).toThrow(/x is constant/);
    expect(() => pearsonCorrelation([1, 2, 3], [1, 2])).toThrow(/differ in length/);
    expect(() => pearsonCorrelation([1, 2], [2, 1])).toThrow(StatisticsError);
    expect(() => pearsonFromR(1.2, 10)).toThrow(StatisticsError);
    const three = pearsonCorrelation([1, 2, 3], [1, 3, 2]);
    expect(three.ci).toBeNull();
    expect(three.warnings).toHaveLength(1);
  });
});

describe('Spearman correlation against R cor.test(method = "spearman")', () => {
  it('matches rho, S and p in the exact, Edgeworth and t-approximation regimes', () => {
    for (const item of reference.spearman) {
      const data = reference.spearmanData[item.dataSet]!;
      const label = `spearman ${item.dataSet} ${item.alternative} exact=${item.exact}`;
      const result = spearmanCorrelation(data.x, data.y, {
        alternative: alternativeFromR(item.alternative),
        exact: item.exact,
      });
      expectEstimate(result.estimate, item.estimate, `${label} rho`);
      expectEstimate(result.statistic, item.statistic, `${label} S`, 'S statistic');
      expectPValue(result.p, item.p, `${label} p`);
      // Exact p-values are ratios of permutation counts: they must agree to rounding.
      if (result.pMethod === 'exact') {
        expect(Math.abs(result.p - item.p)).toBeLessThan(1e-13);
      }
    }
    expect(reference.spearman).toHaveLength(30);
  });

  it('names the p-value method it used and warns when ties rule out the exact one', () => {
    const data = reference.spearmanData;
    expect(spearmanCorrelation(data.exactSeven!.x, data.exactSeven!.y).pMethod).toBe('exact');
    expect(spearmanCorrelation(data.edgeworthTwenty!.x, data.edgeworthTwenty!.y).pMethod).toBe('edgeworth');
    expect(spearmanCorrelation(data.large!.x, data.large!.y).pMethod).toBe('t-approximation');
    const tied = spearmanCorrelation(data.ties!.x, data.ties!.y);
    expect(tied.pMethod).toBe('t-approximation');
    expect(tied.ties).toBe(true);
    expect(tied.warnings[0]).toMatch(/ties/);
    expect(spearmanCorrelation(data.ties!.x, data.ties!.y, { exact: false }).warnings).toEqual([]);
  });

  it('ranks ties by their average rank', () => {
    expect(averageRanks([10, 20, 20, 5, 30, 20])).toEqual([2, 4, 4, 1, 6, 4]);
  });

  it('gives an exact p of 2/n! for a perfect monotone relation', () => {
    const result = spearmanCorrelation([1, 2, 3, 4, 5, 6], [2, 4, 6, 8, 10, 12]);
    expect(result.estimate).toBe(1);
    expect(result.p).toBeCloseTo(2 / 720, 15);
  });
});
