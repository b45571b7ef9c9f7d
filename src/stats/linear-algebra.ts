import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Dense linear algebra on row-major Float64Arrays: the small kernels the model fitters call in
 * their inner loops (where ml-matrix's object-per-matrix overhead would dominate), plus a
 * symmetric eigendecomposition delegated to ml-matrix.
 */

/**
 * Lower Cholesky factor, in place, of the symmetric positive-definite n x n block stored row-major
 * at `offset` (blocks let callers keep many small factors in one array): on return the lower
 * triangle holds L with A = L L' and the strict upper triangle is zeroed. Only the lower triangle
 * of A is read. Returns false when a pivot is not positive.
 */
export function choleskyAt(matrix: Float64Array, offset: number, size: number): boolean {
  for (let column = 0; column < size; column += 1) {
    const diagonalIndex = offset + column * size + column;
    let diagonal = matrix[diagonalIndex]!;
    for (let k = 0; k < column; k += 1) {
      const value = matrix[offset + column * size + k]!;
      diagonal -= value * value;
    }
    if (!(diagonal > 0)) return false;
    const pivot = Math.sqrt(diagonal);
    matrix[diagonalIndex] = pivot;
    for (let row = column + 1; row < size; row += 1) {
      let sum = matrix[offset + row * size + column]!;
      for (let k = 0; k < column; k += 1) sum -= matrix[offset + row * size + k]! * matrix[offset + column * size + k]!;
      matrix[offset + row * size + column] = sum / pivot;
    }
    for (let k = column + 1; k < size; k += 1) matrix[offset + column * size + k] = 0;
  }
  return true;
}

/** Solves L x = b in place; L at lowerOffset (n x n), b at rightOffset (n x columns). */
export function forwardSolveAt(
  lower: Float64Array,
  lowerOffset: number,
  size: number,
  right: Float64Array,
  rightOffset: number,
  columns: number,
): void {
  for (let row = 0; row < size; row += 1) {
    const pivot = lower[lowerOffset + row * size + row]!;
    for (let column = 0; column < columns; column += 1) {
      let sum = right[rightOffset + row * columns + column]!;
      for (let k = 0; k < row; k += 1) {
        sum -= lower[lowerOffset + row * size + k]! * right[rightOffset + k * columns + column]!;
      }
      right[rightOffset + row * columns + column] = sum / pivot;
    }
  }
}

/** Solves L' x = b in place; L at lowerOffset (n x n), b at rightOffset (n x columns). */
export function backwardSolveTransposeAt(
  lower: Float64Array,
  lowerOffset: number,
  size: number,
  right: Float64Array,
  rightOffset: number,
  columns: number,
): void {
  for (let row = size - 1; row >= 0; row -= 1) {
    const pivot = lower[lowerOffset + row * size + row]!;
    for (let column = 0; column < columns; column += 1) {
      let sum = right[rightOffset + row * columns + column]!;
      for (let k = row + 1; k < size; k += 1) {
        sum -= lower[lowerOffset + k * size + row]! * right[rightOffset + k * columns + column]!;
      }
      right[rightOffset + row * columns + column] = sum / pivot;
    }
  }
}

/** (L L')^{-1} from a lower Cholesky factor L. */
export function inverseFromCholesky(lower: Float64Array, size: number): Float64Array {
  const inverse = new Float64Array(size * size);
  for (let index = 0; index < size; index += 1) inverse[index * size + index] = 1;
  forwardSolveAt(lower, 0, size, inverse, 0, size);
  backwardSolveTransposeAt(lower, 0, size, inverse, 0, size);
  return inverse;
}

export interface QrDecomposition {
  /** Householder vectors below the diagonal and R on and above it, row-major n x p, columns pivoted. */
  qr: Float64Array;
  rows: number;
  columns: number;
  /** Leading Householder coefficients. */
  householder: Float64Array;
  /** Number of columns judged linearly independent. */
  rank: number;
  /** Original column index at each pivoted position; the first `rank` are the kept columns. */
  pivot: number[];
}

/**
 * Householder QR with R's limited column pivoting (LINPACK dqrdc2, as lm() uses): a column whose
 * norm, after removing its projection on the columns before it, falls below `tolerance` times its
 * original norm is moved to the end and counts as aliased.
 */
export function householderQr(matrix: Float64Array, rows: number, columns: number, tolerance = 1e-7): QrDecomposition {
  const qr = Float64Array.from(matrix);
  const householder = new Float64Array(columns);
  const pivot = Array.from({ length: columns }, (_, index) => index);
  const originalNorms = new Float64Array(columns);
  for (let column = 0; column < columns; column += 1) {
    let sum = 0;
    for (let row = 0; row < rows; row += 1) sum += qr[row * columns + column]! ** 2;
    originalNorms[column] = Math.sqrt(sum);
  }
  const moveToEnd = (position: number) => {
    for (let row = 0; row < rows; row += 1) {
      const saved = qr[row * columns + position]!;
      for (let column = position; column < columns - 1; column += 1) {
        qr[row * columns + column] = qr[row * columns + column + 1]!;
      }
      qr[row * columns + columns - 1] = saved;
    }
    const savedPivot = pivot[position]!;
    const savedNorm = originalNorms[position]!;
    for (let column = position; column < columns - 1; column += 1) {
      pivot[column] = pivot[column + 1]!;
      originalNorms[column] = originalNorms[column + 1]!;
    }
    pivot[columns - 1] = savedPivot;
    originalNorms[columns - 1] = savedNorm;
  };
  let rank = Math.min(rows, columns);
  let position = 0;
  while (position < rank) {
    let norm = 0;
    for (let row = position; row < rows; row += 1) norm += qr[row * columns + position]! ** 2;
    norm = Math.sqrt(norm);
    if (norm <= tolerance * originalNorms[position]! || originalNorms[position] === 0) {
      moveToEnd(position);
      rank -= 1;
      continue;
    }
    const diagonal = qr[position * columns + position]!;
    const alpha = diagonal > 0 ? -norm : norm;
    // Householder vector v = x - alpha e1, scaled so v[0] = 1.
    const head = diagonal - alpha;
    for (let row = position + 1; row < rows; row += 1) qr[row * columns + position]! /= head;
    householder[position] = -head / alpha;
    qr[position * columns + position] = alpha;
    for (let column = position + 1; column < columns; column += 1) {
      let dot = qr[position * columns + column]!;
      for (let row = position + 1; row < rows; row += 1) {
        dot += qr[row * columns + position]! * qr[row * columns + column]!;
      }
      const scale = householder[position]! * dot;
      qr[position * columns + column]! -= scale;
      for (let row = position + 1; row < rows; row += 1) {
        qr[row * columns + column]! -= scale * qr[row * columns + position]!;
      }
    }
    position += 1;
  }
  return { qr, rows, columns, householder, rank, pivot };
}

/** Q' y for a QR decomposition (applies the first `rank` reflections). */
export function applyQTranspose(decomposition: QrDecomposition, vector: Float64Array): Float64Array {
  const { qr, rows, columns, householder, rank } = decomposition;
  const result = Float64Array.from(vector);
  for (let position = 0; position < rank; position += 1) {
    let dot = result[position]!;
    for (let row = position + 1; row < rows; row += 1) dot += qr[row * columns + position]! * result[row]!;
    const scale = householder[position]! * dot;
    result[position]! -= scale;
    for (let row = position + 1; row < rows; row += 1) result[row]! -= scale * qr[row * columns + position]!;
  }
  return result;
}

/** Inverse of the leading rank x rank upper triangle R of a QR decomposition, times its transpose: (R'R)^{-1}. */
export function unscaledCovarianceFromQr(decomposition: QrDecomposition): Float64Array {
  const { qr, columns, rank } = decomposition;
  // R^{-1} by back substitution, column by column.
  const inverse = new Float64Array(rank * rank);
  for (let column = 0; column < rank; column += 1) {
    for (let row = column; row >= 0; row -= 1) {
      let sum = row === column ? 1 : 0;
      for (let k = row + 1; k <= column; k += 1) sum -= qr[row * columns + k]! * inverse[k * rank + column]!;
      inverse[row * rank + column] = sum / qr[row * columns + row]!;
    }
  }
  const result = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = 0;
      for (let k = Math.max(i, j); k < rank; k += 1) sum += inverse[i * rank + k]! * inverse[j * rank + k]!;
      result[i * rank + j] = sum;
      result[j * rank + i] = sum;
    }
  }
  return result;
}

/** Solves R b = c for the leading rank x rank upper triangle R of a QR decomposition. */
export function solveUpperFromQr(decomposition: QrDecomposition, right: Float64Array): Float64Array {
  const { qr, columns, rank } = decomposition;
  const solution = new Float64Array(rank);
  for (let row = rank - 1; row >= 0; row -= 1) {
    let sum = right[row]!;
    for (let k = row + 1; k < rank; k += 1) sum -= qr[row * columns + k]! * solution[k]!;
    solution[row] = sum / qr[row * columns + row]!;
  }
  return solution;
}

export interface SymmetricEigen {
  /** Eigenvalues in decreasing order (R's eigen(symmetric = TRUE) order). */
  values: number[];
  /** Eigenvectors as columns, matching `values`. */
  vectors: number[][];
}

/** Eigendecomposition of a symmetric matrix given as rows. */
export function symmetricEigen(rows: number[][]): SymmetricEigen {
  const decomposition = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix.to2DArray();
  const order = values.map((_, index) => index).sort((a, b) => values[b]! - values[a]!);
  return {
    values: order.map((index) => values[index]!),
    vectors: vectors.map((row) => order.map((index) => row[index]!)),
  };
}
