import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cochranQ } from './cochran-q.js';

interface CochranCase {
  name: string;
  rows: number[][];
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}
const reference = JSON.parse(
  readFileSync(new URL('../../test/fixtures/reference/tests-cochran-q.json', import.meta.url), 'utf8'),
) as { cases: CochranCase[] };

describe("Cochran's Q against R (friedman.test on 0/1 data, scripts/reference/cochran.R)", () => {
  it.each(reference.cases)('$name', (reference) => {
    const result = cochranQ(reference.rows as (0 | 1)[][]);
    expect(result.statistic).toBeCloseTo(reference.statistic, 10);
    expect(result.degreesOfFreedom).toBe(reference.degreesOfFreedom);
    expect(result.pValue).toBeCloseTo(reference.pValue, 10);
    expect(result.blocks).toBe(reference.rows.length);
  });

  it('is undefined when every block is constant, and refuses ragged or empty tables', () => {
    const constant = cochranQ([
      [true, true, true],
      [false, false, false],
    ]);
    expect(constant.statistic).toBeNaN();
    expect(constant.informativeBlocks).toBe(0);
    expect(() => cochranQ([])).toThrow(RangeError);
    expect(() => cochranQ([[1, 0], [1]])).toThrow(/block 1/);
  });
});
