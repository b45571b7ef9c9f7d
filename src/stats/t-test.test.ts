import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import {
  oneSampleTTest,
  pairedTTest,
  studentTTest,
  type TTestResult,
  twoSampleTTestFromSummaries,
  welchTTest,
} from './t-test.js';
import {
  alternativeFromR,
  expectEstimate,
  expectPValue,
  ReferenceIntervalSchema,
  readReferenceFixture,
  reportDeviations,
} from './tests-reference.test-support.js';

const PairSchema = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
const reference = readReferenceFixture(
  't-test',
  z.object({
    dataSets: z.record(z.string(), PairSchema),
    paired: PairSchema,
    oneSample: z.array(z.number()),
    cases: z.array(
      z.object({
        dataSet: z.string(),
        method: z.enum(['student', 'welch', 'paired', 'one-sample']),
        alternative: z.enum(['two.sided', 'less', 'greater']),
        mu: z.number(),
        confidenceLevel: z.number(),
        estimate: z.number(),
        statistic: z.number(),
        df: z.number(),
        p: z.number(),
        ci: ReferenceIntervalSchema,
        standardError: z.number(),
      }),
    ),
  }),
);

afterAll(() => reportDeviations('t-test.test.ts'));

function run(item: (typeof reference.cases)[number]): TTestResult {
  const options = { mu: item.mu, alternative: alternativeFromR(item.alternative), ciLevel: item.confidenceLevel };
  switch (item.method) {
    case 'student':
    case 'welch': {
      const data = reference.dataSets[item.dataSet]!;
      return item.method === 'student' ? studentTTest(data.x, data.y, options) : welchTTest(data.x, data.y, options);
    }
    case 'paired':
      return pairedTTest(reference.paired.x, reference.paired.y, options);
    case 'one-sample':
      return oneSampleTTest(reference.oneSample, options);
  }
}

describe('t tests against R t.test', () => {
  it('match statistic, df, p, estimate, standard error and CI for every case', () => {
    for (const item of reference.cases) {
      const label = `${item.method} ${item.dataSet} ${item.alternative} mu=${item.mu} level=${item.confidenceLevel}`;
      const result = run(item);
      expectEstimate(result.statistic, item.statistic, `${label} t`, 't statistic');
      expectEstimate(result.df, item.df, `${label} df`, 'df');
      expectPValue(result.p, item.p, `${label} p`);
      expectEstimate(result.estimate, item.estimate, `${label} estimate`);
      expectEstimate(result.standardError, item.standardError, `${label} se`, 'standard error');
      expectEstimate(result.ci[0], item.ci[0], `${label} ci lower`, 'confidence limit');
      expectEstimate(result.ci[1], item.ci[1], `${label} ci upper`, 'confidence limit');
      expect(result.ciLevel).toBe(item.confidenceLevel);
      expect(result.method).toBe(item.method);
    }
    expect(reference.cases.length).toBe(84);
  });
});

describe('t test results', () => {
  it('carry named fields, the estimator and warnings', () => {
    const result = studentTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    expect(result.n).toEqual({ x: 4, y: 5 });
    expect(result.means).toEqual({ x: 2.5, y: 6 });
    expect(result.df).toBe(7);
    expect(result.estimator).toEqual({
      name: 'student-t-test',
      version: '1.0.0',
      args: { mu: 0, alternative: 'two-sided', ciLevel: 0.95, equalVariances: true },
    });
    expect(result.warnings).toEqual([]);
    const paired = pairedTTest([1, 2, 4], [0, 0, 1]);
    expect(paired.n).toEqual({ pairs: 3 });
    expect(paired.estimator.name).toBe('paired-t-test');
  });

  it('reproduce docs/paper-notes.md: g = 0.771 with n = 15 + 15 is t(28) = 2.17, p = .0386 from summaries', () => {
    // Two groups whose pooled SD is 1 and whose mean difference is d = 0.792 (= g / J(28)).
    const d = 0.79244994390548;
    const result = twoSampleTTestFromSummaries(
      { mean: d, sd: 1, n: 15 },
      { mean: 0, sd: 1, n: 15 },
      { equalVariances: true },
    );
    expect(result.df).toBe(28);
    expect(result.statistic.toFixed(2)).toBe('2.17');
    expect(result.p.toFixed(4)).toBe('0.0386');
  });

  it('fail loudly on constant data, NaN, short samples and mismatched pairs', () => {
    expect(() => oneSampleTTest([2, 2, 2])).toThrow(/essentially constant/);
    expect(() => welchTTest([1, Number.NaN, 3], [1, 2, 3])).toThrow(StatisticsError);
    expect(() => welchTTest([1], [1, 2, 3])).toThrow(/at least 2/);
    expect(() => studentTTest([], [1, 2, 3])).toThrow(StatisticsError);
    expect(() => pairedTTest([1, 2, 3], [1, 2])).toThrow(/differ in length/);
    expect(() => oneSampleTTest([1, 2, 3], { ciLevel: 1.2 })).toThrow(StatisticsError);
  });
});
