import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { compareModels } from './likelihood-ratio.js';
import { fitLmm } from './lmm.js';
import { fitOls } from './ols.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/reference/models-lmm-vs-ols.json', import.meta.url), 'utf8'),
) as {
  data: Record<string, (number | string)[]>;
  formulaLmm: string;
  formulaOls: string;
  reference: { lmmLogLik: number; olsLogLik: number; chisq: number; df: number; p: number };
};

describe('compareModels', () => {
  it('tests a random intercept against the model without it (lm), both ML, as in R', () => {
    const full = fitLmm({ formula: fixture.formulaLmm, data: fixture.data, reml: false });
    const reduced = fitOls({ formula: fixture.formulaOls, data: fixture.data });
    const test = compareModels(reduced, full);
    expect(test.reduced.logLik).toBeCloseTo(fixture.reference.olsLogLik, 9);
    expect(test.full.logLik).toBeCloseTo(fixture.reference.lmmLogLik, 9);
    expect(test.df).toBe(fixture.reference.df);
    expect(Math.abs(test.chisq - fixture.reference.chisq) / fixture.reference.chisq).toBeLessThan(1e-6);
    expect(Math.abs(test.p - fixture.reference.p) / fixture.reference.p).toBeLessThan(1e-4);
    expect(test.refitted).toBe(false);
    expect(test.estimator.name).toBe('likelihood-ratio-test');
  });

  it('refits a REML model with ML and says so', () => {
    const full = fitLmm({ formula: fixture.formulaLmm, data: fixture.data });
    const reduced = fitOls({ formula: fixture.formulaOls, data: fixture.data });
    const test = compareModels(reduced, full);
    expect(test.refitted).toBe(true);
    expect(test.full.logLik).toBeCloseTo(fixture.reference.lmmLogLik, 9);
  });

  it('rejects comparisons it cannot make', () => {
    const lmm = fitLmm({ formula: fixture.formulaLmm, data: fixture.data, reml: false });
    const ols = fitOls({ formula: fixture.formulaOls, data: fixture.data });
    expect(() => compareModels(lmm, ols)).toThrow(StatisticsError);
    const fewerRows = Object.fromEntries(Object.entries(fixture.data).map(([name, values]) => [name, values.slice(1)]));
    const other = fitLmm({ formula: fixture.formulaLmm, data: fewerRows, reml: false });
    expect(() => compareModels(ols, other)).toThrow(/different numbers of rows/);
    expect(() => compareModels(lmm, lmm)).toThrow(/more parameters/);
    const detached = JSON.parse(JSON.stringify(fitLmm({ formula: fixture.formulaLmm, data: fixture.data })));
    expect(() => compareModels(ols, detached)).toThrow(/cannot be refitted here/);
  });
});
