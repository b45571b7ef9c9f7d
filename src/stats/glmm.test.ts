import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { fitGlm } from './glm.js';
import { fitGlmm, gaussHermiteRule } from './glmm.js';

/**
 * GLMMs and GLMs against test/fixtures/reference/glmm.json (scripts/reference/glmm.R, lme4 1.1-31).
 * Tolerances (src/stats/README.md says why):
 * - against lme4's deviance at its exact optimum (`reference`): estimates and θ 1e-6, SEs and z
 *   5e-5 relative (lme4's Hessian is a one-step central difference), p 1e-5, logLik and AIC 1e-6;
 * - against what glmer returns with its default control (`bobyqa`) and with Nelder_Mead: 1e-3
 *   relative on estimates (several times the spread between lme4's two optimisers, recorded in
 *   each case's `spread`), 1e-4 on logLik, 2e-2 relative on SEs and 2e-3 on p (lme4's default
 *   SEs differ from its exact-optimum SEs by up to 1%: PIRLS noise in a finite-difference Hessian);
 * - GLMs against glm(): 1e-9 relative (the same IRLS, step for step).
 */

interface FixedRow {
  term: string;
  estimate: number;
  se: number;
  z: number;
  p: number;
}

interface GlmmFitReference {
  fixed: FixedRow[];
  random: { group: string; term: string; variance: number; sd: number }[];
  correlations: { group: string; term1: string; term2: string; correlation: number }[];
  logLik: number;
  df: number;
  AIC: number;
  BIC: number;
  deviance: number;
  theta: number[];
  singular: boolean;
  nobs: number;
  ngroups: Record<string, number>;
}

interface Case {
  kind: 'glmm' | 'glm';
  name: string;
  formula: string;
  family: 'binomial' | 'poisson';
  nAGQ?: number;
  data: Record<string, (number | string)[]>;
  reference: GlmmFitReference;
  bobyqa: GlmmFitReference;
  nelderMead: GlmmFitReference;
  spread: Record<string, number>;
  fit: {
    fixed: FixedRow[];
    logLik: number;
    df: number;
    AIC: number;
    BIC: number;
    deviance: number;
    nullDeviance: number;
    dfResidual: number;
    dfNull: number;
  };
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/reference/glmm.json', import.meta.url), 'utf8'),
) as { cases: Case[] };
const deviations = new Map<string, number>();
function note(key: string, value: number): void {
  deviations.set(key, Math.max(deviations.get(key) ?? 0, value));
}
function relative(actual: number, expected: number, floor = 1e-8): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
}
afterAll(() => {
  if (process.env.BACKFIRE_REPORT_DEVIATIONS) {
    for (const [key, value] of deviations) process.stdout.write(`${key}: ${value.toExponential(2)}\n`);
  }
});

describe('fitGlmm equals lme4::glmer', () => {
  for (const reference of fixture.cases.filter((entry) => entry.kind === 'glmm')) {
    it(`${reference.name}: ${reference.formula} (${reference.family}, nAGQ = ${reference.nAGQ})`, () => {
      const fit = fitGlmm({
        formula: reference.formula,
        data: reference.data,
        family: reference.family,
        nAGQ: reference.nAGQ ?? 1,
      });
      const exact = reference.reference;
      expect(fit.fixed.map((row) => row.term)).toEqual(exact.fixed.map((row) => row.term));
      fit.fixed.forEach((row, index) => {
        const expected = exact.fixed[index]!;
        const estimate = relative(row.estimate, expected.estimate, 1e-3);
        const se = relative(row.se, expected.se);
        const z = relative(row.z, expected.z, 1e-3);
        const p = Math.abs(row.p - expected.p);
        note('estimate (exact optimum)', estimate);
        note('se', se);
        note('z', z);
        note('p', p);
        expect(estimate).toBeLessThan(1e-6);
        expect(se).toBeLessThan(5e-5);
        expect(z).toBeLessThan(5e-5);
        expect(p).toBeLessThan(1e-5);
        for (const other of [reference.bobyqa, reference.nelderMead]) {
          const theirs = other.fixed[index]!;
          const versusDefault = relative(row.estimate, theirs.estimate, 1e-2);
          note('estimate (lme4 default control)', versusDefault);
          expect(versusDefault).toBeLessThan(1e-3);
          // lme4's default SEs come from a finite-difference Hessian of an objective whose PIRLS
          // stops at 1e-7: they move by up to 1% against lme4's own exact-optimum SEs.
          note('se (lme4 default control)', relative(row.se, theirs.se));
          note('p (lme4 default control)', Math.abs(row.p - theirs.p));
          expect(relative(row.se, theirs.se)).toBeLessThan(2e-2);
          expect(Math.abs(row.p - theirs.p)).toBeLessThan(2e-3);
        }
      });
      fit.theta.forEach((value, index) => {
        note('theta', Math.abs(value - exact.theta[index]!));
        expect(Math.abs(value - exact.theta[index]!)).toBeLessThan(1e-6);
      });
      fit.random.forEach((row, index) => {
        expect(row.group).toBe(exact.random[index]!.group);
        expect(row.term).toBe(exact.random[index]!.term);
        expect(Math.abs(row.variance - exact.random[index]!.variance)).toBeLessThan(1e-6);
      });
      fit.correlations.forEach((row, index) => {
        expect(Math.abs((row.correlation ?? Number.NaN) - exact.correlations[index]!.correlation)).toBeLessThan(1e-5);
      });
      note('logLik', Math.abs(fit.logLik - exact.logLik));
      expect(Math.abs(fit.logLik - exact.logLik)).toBeLessThan(1e-6);
      expect(Math.abs(fit.logLik - reference.bobyqa.logLik)).toBeLessThan(1e-4);
      expect(Math.abs(fit.AIC - exact.AIC)).toBeLessThan(1e-6);
      expect(Math.abs(fit.BIC - exact.BIC)).toBeLessThan(1e-6);
      expect(fit.npar).toBe(exact.df);
      note('deviance', Math.abs(fit.deviance - exact.deviance));
      expect(Math.abs(fit.deviance - exact.deviance)).toBeLessThan(1e-5);
      expect(fit.singular).toBe(exact.singular);
      expect(fit.nobs).toBe(exact.nobs);
      expect(fit.ngroups).toEqual(exact.ngroups);
      expect(fit.converged).toBe(true);
      if (exact.singular) expect(fit.warnings.join(' ')).toMatch(/singular/);
    });
  }
});

