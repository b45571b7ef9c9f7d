import { describe, expect, it } from 'vitest';
import { cochranQ } from './cochran-q.js';
import { recallInvariance } from './recall-invariance.js';

describe('recallInvariance', () => {
  // Two languages, n = 10 meanings, 4 of them detected in the first language only. Under
  // invariance each of the 4 informative meanings adds +1 or -1 to (first - second) with
  // probability 1/2, so the spread is |S| / 10 with S a sum of four signs:
  // P(|S| = 0) = 6/16, P(|S| = 2) = 8/16, P(|S| = 4) = 2/16.
  const rows = [
    ...Array.from({ length: 4 }, () => [true, false]),
    ...Array.from({ length: 3 }, () => [true, true]),
    ...Array.from({ length: 3 }, () => [false, false]),
  ];

  it('compares the observed spread with its exact permutation distribution', () => {
    const result = recallInvariance(rows, { permutations: 20_000, seed: 7 });
    expect(result.meanings).toBe(10);
    expect(result.languages).toBe(2);
    expect(result.spread).toBeCloseTo(0.4, 12);
    expect(result.spreadUnderInvariance.median).toBeCloseTo(0.2, 12);
    expect(result.spreadUnderInvariance.quantile95).toBeCloseTo(0.4, 12);
    // P(spread >= 0.4) = 2/16; 20,000 draws put the estimate within 0.01 of it (SE 0.0023).
    expect(Math.abs(result.spreadUnderInvariance.pValue - 0.125)).toBeLessThan(0.01);
  });

  it("carries Cochran's Q of the same table", () => {
    const result = recallInvariance(rows, { permutations: 100 });
    const q = cochranQ(rows);
    expect(result.cochranQ.statistic).toBe(q.statistic);
    expect(result.cochranQ.pValue).toBe(q.pValue);
    expect(result.cochranQ.degreesOfFreedom).toBe(1);
  });

  it('finds nothing to explain when every meaning is detected alike in every language', () => {
    const constant = [
      [true, true, true],
      [false, false, false],
    ];
    const result = recallInvariance(constant, { permutations: 500 });
    expect(result.spread).toBe(0);
    expect(result.spreadUnderInvariance.median).toBe(0);
    expect(result.spreadUnderInvariance.pValue).toBe(1);
    expect(result.cochranQ.statistic).toBeNull();
    expect(result.cochranQ.pValue).toBeNull();
  });

  it('is reproducible from its seed and does not change its input', () => {
    const copy = rows.map((row) => [...row]);
    const first = recallInvariance(rows, { permutations: 2_000, seed: 11 });
    expect(recallInvariance(rows, { permutations: 2_000, seed: 11 })).toEqual(first);
    expect(rows).toEqual(copy);
  });

  it('refuses a table it cannot test', () => {
    expect(() => recallInvariance([])).toThrow(RangeError);
    expect(() => recallInvariance([[true]])).toThrow(RangeError);
    expect(() => recallInvariance(rows, { permutations: 0 })).toThrow(RangeError);
  });
});
