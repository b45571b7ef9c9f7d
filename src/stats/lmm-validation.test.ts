import { describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { fitLmm, testLmmContrast } from './lmm.js';
import { simulateRandomSlopesData } from './lmm-simulate.js';
import { columnsFromRows } from './model-frame.js';
import { fitOls } from './ols.js';

const data = simulateRandomSlopesData({ rows: 240, groups: 8, seed: 7 });

describe('fitLmm output', () => {
  const fit = fitLmm({ formula: 'y ~ x + (1 + x | g)', data });

  it('has exactly the fields backfire stats lmm --json prints', () => {
    const json = JSON.parse(JSON.stringify(fit)) as Record<string, unknown>;
    for (const field of [
      'fixed',
      'random',
      'residualVariance',
      'logLik',
      'reml',
      'converged',
      'singular',
      'warnings',
    ]) {
      expect(json, field).toHaveProperty(field);
    }
    expect(Object.keys(fit.fixed[0]!)).toEqual(['term', 'estimate', 'se', 'df', 't', 'p']);
    expect(Object.keys(fit.random[0]!)).toEqual(['group', 'term', 'variance', 'sd']);
    expect(fit.fixed.map((row) => row.term)).toEqual(['(Intercept)', 'x']);
    expect(fit.random.map((row) => `${row.group}/${row.term}`)).toEqual(['g/(Intercept)', 'g/x']);
    expect(fit.correlations).toHaveLength(1);
    expect(fit.ngroups).toEqual({ g: 8 });
    expect(fit.nobs).toBe(240);
    expect(fit.conditionalModes).toHaveLength(16);
    expect(fit.estimator).toMatchObject({ name: 'lmm-reml', args: { formula: 'y ~ x + (1 + x | g)', reml: true } });
    // Nothing JSON cannot carry: every number finite.
    expect(JSON.stringify(fit)).not.toMatch(/NaN|Infinity/);
  });

  it('reports internally consistent numbers', () => {
    for (const row of fit.fixed) {
      expect(row.t).toBeCloseTo(row.estimate / row.se, 12);
      expect(row.p).toBeGreaterThan(0);
      expect(row.p).toBeLessThanOrEqual(1);
      expect(row.df).toBeGreaterThan(1);
      expect(row.df).toBeLessThan(240);
    }
    for (const row of fit.random) expect(row.sd).toBeCloseTo(Math.sqrt(row.variance), 12);
    expect(fit.sigma ** 2).toBeCloseTo(fit.residualVariance, 12);
    expect(fit.logLik).toBeCloseTo(-fit.deviance / 2, 9);
    expect(fit.npar).toBe(2 + 3 + 1);
    expect(fit.converged).toBe(true);
    expect(fit.warnings).toEqual([]);
  });

  it('gives the same fit for row objects as for columns', () => {
    const rows = data.y!.map((_, index) => ({ y: data.y![index]!, x: data.x![index]!, g: data.g![index]! }));
    const fromRows = fitLmm({ formula: 'y ~ x + (1 + x | g)', data: rows });
    expect(columnsFromRows(rows)).toEqual(data);
    expect(fromRows.fixed).toEqual(fit.fixed);
    expect(fromRows.logLik).toBe(fit.logLik);
  });

  it('tests contrasts given by position or by term name', () => {
    const byPosition = testLmmContrast(fit, [0, 1]);
    expect(byPosition.estimate).toBe(fit.fixed[1]!.estimate);
    expect(byPosition.df).toBeCloseTo(fit.fixed[1]!.df!, 9);
    expect(byPosition.p).toBeCloseTo(fit.fixed[1]!.p!, 12);
    const byName = testLmmContrast(fit, { '(Intercept)': 1, x: 10 });
    expect(byName.estimate).toBeCloseTo(fit.fixed[0]!.estimate + 10 * fit.fixed[1]!.estimate, 12);
    expect(() => testLmmContrast(fit, { z: 1 })).toThrow(/'z', which is not a fixed effect/);
    expect(() => testLmmContrast(fit, [1])).toThrow(/one weight per fixed effect/);
  });
});

describe('fitLmm warnings: never a silent wrong answer', () => {
  it('flags a singular fit', () => {
    // Every group holds the same values in another order: equal group means, so the
    // random-intercept variance estimate is exactly 0.
    const flat = {
      y: [0.1, 0.3, -0.2, 0.3, 0.5, 0.1, -0.2, 0.1, 0.5, 0.5, -0.2, 0.3],
      g: ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'],
    };
    const fit = fitLmm({ formula: 'y ~ 1 + (1 | g)', data: flat });
    expect(fit.singular).toBe(true);
    expect(fit.theta).toEqual([0]);
    expect(fit.random[0]!.variance).toBe(0);
    expect(fit.warnings.some((warning) => warning.startsWith('boundary (singular) fit'))).toBe(true);
    expect(fit.converged).toBe(true);
  });

  it('flags a fit that ran out of optimiser budget', () => {
    const fit = fitLmm({ formula: 'y ~ x + (1 + x | g)', data, maxEvaluations: 10 });
    expect(fit.converged).toBe(false);
    expect(fit.warnings.some((warning) => warning.includes('limit of 10 deviance evaluations'))).toBe(true);
  });

  it('drops aliased fixed-effect columns and says which', () => {
    const doubled = { ...data, x2: data.x!.map((value) => 2 * (value as number)) };
    const fit = fitLmm({ formula: 'y ~ x + x2 + (1 | g)', data: doubled });
    const reference = fitLmm({ formula: 'y ~ x + (1 | g)', data });
    expect(fit.aliased).toEqual(['x2']);
    expect(fit.fixed.map((row) => row.term)).toEqual(['(Intercept)', 'x']);
    expect(fit.fixed[1]!.estimate).toBeCloseTo(reference.fixed[1]!.estimate, 8);
    expect(fit.warnings.some((warning) => warning.includes('rank deficient so dropping 1 column(s): x2'))).toBe(true);
  });
});

describe('fitLmm and fitOls input errors', () => {
  it.each([
    [() => fitLmm({ formula: 'y ~ x', data }), /no random-effects term.*fitOls/],
    [() => fitOls({ formula: 'y ~ x + (1 | g)', data }), /random-effects terms; fit it as a mixed model/],
    [() => fitLmm({ formula: 'y ~ x + (1 | nope)', data }), /'nope' is not a column of the data/],
    [() => fitLmm({ formula: 'y ~ x + (1 | g)', data: { ...data, g: data.g!.map(() => 'same') } }), /only one level/],
    [
      () => fitLmm({ formula: 'y ~ x + (1 | id)', data: { ...data, id: data.y!.map((_, index) => `r${index}`) } }),
      /240 levels for 240 rows/,
    ],
    [
      () =>
        fitLmm({
          formula: 'y ~ x + (1 + x | id)',
          data: { ...data, id: data.y!.map((_, index) => `r${Math.floor(index / 2)}`) },
        }),
      /240 random effects for 240 rows/,
    ],
    [() => fitOls({ formula: 'y ~ g', data: { y: [1, 2, 3], g: ['a', 'b', 'c'] } }), /3 coefficients but only 3 rows/],
    [() => fitOls({ formula: 'y ~ 0', data: { y: [1, 2, 3] } }), /no predictors and no intercept/],
    [() => fitOls({ formula: 'y ~ x', data: { y: [2, 2, 2, 2], x: [1, 2, 3, 4] } }), /exactly \(is it constant\?\)/],
    [
      () => fitLmm({ formula: 'y ~ x + (1 | g)', data: { ...data, y: data.y!.map(() => 3) } }),
      /exactly \(is it constant\?\)/,
    ],
    [
      () =>
        fitLmm({
          formula: 'y ~ x + (1 | g)',
          data: { ...data, x: data.x!.map((value, index) => (index === 17 ? 'five' : value)) },
        }),
      /Column 'x' mixes numbers and text: row 18 holds "five"/,
    ],
  ])('rejects case %# with a StatisticsError', (run, message) => {
    expect(run).toThrow(StatisticsError);
    expect(run).toThrow(message);
  });
});

describe('fitOls with aliased columns', () => {
  it('drops a column that is a multiple of another, as lm() reports NA for it', () => {
    const doubled = { ...data, x2: data.x!.map((value) => 2 * (value as number)) };
    const fit = fitOls({ formula: 'y ~ x + x2', data: doubled });
    const reference = fitOls({ formula: 'y ~ x', data });
    expect(fit.aliased).toEqual(['x2']);
    expect(fit.coefficients.map((row) => row.term)).toEqual(['(Intercept)', 'x']);
    expect(fit.coefficients[1]!.estimate).toBeCloseTo(reference.coefficients[1]!.estimate, 10);
    expect(fit.rSquared).toBeCloseTo(reference.rSquared, 12);
    expect(fit.warnings[0]).toMatch(/not defined because of singularities.*x2/);
  });
});

describe('fitLmm speed', () => {
  it('fits correlated random slopes on 1,200 rows in 16 groups well inside the 50 ms budget', () => {
    // The benchmark (bench/lmm.bench.ts) measures the target; this guards against regressions in
    // complexity (an O(n²) step would take seconds here) with a margin for a loaded CI machine.
    const times: number[] = [];
    for (let seed = 1; seed <= 7; seed += 1) {
      const generated = simulateRandomSlopesData({ rows: 1200, groups: 16, seed });
      const start = performance.now();
      const fit = fitLmm({ formula: 'y ~ x + (1 + x | g)', data: generated });
      times.push(performance.now() - start);
      expect(fit.converged).toBe(true);
    }
    times.sort((left, right) => left - right);
    expect(times[3]).toBeLessThan(250);
  });
});