describe('fitGlm equals glm()', () => {
  for (const reference of fixture.cases.filter((entry) => entry.kind === 'glm')) {
    it(`${reference.name}: ${reference.formula} (${reference.family})`, () => {
      const fit = fitGlm({ formula: reference.formula, data: reference.data, family: reference.family });
      expect(fit.fixed.map((row) => row.term)).toEqual(reference.fit.fixed.map((row) => row.term));
      fit.fixed.forEach((row, index) => {
        const expected = reference.fit.fixed[index]!;
        for (const key of ['estimate', 'se', 'z'] as const) {
          expect(relative(row[key], expected[key])).toBeLessThan(1e-9);
        }
        expect(Math.abs(row.p - expected.p)).toBeLessThan(1e-12);
      });
      for (const key of ['logLik', 'AIC', 'BIC', 'deviance', 'nullDeviance'] as const) {
        expect(relative(fit[key], reference.fit[key])).toBeLessThan(1e-10);
      }
      expect(fit.dfResidual).toBe(reference.fit.dfResidual);
      expect(fit.dfNull).toBe(reference.fit.dfNull);
    });
  }
});

describe('GLMM input and structure', () => {
  const counts = fixture.cases.find((entry) => entry.name === 'binomial-counts-intercept')!;
  const slopes = fixture.cases.find((entry) => entry.name === 'binomial-binary-slopes')!;

  it('refuses adaptive quadrature with more than one scalar random effect', () => {
    expect(() => fitGlmm({ formula: slopes.formula, data: slopes.data, family: 'binomial', nAGQ: 9 })).toThrow(
      /single scalar random-effects term/,
    );
  });

  it('refuses counts that are not whole, non-negative numbers and cbind with Poisson', () => {
    const data = {
      ...counts.data,
      conformity: counts.data.conformity!.map((value, index) => (index === 4 ? 2.5 : value)),
    };
    expect(() => fitGlmm({ formula: counts.formula, data, family: 'binomial' })).toThrow(/row 5/);
    expect(() => fitGlmm({ formula: counts.formula, data: counts.data, family: 'poisson' })).toThrow(StatisticsError);
    expect(() =>
      fitGlmm({ formula: 'conformity ~ k + (1 | language)', data: counts.data, family: 'binomial' }),
    ).toThrow(/0 or 1/);
  });

  it('Gauss-Hermite nodes integrate normal moments exactly', () => {
    const rule = gaussHermiteRule(9);
    const moment = (power: number) =>
      rule.nodes.reduce((sum, node, index) => sum + rule.weights[index]! * node ** power, 0);
    expect(moment(0)).toBeCloseTo(1, 14);
    expect(moment(2)).toBeCloseTo(1, 12);
    expect(moment(4)).toBeCloseTo(3, 11);
    expect(moment(16)).toBeCloseTo(2027025, 3);
  });

  it('names aliased fixed-effect columns in a warning', () => {
    const data = { ...counts.data, k2: counts.data.k!.map((value) => 2 * Number(value)) };
    const fit = fitGlmm({
      formula: 'cbind(conformity, individuation) ~ k + k2 + (1 | language)',
      data,
      family: 'binomial',
    });
    expect(fit.aliased).toEqual(['k2']);
    expect(fit.warnings.join(' ')).toMatch(/rank deficient.*k2/);
  });
});

describe('GLMM recovers a planted conformity rate', () => {
  it('the 95% Wald interval of the level covers the planted rate in most of 30 seeded studies', () => {
    // Runs in languages, as Study 3: conformity vs individuation counts per run, a planted rate of
    // 0.88 on the logit scale with language (sd 0.3) and run (sd 0.3) effects.
    const planted = Math.log(0.88 / 0.12);
    let covered = 0;
    for (let seed = 1; seed <= 30; seed += 1) {
      let state = seed * 7919;
      const uniform = () => {
        state = (state * 48271) % 2147483647;
        return state / 2147483647;
      };
      const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      const conformity: number[] = [];
      const individuation: number[] = [];
      const language: string[] = [];
      const run: string[] = [];
      for (let l = 0; l < 8; l += 1) {
        const languageEffect = 0.3 * normal();
        for (let r = 0; r < 6; r += 1) {
          const p = 1 / (1 + Math.exp(-(planted + languageEffect + 0.3 * normal())));
          const total = 20 + Math.floor(uniform() * 20);
          let hits = 0;
          for (let action = 0; action < total; action += 1) if (uniform() < p) hits += 1;
          conformity.push(hits);
          individuation.push(total - hits);
          language.push(`L${l}`);
          run.push(`L${l}-r${r}`);
        }
      }
      const fit = fitGlmm({
        formula: 'cbind(conformity, individuation) ~ 1 + (1 | language) + (1 | run)',
        data: { conformity, individuation, language, run },
        family: 'binomial',
      });
      const level = fit.fixed[0]!;
      if (Math.abs(level.estimate - planted) <= 1.959964 * level.se) covered += 1;
    }
    expect(covered).toBeGreaterThanOrEqual(24);
  });
});
