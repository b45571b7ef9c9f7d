import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { StatisticsError } from '../contracts/index.js';
import {
  correlationBayesFactorFromR,
  integrateAdaptive,
  jzsLogBayesFactor,
  logHypergeometric2F1,
  oneSampleBayesFactor,
  pairedBayesFactor,
  pearsonBayesFactor,
  tTestBayesFactorFromT,
  twoSampleBayesFactor,
} from './bayes-factor.js';
import {
  expectLogBayesFactor,
  expectNear,
  readReferenceFixture,
  reportDeviations,
} from './tests-reference.test-support.js';

const PairSchema = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
const reference = readReferenceFixture(
  'bayes-factor',
  z.object({
    dataSets: z.record(z.string(), PairSchema),
    paired: PairSchema,
    oneSample: z.array(z.number()),
    tTests: z.array(
      z.object({
        design: z.enum(['one-sample', 'paired', 'two-sample']),
        dataSet: z.string(),
        rscale: z.number(),
        rscaleName: z.enum(['medium', 'wide', 'ultrawide']),
        mu: z.number(),
        logBf10: z.number(),
      }),
    ),
    fromT: z.array(
      z.object({ t: z.number(), n1: z.number(), n2: z.number(), rscale: z.number(), logBf10: z.number() }),
    ),
    highPrecision: z.array(
      z.object({ t: z.number(), n1: z.number(), n2: z.number(), rscale: z.number(), logBf10: z.number() }),
    ),
    correlationData: PairSchema,
    correlation: z.array(
      z.object({ rscale: z.number(), rscaleName: z.enum(['medium', 'wide', 'ultrawide']), logBf10: z.number() }),
    ),
    correlationGrid: z.array(z.object({ r: z.number(), n: z.number(), rscale: z.number(), logBf10: z.number() })),
  }),
);

afterAll(() => reportDeviations('bayes-factor.test.ts'));

describe('JZS t-test Bayes factors against BayesFactor::ttestBF', () => {
  it('match on the data sets for one-sample, paired and two-sample designs, named scales', () => {
    for (const item of reference.tTests) {
      const label = `${item.design} ${item.dataSet} ${item.rscaleName} mu=${item.mu}`;
      const options = { rScale: item.rscaleName };
      const result =
        item.design === 'one-sample'
          ? oneSampleBayesFactor(reference.oneSample, { ...options, mu: item.mu })
          : item.design === 'paired'
            ? pairedBayesFactor(reference.paired.x, reference.paired.y, options)
            : twoSampleBayesFactor(reference.dataSets[item.dataSet]!.x, reference.dataSets[item.dataSet]!.y, options);
      expectLogBayesFactor(result.logBf10, item.logBf10, label);
      expect(result.rScale).toBeCloseTo(item.rscale, 13);
      expect(result.design).toBe(item.design);
    }
    expect(reference.tTests).toHaveLength(18);
  });

  it('match ttest.tstat over a grid of t, sample sizes and numeric scales', () => {
    for (const item of reference.fromT) {
      const label = `t=${item.t} n1=${item.n1} n2=${item.n2} r=${item.rscale}`;
      const result =
        item.n2 === 0
          ? tTestBayesFactorFromT(item.t, item.n1, undefined, { rScale: item.rscale })
          : tTestBayesFactorFromT(item.t, item.n1, item.n2, { rScale: item.rscale });
      expectLogBayesFactor(result.logBf10, item.logBf10, label);
    }
    expect(reference.fromT).toHaveLength(90);
  });

  it('match a tight-tolerance integral over g in R to 1e-9 (tighter than BayesFactor itself)', () => {
    for (const item of reference.highPrecision) {
      const result =
        item.n2 === 0
          ? tTestBayesFactorFromT(item.t, item.n1, undefined, { rScale: item.rscale })
          : tTestBayesFactorFromT(item.t, item.n1, item.n2, { rScale: item.rscale });
      expectNear(result.logBf10, item.logBf10, {
        kind: 'absolute',
        tolerance: 1e-9,
        quantity: 'log BF10 (R integrate over g, rel.tol 1e-13)',
        label: `t=${item.t} n1=${item.n1} n2=${item.n2}`,
      });
    }
    // docs/paper-notes.md's two contrasts: BF10 = 1.9 for g = 0.771 and about 990 for g = -1.844.
    expect(tTestBayesFactorFromT(2.17, 15, 15).bf10).toBeCloseTo(1.905, 3);
    expect(tTestBayesFactorFromT(-5.19, 15, 15).bf10).toBeGreaterThan(900);
  });

  it('stay finite on the log scale when BF10 itself overflows', () => {
    const huge = tTestBayesFactorFromT(80, 400, 400);
    expect(huge.bf10).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(huge.logBf10)).toBe(true);
    expect(huge.logBf10).toBeGreaterThan(700);
    // Symmetric in t, and bf01 is the reciprocal.
    const positive = tTestBayesFactorFromT(2.5, 20);
    const negative = tTestBayesFactorFromT(-2.5, 20);
    expect(negative.logBf10).toBeCloseTo(positive.logBf10, 12);
    expect(positive.bf01 * positive.bf10).toBeCloseTo(1, 14);
  });

  it('favours H0 at t = 0 more strongly as n grows (consistency)', () => {
    const small = jzsLogBayesFactor(0, 10, 9, Math.SQRT2 / 2);
    const large = jzsLogBayesFactor(0, 1000, 999, Math.SQRT2 / 2);
    expect(small).toBeLessThan(0);
    expect(large).toBeLessThan(small - 2);
  });

  it('records the estimator and refuses bad scales', () => {
    const result = tTestBayesFactorFromT(2, 15, 15, { rScale: 'wide' });
    expect(result.estimator).toEqual({
      name: 'jzs-bayes-factor-two-sample',
      version: '1.0.0',
      args: { rScale: 1, prior: 'cauchy', integration: 'gauss-kronrod-log-g' },
    });
    expect(() => tTestBayesFactorFromT(2, 15, 15, { rScale: -1 })).toThrow(StatisticsError);
    expect(() => tTestBayesFactorFromT(2, 1)).toThrow(StatisticsError);
  });
});

