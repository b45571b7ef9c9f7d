import { describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { parseFormula } from './formula.js';
import {
  buildFixedDesign,
  buildRandomTerms,
  columnsFromRows,
  compareCodePoints,
  ModelFrame,
  responseVector,
} from './model-frame.js';

function design(formula: string, data: ConstructorParameters<typeof ModelFrame>[0], options = {}) {
  const frame = new ModelFrame(data, options);
  const parsed = parseFormula(formula);
  responseVector(frame, parsed);
  return buildFixedDesign(frame, parsed);
}

describe('ModelFrame', () => {
  it('accepts row objects and columns alike', () => {
    const rows = [
      { y: 1, g: 'b' },
      { y: 2, g: 'a' },
      { y: 4, g: 'b' },
    ];
    expect(columnsFromRows(rows)).toEqual({ y: [1, 2, 4], g: ['b', 'a', 'b'] });
    const fromRows = design('y ~ g', rows);
    const fromColumns = design('y ~ g', columnsFromRows(rows));
    expect(fromRows).toEqual(fromColumns);
    expect(fromRows.columns).toEqual(['(Intercept)', 'gb']);
    expect(Array.from(fromRows.values)).toEqual([1, 1, 1, 0, 1, 1]);
  });

  it('sorts factor levels by code point (R under the C locale), numbers numerically', () => {
    // Upper case before lower case in the C locale; astral characters after the BMP.
    const levels = ['b', 'B', 'a', 'é', '😀', 'ﬀ'].sort(compareCodePoints);
    expect(levels).toEqual(['B', 'a', 'b', 'é', 'ﬀ', '😀']);
    const frame = new ModelFrame({ g: ['b', 'B', 'a', 'b'], run: [10, 9, 100, 9] }, { factors: ['run'] });
    expect(frame.variable('g', 'predictor')).toMatchObject({ kind: 'factor', levels: ['B', 'a', 'b'] });
    expect(frame.variable('run', 'predictor')).toMatchObject({ kind: 'factor', levels: ['9', '10', '100'] });
  });

  it('keeps the spelling of text levels, even numeric-looking ones', () => {
    const frame = new ModelFrame({ run: ['007', '7', '10', '7'] });
    expect(frame.variable('run', 'grouping')).toMatchObject({ levels: ['007', '10', '7'] });
    expect(Array.from((frame.variable('run', 'grouping') as { codes: Int32Array }).codes)).toEqual([0, 2, 1, 2]);
  });

  it('sets the reference level like relevel() and the whole order like factor(levels =)', () => {
    const data = { y: [1, 2, 3, 4], g: ['en', 'ja', 'de', 'ja'] };
    expect(design('y ~ g', data).columns).toEqual(['(Intercept)', 'gen', 'gja']);
    expect(design('y ~ g', data, { referenceLevels: { g: 'ja' } }).columns).toEqual(['(Intercept)', 'gde', 'gen']);
    expect(design('y ~ g', data, { levels: { g: ['ja', 'en', 'de', 'fr'] } }).columns).toEqual([
      '(Intercept)',
      'gen',
      'gde',
    ]);
    expect(() => design('y ~ g', data, { referenceLevels: { g: 'fr' } })).toThrow(/'fr' does not occur/);
    expect(() => design('y ~ g', data, { levels: { g: ['ja', 'en'] } })).toThrow(/'de' at row 3/);
  });

  it('treats numeric strings as numbers and true/false as a two-level factor', () => {
    const frame = new ModelFrame({ y: ['1.5', ' 2', '3e0'], flag: [true, false, true] });
    expect(Array.from(responseVector(frame, parseFormula('y ~ flag')))).toEqual([1.5, 2, 3]);
    expect(buildFixedDesign(frame, parseFormula('y ~ flag')).columns).toEqual(['(Intercept)', 'flagTRUE']);
  });

  it.each([
    [{ y: [1, 2, 3] }, 'y ~ x', /Formula term 'x' is not a column of the data \(columns: y\)/],
    [{ y: [1, null, 3], x: [1, 2, 3] }, 'y ~ x', /Column 'y' has a missing value at row 2/],
    [{ y: [1, 2, 3], x: [1, Number.NaN, 3] }, 'y ~ x', /Column 'x' has a missing value at row 2/],
    [{ y: [1, 2, 3], x: [1, 'NA', 3] }, 'y ~ x', /Column 'x' has a missing value at row 2/],
    [{ y: [1, 2, 3], x: [1, 2, ''] }, 'y ~ x', /missing value at row 3/],
    [{ y: [1, 2, 3], x: [1, 'two', 3] }, 'y ~ x', /Column 'x' mixes numbers and text: row 2 holds "two"/],
    [{ y: [1, 'high', 3], x: [1, 2, 3] }, 'y ~ x', /Response column 'y' must be numeric, but row 2 holds "high"/],
    [{ y: [1, 2, 3], x: [1, Number.POSITIVE_INFINITY, 3] }, 'y ~ x', /non-finite value \(Infinity\) at row 2/],
    [{ y: [1, 2, 3], x: [1, 2] }, 'y ~ x', /differ in length/],
    [{ y: [1, 2, 3], x: [true, 'no', false] }, 'y ~ x', /mixes true\/false with text: row 2/],
  ])('rejects bad data %# with a StatisticsError naming column and row', (data, formula, message) => {
    expect(() => design(formula, data)).toThrow(StatisticsError);
    expect(() => design(formula, data)).toThrow(message);
  });

  it('lets a numeric column be a factor when listed in factors', () => {
    const data = { y: [1, 2, 3, 4], run: [2, 1, 2, 3] };
    expect(design('y ~ run', data).columns).toEqual(['(Intercept)', 'run']);
    expect(design('y ~ run', data, { factors: ['run'] }).columns).toEqual(['(Intercept)', 'run2', 'run3']);
  });

  it('rejects a grouping factor with one level', () => {
    const frame = new ModelFrame({ y: [1, 2, 3], g: ['a', 'a', 'a'] });
    expect(() => buildRandomTerms(frame, parseFormula('y ~ 1 + (1 | g)'))).toThrow(
      /Grouping factor 'g' has only one level \(a\)/,
    );
  });

  it('orders random-effects terms as lme4 does: by decreasing levels, ties reversed', () => {
    const rows = 24;
    const data = {
      y: Array.from({ length: rows }, (_, index) => index),
      a: Array.from({ length: rows }, (_, index) => `a${index % 3}`),
      b: Array.from({ length: rows }, (_, index) => `b${index % 3}`),
      c: Array.from({ length: rows }, (_, index) => `c${index % 6}`),
    };
    const frame = new ModelFrame(data);
    const groups = (text: string) => buildRandomTerms(frame, parseFormula(text)).map((term) => term.group);
    // Already non-increasing: kept as written.
    expect(groups('y ~ (1 | c) + (1 | a) + (1 | b)')).toEqual(['c', 'a', 'b']);
    // Otherwise rev(order(levels)): ties come out in reverse.
    expect(groups('y ~ (1 | a) + (1 | b) + (1 | c)')).toEqual(['c', 'b', 'a']);
  });
});
