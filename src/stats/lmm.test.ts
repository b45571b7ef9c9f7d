import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { compareModels } from './likelihood-ratio.js';
import { fitLmm, type LmmFit, testLmmContrast } from './lmm.js';

/**
 * Every mixed model in test/fixtures/reference/models-lmm-*.json (written by
 * scripts/reference/models.R with lme4 and lmerTest) refitted here and compared: 1e-6 relative on
 * estimates, standard errors, variance components and log-likelihoods, 1e-4 on Satterthwaite df
 * and p-values. A variance that R puts at ~0 (near-singular fits) is compared on an absolute scale
 * relative to the residual variance, since its relative error is meaningless.
 */

interface LmmReference {
  fixed: { term: string; estimate: number; se: number; df: number; t: number; p: number }[];
  random: { group: string; term: string; variance: number; sd: number }[];
  correlations: { group: string; term1: string; term2: string; covariance: number; correlation: number | string }[];
  residualVariance: number;
  sigma: number;
  logLik: number;
  deviance: number;
  theta: number[];
  singular: boolean;
  nobs: number;
  ngroups: Record<string, number>;
  vcov: number[][];
  conditionalModes: { group: string; level: string; term: string; value: number }[];
  warnings: string[];
}

interface LmmFixtureFit {
  formula: string;
  reml: boolean;
  levels: Record<string, string[]> | unknown[];
  reference: LmmReference;
  contrasts: { weights: number[]; estimate: number; se: number; df: number; t: number; p: number }[];
  lme4Default: { fixed: number[]; theta: number[]; logLik: number };
}

interface LmmFixture {
  name: string;
  data: Record<string, (number | string)[]>;
  fits: LmmFixtureFit[];
  comparisons: {
    reduced: string;
    full: string;
    npar: number[];
    logLik: number[];
    deviance: number[];
    AIC: number[];
    BIC: number[];
    chisq: number;
    df: number;
    p: number;
  }[];
}

const directory = new URL('../../test/fixtures/reference/', import.meta.url);
const fixtures = readdirSync(directory)
  .filter((name) => /^models-lmm-.*\.json$/.test(name) && name !== 'models-lmm-vs-ols.json')
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as LmmFixture);

