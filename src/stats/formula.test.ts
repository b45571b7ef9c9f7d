import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { parseFormula } from './formula.js';
import { buildFixedDesign, buildRandomTerms, ModelFrame } from './model-frame.js';

interface FormulaReference {
  formula: string;
  response: string;
  intercept: boolean;
  termLabels: string[];
  columns: string[];
  random?: { group: string; columns: string[]; levels: number }[];
  randomLevels?: Record<string, string[]>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/reference/models-formulas.json', import.meta.url), 'utf8'),
) as { data: Record<string, (number | string)[]>; formulas: FormulaReference[] };

describe('formulas as R and lme4 expand them', () => {
  const frame = new ModelFrame(fixture.data);
  for (const reference of fixture.formulas) {
    it(reference.formula, () => {
      const parsed = parseFormula(reference.formula);
      expect(parsed.response).toBe(reference.response);
      expect(parsed.intercept).toBe(reference.intercept);
      expect(parsed.fixedTerms.map((term) => term.label)).toEqual(reference.termLabels);
      expect(buildFixedDesign(frame, parsed).columns).toEqual(reference.columns);
      const random = buildRandomTerms(frame, parsed);
      expect(random.map((term) => ({ group: term.group, columns: term.columns, levels: term.levels.length }))).toEqual(
        reference.random ?? [],
      );
      for (const term of random) {
        expect(term.levels).toEqual(reference.randomLevels?.[term.group]);
      }
    });
  }
});

describe('parseFormula', () => {
  it('expands nested grouping factors innermost first, as lme4 does', () => {
    const parsed = parseFormula('y ~ k + (1 | language/run/agent)');
    expect(parsed.randomTerms.map((term) => term.group)).toEqual(['agent:run:language', 'run:language', 'language']);
    expect(parsed.randomTerms[0]!.groupVariables).toEqual(['agent', 'run', 'language']);
  });

  it('splits || into uncorrelated terms and writes each back in R syntax', () => {
    const parsed = parseFormula('y ~ x + (1 + x + z || g)');
    expect(parsed.randomTerms.map((term) => term.text)).toEqual(['(1 | g)', '(0 + x | g)', '(0 + z | g)']);
    expect(parsed.randomTerms.map((term) => term.intercept)).toEqual([true, false, false]);
  });

  it('lists every variable once, response first, in order of appearance', () => {
    expect(parseFormula('cpi ~ k * language_group + (1 + k | language)').variables).toEqual([
      'cpi',
      'k',
      'language_group',
      'language',
    ]);
  });

  it('accepts backtick-quoted names and quotes them in term labels as R does', () => {
    const parsed = parseFormula('`my score` ~ `dose level` + x');
    expect(parsed.response).toBe('my score');
    expect(parsed.fixedTerms.map((term) => term.label)).toEqual(['`dose level`', 'x']);
    expect(parsed.fixedTerms[0]!.variables).toEqual(['dose level']);
  });

  it('handles intercept removal written in any of the ways R accepts', () => {
    for (const text of ['y ~ 0 + x', 'y ~ x - 1', 'y ~ -1 + x', 'y ~ x + 0']) {
      expect(parseFormula(text).intercept, text).toBe(false);
    }
    expect(parseFormula('y ~ x - 1 + 1').intercept).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['~ x', /response/],
    ['y ~', /predictors/],
    ['y ~ log(x)', /functions such as log\(\) are not supported/],
    ['y ~ x + 2', /only numbers allowed/],
    ['y ~ (x', /expected '\)'/],
    ['y ~ x $ z', /unexpected character/],
    ['y ~ x * (1 | g)', /only be added/],
    ['y ~ x - (1 | g)', /cannot be subtracted/],
    ['y ~ x + (1 | log(g))', /not supported/],
    ['y ~ x + (0 | g)', /has no columns/],
    ['y ~ y + x', /also appears as a predictor/],
    ['y ~ .', /not supported/],
    ['y + z ~ x', /one column name/],
    ['y ~ x^2', /crossed with itself/],
  ])('rejects %j with a StatisticsError', (text, message) => {
    expect(() => parseFormula(text)).toThrow(StatisticsError);
    expect(() => parseFormula(text)).toThrow(message);
  });

  it('points at the position of a syntax error', () => {
    try {
      parseFormula('y ~ x + ) z');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("unexpected ')'\ny ~ x + ) z\n        ^");
    }
  });
});