describe('correlation Bayes factors against BayesFactor::correlationBF', () => {
  it('match on data for the named scales', () => {
    const { x, y } = reference.correlationData;
    for (const item of reference.correlation) {
      const result = pearsonBayesFactor(x, y, { rScale: item.rscaleName });
      expectLogBayesFactor(result.logBf10, item.logBf10, `correlation ${item.rscaleName}`);
      expect(result.rScale).toBeCloseTo(item.rscale, 13);
    }
  });

  it('match the exact formula over a grid of r, n and kappa', () => {
    for (const item of reference.correlationGrid) {
      const result = correlationBayesFactorFromR(item.r, item.n, { rScale: item.rscale });
      expectLogBayesFactor(result.logBf10, item.logBf10, `r=${item.r} n=${item.n} kappa=${item.rscale}`);
    }
    expect(reference.correlationGrid).toHaveLength(84);
  });

  it('is infinite for |r| = 1 with a warning, and refuses n < 3', () => {
    const perfect = correlationBayesFactorFromR(1, 10);
    expect(perfect.logBf10).toBe(Number.POSITIVE_INFINITY);
    expect(perfect.warnings).toHaveLength(1);
    expect(() => correlationBayesFactorFromR(0.5, 2)).toThrow(StatisticsError);
  });
});

describe('numerical building blocks', () => {
  it('Gauss–Kronrod integrates smooth functions to near machine precision', () => {
    expect(integrateAdaptive((x) => x ** 21, 0, 1).value).toBeCloseTo(1 / 22, 15);
    expect(integrateAdaptive(Math.exp, -1, 2).value).toBeCloseTo(Math.exp(2) - Math.exp(-1), 13);
    expect(integrateAdaptive((x) => Math.exp(-x * x), -8, 8).value).toBeCloseTo(Math.sqrt(Math.PI), 13);
  });

  it('2F1 series agrees with closed forms', () => {
    // 2F1(1, 1; 2; z) = -log(1 - z) / z.
    expect(logHypergeometric2F1(1, 1, 2, 0.9)).toBeCloseTo(Math.log(-Math.log(0.1) / 0.9), 13);
    // 2F1(a, b; b; z) = (1 - z)^(-a).
    expect(logHypergeometric2F1(7.5, 3, 3, 0.99)).toBeCloseTo(-7.5 * Math.log(0.01), 11);
  });
});