function relative(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

const worst: Record<string, { value: number; where: string }> = {};
function check(kind: string, where: string, actual: number, expected: number, tolerance: number, absolute = false) {
  const deviation = absolute ? Math.abs(actual - expected) : relative(actual, expected);
  if (!(deviation <= (worst[kind]?.value ?? -1))) worst[kind] = { value: deviation, where };
  expect(deviation, `${kind} of ${where}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(tolerance);
}

function levelsOf(fit: LmmFixtureFit): Record<string, string[]> | undefined {
  return Array.isArray(fit.levels) ? undefined : (fit.levels as Record<string, string[]>);
}

/** R names a second term on the same grouping factor `g.1`; we keep the factor's name. */
function groupName(name: string): string {
  return name.replace(/\.\d+$/, '');
}

const fitted = new Map<string, LmmFit>();
function fitFor(fixture: LmmFixture, fit: LmmFixtureFit): LmmFit {
  const key = `${fixture.name}|${fit.formula}|${fit.reml}|${JSON.stringify(fit.levels)}`;
  let result = fitted.get(key);
  if (result === undefined) {
    result = fitLmm({ formula: fit.formula, data: fixture.data, reml: fit.reml, levels: levelsOf(fit) });
    fitted.set(key, result);
  }
  return result;
}

describe('fitLmm against lme4 + lmerTest', () => {
  for (const fixture of fixtures) {
    for (const fit of fixture.fits) {
      const label = `${fixture.name}: ${fit.formula} (${fit.reml ? 'REML' : 'ML'})${levelsOf(fit) ? ' relevelled' : ''}`;
      it(label, () => {
        const result = fitFor(fixture, fit);
        const reference = fit.reference;
        const where = `${fit.formula} ${fit.reml ? 'REML' : 'ML'}`;

        expect(result.reml).toBe(fit.reml);
        expect(result.nobs).toBe(reference.nobs);
        expect(result.ngroups).toEqual(
          Object.fromEntries(Object.entries(reference.ngroups).map(([name, count]) => [groupName(name), count])),
        );
        expect(result.singular).toBe(reference.singular);
        expect(result.converged).toBe(true);
        // The same warnings as lme4/lmerTest (compared up to the colon; ours then explain more).
        const heading = (warning: string) => warning.split(':')[0];
        expect(result.warnings.map(heading)).toEqual(reference.warnings.map(heading));
        check('logLik', where, result.logLik, reference.logLik, 1e-6);
        check('deviance', where, result.deviance, reference.deviance, 1e-6);
        check('residualVariance', where, result.residualVariance, reference.residualVariance, 1e-6);

        expect(result.fixed.map((row) => row.term)).toEqual(reference.fixed.map((row) => row.term));
        reference.fixed.forEach((expected, index) => {
          const actual = result.fixed[index]!;
          check('estimate', `${where} ${expected.term}`, actual.estimate, expected.estimate, 1e-6);
          check('se', `${where} ${expected.term}`, actual.se, expected.se, 1e-6);
          check('t', `${where} ${expected.term}`, actual.t, expected.t, 1e-6);
          check('df', `${where} ${expected.term}`, actual.df!, expected.df, 1e-4);
          check('p', `${where} ${expected.term}`, actual.p!, expected.p, 1e-4);
        });
        reference.vcov.forEach((row, i) => {
          row.forEach((value, j) => {
            const scale = Math.sqrt(reference.vcov[i]![i]! * reference.vcov[j]![j]!);
            check('vcov', where, result.covariance[i]![j]! / scale, value / scale, 1e-6, true);
          });
        });

        expect(result.random.map((row) => `${row.group}/${row.term}`)).toEqual(
          reference.random.map((row) => `${groupName(row.group)}/${row.term}`),
        );
        reference.random.forEach((expected, index) => {
          const actual = result.random[index]!;
          if (expected.variance < 1e-8 * reference.residualVariance) {
            check(
              'variance ~0 (absolute, / sigma²)',
              where,
              actual.variance / reference.residualVariance,
              0,
              1e-8,
              true,
            );
          } else {
            check('variance', `${where} ${expected.group}/${expected.term}`, actual.variance, expected.variance, 1e-6);
            check('sd', `${where} ${expected.group}/${expected.term}`, actual.sd, expected.sd, 1e-6);
          }
        });
        expect(result.correlations.length).toBe(reference.correlations.length);
        reference.correlations.forEach((expected) => {
          const actual = result.correlations.find(
            (row) =>
              row.group === groupName(expected.group) && row.term1 === expected.term1 && row.term2 === expected.term2,
          );
          expect(actual, `correlation ${expected.term1}/${expected.term2}`).toBeDefined();
          if (typeof expected.correlation === 'number') {
            check('correlation (absolute)', where, actual!.correlation!, expected.correlation, 1e-6, true);
          }
        });

        // Absolute on the scale of the largest mode (all modes are 0 in a singular fit).
        const scale = Math.max(...reference.conditionalModes.map((row) => Math.abs(row.value))) || 1;
        const modes = new Map(
          result.conditionalModes.map((row) => [`${row.group}|${row.level}|${row.term}`, row.value]),
        );
        expect(modes.size).toBe(reference.conditionalModes.length);
        for (const expected of reference.conditionalModes) {
          const actual = modes.get(`${groupName(expected.group)}|${expected.level}|${expected.term}`);
          expect(actual, `conditional mode ${expected.group} ${expected.level} ${expected.term}`).toBeDefined();
          check('conditional mode (absolute, / max)', where, actual! / scale, expected.value / scale, 1e-6, true);
        }

        // lme4 with its default control stops ~1e-5 (theta) from the optimum; we are still within
        // that slack of it.
        fit.lme4Default.fixed.forEach((estimate, index) => {
          check('estimate vs lme4 default control', where, result.fixed[index]!.estimate, estimate, 1e-6);
        });
        check('logLik vs lme4 default control', where, result.logLik, fit.lme4Default.logLik, 1e-9);

        for (const contrast of fit.contrasts) {
          const test = testLmmContrast(result, contrast.weights);
          check('contrast estimate', where, test.estimate, contrast.estimate, 1e-6);
          check('contrast se', where, test.se, contrast.se, 1e-6);
          check('contrast df', where, test.df!, contrast.df, 1e-4);
          check('contrast p', where, test.p!, contrast.p, 1e-4);
        }
      });
    }
    for (const comparison of fixture.comparisons) {
      it(`${fixture.name}: anova(${comparison.reduced}, ${comparison.full})`, () => {
        const find = (formula: string) => {
          const fit = fixture.fits.find((candidate) => candidate.formula === formula && !candidate.reml)!;
          return fitFor(fixture, fit);
        };
        const test = compareModels(find(comparison.reduced), find(comparison.full));
        const where = `anova ${comparison.full}`;
        expect([test.reduced.npar, test.full.npar]).toEqual(comparison.npar);
        expect(test.df).toBe(comparison.df);
        check('anova chisq', where, test.chisq, comparison.chisq, 1e-6);
        check('anova p', where, test.p, comparison.p, 1e-4);
        check('anova AIC', where, test.full.AIC, comparison.AIC[1]!, 1e-6);
        check('anova BIC', where, test.reduced.BIC, comparison.BIC[0]!, 1e-6);
        check('anova logLik', where, test.full.logLik, comparison.logLik[1]!, 1e-6);
        expect(test.refitted).toBe(false);
      });
    }
  }
});

describe('likelihood-ratio refits', () => {
  const fixture = fixtures.find((candidate) => candidate.name === 'lmm-paper-interaction')!;
  it('refits REML models with ML before comparing, as anova() does', () => {
    const reduced = fitLmm({ formula: 'cpi ~ k + language_group + (1 | language)', data: fixture.data });
    const full = fitLmm({ formula: 'cpi ~ k * language_group + (1 | language)', data: fixture.data });
    const test = compareModels(reduced, full);
    const comparison = fixture.comparisons[0]!;
    expect(test.refitted).toBe(true);
    check('anova chisq (refit)', 'refit', test.chisq, comparison.chisq, 1e-6);
    check('anova p (refit)', 'refit', test.p, comparison.p, 1e-4);
  });
});

afterAll(() => {
  if (process.env.BACKFIRE_REPORT_DEVIATIONS !== '1') return;
  const lines = Object.entries(worst).map(
    ([kind, { value, where }]) => `  ${kind.padEnd(36)} ${value.toExponential(2)}  (${where})`,
  );
  console.info(`Largest deviations from lme4/lmerTest:\n${lines.join('\n')}`);
});
