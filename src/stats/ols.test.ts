import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitOls } from './ols.js';

interface OlsReference {
  coefficients: { term: string; estimate: number; se: number; t: number; p: number }[];
  sigma: number;
  rSquared: number;
  adjustedRSquared: number;
  fStatistic?: number;
  fNumeratorDf?: number;
  fDenominatorDf?: number;
  fP?: number;
  residualDf: number;
  logLik: number;
  AIC: number;
  BIC: number;
  nobs: number;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/reference/models-ols.json', import.meta.url), 'utf8'),
) as {
  data: Record<string, (number | string)[]>;
  fits: { formula: string; levels: Record<string, string[]> | unknown[]; reference: OlsReference }[];
};

function relative(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe('fitOls against summary(lm())', () => {
  for (const fit of fixture.fits) {
    const levels = Array.isArray(fit.levels) ? undefined : fit.levels;
    const label = `${fit.formula}${levels === undefined ? '' : ` with levels ${JSON.stringify(levels)}`}`;
    it(label, () => {
      const result = fitOls({ formula: fit.formula, data: fixture.data, levels });
      const reference = fit.reference;
      expect(result.coefficients.map((row) => row.term)).toEqual(reference.coefficients.map((row) => row.term));
      reference.coefficients.forEach((expected, index) => {
        const actual = result.coefficients[index]!;
        expect(relative(actual.estimate, expected.estimate)).toBeLessThan(1e-9);
        expect(relative(actual.se, expected.se)).toBeLessThan(1e-9);
        expect(relative(actual.t, expected.t)).toBeLessThan(1e-9);
        expect(relative(actual.p, expected.p)).toBeLessThan(1e-8);
        expect(actual.df).toBe(reference.residualDf);
      });
      expect(relative(result.residualStandardError, reference.sigma)).toBeLessThan(1e-10);
      expect(relative(result.rSquared, reference.rSquared)).toBeLessThan(1e-10);
      expect(relative(result.adjustedRSquared, reference.adjustedRSquared)).toBeLessThan(1e-10);
      expect(relative(result.logLik, reference.logLik)).toBeLessThan(1e-10);
      expect(relative(result.AIC, reference.AIC)).toBeLessThan(1e-10);
      expect(relative(result.BIC, reference.BIC)).toBeLessThan(1e-10);
      expect(result.residualDf).toBe(reference.residualDf);
      expect(result.nobs).toBe(reference.nobs);
      if (typeof reference.fStatistic !== 'number') {
        expect(result.fStatistic).toBeNull();
      } else {
        expect(relative(result.fStatistic!.value, reference.fStatistic)).toBeLessThan(1e-9);
        expect(result.fStatistic!.numeratorDf).toBe(reference.fNumeratorDf);
        expect(result.fStatistic!.denominatorDf).toBe(reference.fDenominatorDf);
        expect(relative(result.fStatistic!.p, reference.fP!)).toBeLessThan(1e-8);
      }
    });
  }
});
