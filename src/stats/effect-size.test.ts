import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import {
  cohensD,
  dFromG,
  dFromT,
  gFromD,
  hedgesCorrection,
  hedgesG,
  hedgesGFromSummaries,
  oneSampleHedgesG,
  pairedHedgesG,
  studentTFromHedgesG,
  tFromD,
} from './effect-size.js';
import { studentTTest } from './t-test.js';
import {
  expectEstimate,
  expectPValue,
  readReferenceFixture,
  reportDeviations,
} from './tests-reference.test-support.js';

const PairSchema = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
const Interval = z.tuple([z.number(), z.number()]);
const reference = readReferenceFixture(
  'effect-size',
  z.object({
    dataSets: z.record(z.string(), PairSchema),
    paired: PairSchema,
    oneSample: z.array(z.number()),
    cases: z.array(
      z.object({
        dataSet: z.string(),
        design: z.enum(['two-sample', 'paired', 'one-sample']),
        confidenceLevel: z.number(),
        df: z.number(),
        t: z.number(),
        d: z.number(),
        correction: z.number(),
        g: z.number(),
        pooledSd: z.number().optional(),
        ncpInterval: Interval,
        ciD: Interval,
        ciG: Interval,
      }),
    ),
    paper: z.array(
      z.object({
        g: z.number(),
        n1: z.number(),
        n2: z.number(),
        correction: z.number(),
        d: z.number(),
        t: z.number(),
        df: z.number(),
        p: z.number(),
      }),
    ),
    corrections: z.array(z.object({ df: z.number(), correction: z.number() })),
  }),
);

afterAll(() => reportDeviations('effect-size.test.ts'));

describe("docs/paper-notes.md's numbers table", () => {
  it('g = +0.771, n = 15 + 15 gives d = 0.792, t(28) = 2.17, p = .0386', () => {
    const result = studentTFromHedgesG(0.771, 15, 15);
    expect(result.d.toFixed(3)).toBe('0.792');
    expect(result.df).toBe(28);
    expect(result.t.toFixed(2)).toBe('2.17');
    expect(result.p.toFixed(4)).toBe('0.0386');
  });

  it('g = -1.844, n = 15 + 15 gives t(28) = -5.19, p < .0001', () => {
    const result = studentTFromHedgesG(-1.844, 15, 15);
    expect(result.df).toBe(28);
    expect(result.t.toFixed(2)).toBe('-5.19');
    expect(result.p).toBeLessThan(0.0001);
  });

  it('agree with R to full precision', () => {
    for (const item of reference.paper) {
      const result = studentTFromHedgesG(item.g, item.n1, item.n2);
      expectEstimate(result.correction, item.correction, `J(28) for g = ${item.g}`, 'correction');
      expectEstimate(result.d, item.d, `d for g = ${item.g}`);
      expectEstimate(result.t, item.t, `t for g = ${item.g}`, 't statistic');
      expectPValue(result.p, item.p, `p for g = ${item.g}`);
    }
  });
});

describe('Hedges correction', () => {
  it('is the exact gamma-function form, not the 1 - 3/(4 df - 1) approximation', () => {
    for (const item of reference.corrections) {
      expectEstimate(hedgesCorrection(item.df), item.correction, `J(${item.df})`, 'correction');
    }
    // At df = 2 the approximation (1 - 3/7 = 0.5714) is off in the second decimal: J(2) = 1/sqrt(pi).
    expect(hedgesCorrection(2)).toBeCloseTo(1 / Math.sqrt(Math.PI), 14);
    // For large df the approximation is good to O(df^-2); log-gamma differences cost ~1e-10 here (as in R).
    expect(Math.abs(hedgesCorrection(1e6) - (1 - 3 / (4e6 - 1)))).toBeLessThan(1e-9);
    expect(() => hedgesCorrection(1)).toThrow(StatisticsError);
  });
});

describe('standardised mean differences against R (uniroot over pt(..., ncp))', () => {
  it('match d, g, t, the noncentrality limits and both CIs', () => {
    for (const item of reference.cases) {
      const label = `${item.design} ${item.dataSet} level=${item.confidenceLevel}`;
      const options = { ciLevel: item.confidenceLevel };
      const result =
        item.design === 'two-sample'
          ? hedgesG(reference.dataSets[item.dataSet]!.x, reference.dataSets[item.dataSet]!.y, options)
          : item.design === 'paired'
            ? pairedHedgesG(reference.paired.x, reference.paired.y, options)
            : oneSampleHedgesG(reference.oneSample, options);
      expectEstimate(result.d, item.d, `${label} d`);
      expectEstimate(result.g, item.g, `${label} g`);
      expectEstimate(result.estimate, item.g, `${label} estimate`);
      expectEstimate(result.t, item.t, `${label} t`, 't statistic');
      expect(result.df).toBe(item.df);
      expectEstimate(result.correction, item.correction, `${label} J`, 'correction');
      expectEstimate(result.ncpInterval[0], item.ncpInterval[0], `${label} ncp lower`, 'confidence limit');
      expectEstimate(result.ncpInterval[1], item.ncpInterval[1], `${label} ncp upper`, 'confidence limit');
      expectEstimate(result.ciD[0], item.ciD[0], `${label} ci d lower`, 'confidence limit');
      expectEstimate(result.ciD[1], item.ciD[1], `${label} ci d upper`, 'confidence limit');
      expectEstimate(result.ci[0], item.ciG[0], `${label} ci g lower`, 'confidence limit');
      expectEstimate(result.ci[1], item.ciG[1], `${label} ci g upper`, 'confidence limit');
      if (item.pooledSd !== undefined) {
        expectEstimate(result.standardizer, item.pooledSd, `${label} pooled sd`);
      }
    }
    expect(reference.cases).toHaveLength(8);
  });

  it("Cohen's d reports d and its interval as the estimate", () => {
    const { x, y } = reference.dataSets.balanced!;
    const d = cohensD(x, y);
    const g = hedgesG(x, y);
    expect(d.estimate).toBe(g.d);
    expect(d.ci).toEqual(g.ciD);
    expect(d.quantity).toBe('cohens-d');
    expect(g.estimator.name).toBe('hedges-g-two-sample');
    // g's t is Student's pooled t, so its p equals the Student t test's.
    expect(g.p).toBeCloseTo(studentTTest(x, y).p, 14);
  });

  it('works from summaries, and converts between d, g and t', () => {
    const fromSummaries = hedgesGFromSummaries({ mean: 1, sd: 2, n: 10 }, { mean: 0, sd: 2, n: 12 });
    expect(fromSummaries.d).toBeCloseTo(0.5, 14);
    expect(fromSummaries.g).toBeCloseTo(0.5 * hedgesCorrection(20), 14);
    expect(dFromT(tFromD(0.7, 8, 11), 8, 11)).toBeCloseTo(0.7, 14);
    expect(dFromG(gFromD(0.7, 8, 11), 8, 11)).toBeCloseTo(0.7, 14);
  });

  it('fails loudly on a zero SD or too few observations', () => {
    expect(() => hedgesG([1, 1, 1], [2, 2, 2])).toThrow(/pooled standard deviation is zero/);
    expect(() => hedgesG([1], [2, 3])).toThrow(/n1 \+ n2 >= 4/);
    expect(() => pairedHedgesG([1, 2, 3], [1, 2])).toThrow(/differ in length/);
    expect(() => hedgesG([1, 2, Number.POSITIVE_INFINITY], [1, 2, 3])).toThrow(StatisticsError);
  });
});
