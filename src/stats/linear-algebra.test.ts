import { describe, expect, it } from 'vitest';
import {
  applyQTranspose,
  choleskyAt,
  householderQr,
  inverseFromCholesky,
  solveUpperFromQr,
  symmetricEigen,
  unscaledCovarianceFromQr,
} from './linear-algebra.js';

describe('linear algebra kernels', () => {
  it('factors a positive-definite block in place and inverts it', () => {
    // Two 2 x 2 blocks side by side in one array; factor the second.
    const matrix = Float64Array.from([9, 9, 9, 9, 4, 2, 2, 3]);
    expect(choleskyAt(matrix, 4, 2)).toBe(true);
    expect(Array.from(matrix.subarray(0, 4))).toEqual([9, 9, 9, 9]);
    expect(matrix[4]).toBeCloseTo(2, 15);
    expect(matrix[6]).toBeCloseTo(1, 15);
    expect(matrix[7]).toBeCloseTo(Math.SQRT2, 15);
    expect(matrix[5]).toBe(0);
    const inverse = inverseFromCholesky(matrix.subarray(4), 2);
    // [[4, 2], [2, 3]]^-1 = [[3, -2], [-2, 4]] / 8
    [0.375, -0.25, -0.25, 0.5].forEach((value, index) => {
      expect(inverse[index]).toBeCloseTo(value, 14);
    });
    expect(choleskyAt(Float64Array.from([1, 2, 2, 1]), 0, 2)).toBe(false);
  });

  it('solves least squares by QR and moves an aliased column to the end, as lm() does', () => {
    // Columns: 1, x, 2x, z. The third is aliased.
    const x = [1, 2, 3, 4, 5, 6];
    const z = [0, 1, 0, 1, 1, 0];
    const rows = x.length;
    const design = new Float64Array(rows * 4);
    x.forEach((value, row) => {
      design.set([1, value, 2 * value, z[row]!], row * 4);
    });
    const y = Float64Array.from(x.map((value, row) => 1 + 0.5 * value - z[row]! + (row % 2 ? 0.1 : -0.1)));
    const qr = householderQr(design, rows, 4);
    expect(qr.rank).toBe(3);
    expect(qr.pivot).toEqual([0, 1, 3, 2]);
    const beta = solveUpperFromQr(qr, applyQTranspose(qr, y));
    // Normal equations on the kept columns hold: X'(y - Xb) = 0.
    for (const column of [0, 1, 3]) {
      let dot = 0;
      for (let row = 0; row < rows; row += 1) {
        const fitted = beta[0]! * design[row * 4]! + beta[1]! * design[row * 4 + 1]! + beta[2]! * design[row * 4 + 3]!;
        dot += design[row * 4 + column]! * (y[row]! - fitted);
      }
      expect(Math.abs(dot)).toBeLessThan(1e-12);
    }
    expect(unscaledCovarianceFromQr(qr)).toHaveLength(9);
  });

  it('returns eigenvalues in decreasing order with matching vectors', () => {
    const { values, vectors } = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors[0]![0]!)).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[0]![0]! * vectors[1]![0]!).toBeGreaterThan(0);
  });
});
