import {
  applyQTranspose,
  backwardSolveTransposeAt,
  choleskyAt,
  forwardSolveAt,
  householderQr,
  inverseFromCholesky,
  solveUpperFromQr,
} from './linear-algebra.js';

/**
 * The profiled deviance of a linear mixed model in lme4's formulation (Bates et al. 2015, "Fitting
 * linear mixed-effects models using lme4", section 3).
 *
 * For a relative covariance factor Λθ (block diagonal: one lower-triangular T per random-effects
 * term, repeated for every level of its grouping factor) the penalised least squares system
 *
 *   [Λ'Z'ZΛ + I   Λ'Z'X] [u]   [Λ'Z'y]
 *   [X'ZΛ         X'X  ] [β] = [X'y  ]
 *
 * is solved through the Cholesky factor L of Λ'Z'ZΛ + I, RZX = L⁻¹Λ'Z'X and the Cholesky factor
 * RX of X'X - RZX'RZX. The penalised residual sum of squares r² = ‖y - Xβ - ZΛu‖² + ‖u‖² then
 * gives the deviance: ML log|L|² + n(1 + log(2πr²/n)), REML adds log|RX|² and uses n - p.
 *
 * Structure we exploit instead of a general sparse Cholesky: the first term (lme4 orders terms by
 * decreasing number of levels) is block diagonal in Λ'Z'ZΛ + I, one k x k block per level, so its
 * factor is a set of small Cholesky factors. The remaining terms (crossed or nesting factors,
 * usually few levels) form a dense Schur complement. All cross-products with the data are computed
 * once; an evaluation costs O(levels · k³) for the first term plus O(q²·…) for the dense rest and
 * O(n · (p + k)) for the residuals, never O(n²).
 */

export interface DevianceTerm {
  /** Columns of the term's model matrix (k). */
  columns: number;
  /** Number of levels of its grouping factor. */
  levels: number;
  levelOfRow: Int32Array;
  /** Row-major n x k. */
  design: Float64Array;
}

export interface DevianceParts {
  /** log |L|² */
  logDetL: number;
  /** log |RX|² */
  logDetRX: number;
  /** Penalised residual sum of squares ‖y - Xβ - ZΛu‖² + ‖u‖². */
  penalizedRss: number;
  /** The ML or REML deviance (profiled over β and σ). */
  deviance: number;
}

export interface DevianceSolution extends DevianceParts {
  beta: Float64Array;
  /** Spherical random effects u, term by term, level by level. */
  u: Float64Array;
  /** Conditional modes b = Λu, same layout as u. */
  b: Float64Array;
  /** (RX'RX)⁻¹, the unscaled covariance of β (p x p, row-major). */
  unscaledCovariance: Float64Array;
  residualSumOfSquares: number;
}

export function thetaLength(columns: number): number {
  return (columns * (columns + 1)) / 2;
}

/** Whether each theta entry is a diagonal of its term's factor (lme4's lower bound 0) or not (-Inf). */
export function thetaDiagonalMask(terms: readonly { columns: number }[]): boolean[] {
  const mask: boolean[] = [];
  for (const term of terms) {
    for (let column = 0; column < term.columns; column += 1) {
      for (let row = column; row < term.columns; row += 1) mask.push(row === column);
    }
  }
  return mask;
}

export class ProfiledDeviance {
  readonly rows: number;
  readonly fixedColumns: number;
  readonly thetaSize: number;
  /** Residual sum of squares of y on X alone (0 when the fixed effects reproduce y exactly). */
  readonly olsResidualSumOfSquares: number;
  private readonly terms: readonly DevianceTerm[];
  private readonly x: Float64Array;
  /** The response minus its OLS fit on X. */
  private readonly y: Float64Array;
  private readonly thetaOffsets: number[];

  // First (block-diagonal) term.
  private readonly k0: number;
  private readonly levels0: number;
  private readonly crossZ0: Float64Array; // levels0 x k0 x k0
  private readonly crossZ0X: Float64Array; // levels0 x k0 x p
  private readonly crossZ0Y: Float64Array; // levels0 x k0

  // Remaining terms, dense.
  private readonly restSize: number;
  private readonly restOffsets: number[]; // column offset of each rest term (index 1..) in rest space
  private readonly crossRest: Float64Array; // restSize x restSize
  private readonly crossRestX: Float64Array; // restSize x p
  private readonly crossRestY: Float64Array; // restSize

  // Blocks coupling level j of the first term with rest columns: block b belongs to level j when
  // blockStart[j] <= b < blockStart[j + 1]; it covers rest columns restOffset..+size and holds
  // Z_rest' Z_0 restricted to those rows (size x k0).
  private readonly blockStart: Int32Array;
  private readonly blockRestOffset: Int32Array;
  private readonly blockSize: Int32Array;
  private readonly blockTerm: Int32Array;
  private readonly blockDataOffset: Int32Array;
  private readonly blockData: Float64Array;
  private readonly levelRowStart: Int32Array;
  private readonly levelRowIndex: Int32Array;

  private readonly crossX: Float64Array; // p x p
  private readonly crossXY: Float64Array; // p
  private readonly crossY: number; // y'y
  private readonly olsBeta: Float64Array;

  // Work space reused by every evaluation.
  private readonly factors: Float64Array[]; // T per term, k x k
  private readonly l11: Float64Array; // levels0 x k0 x k0
  private readonly rzx1: Float64Array; // levels0 x k0 x p
  private readonly cu1: Float64Array; // levels0 x k0
  private readonly l21: Float64Array; // like blockData
  private readonly l22: Float64Array; // restSize x restSize
  private readonly rzx2: Float64Array; // restSize x p
  private readonly cu2: Float64Array; // restSize
  private readonly restWork: Float64Array; // restSize x restSize
  private readonly restColumnTerm: Int32Array; // term index of every rest column
  private readonly product: Float64Array; // scratch, max block rows x k0
  private readonly lx: Float64Array; // p x p
  private readonly beta: Float64Array;
  private readonly u: Float64Array;
  private readonly b: Float64Array;
  private readonly totalRandom: number;

  constructor(
    x: Float64Array,
    rows: number,
    fixedColumns: number,
    response: Float64Array,
    terms: readonly DevianceTerm[],
  ) {
    if (terms.length === 0) throw new Error('ProfiledDeviance needs at least one random-effects term');
    this.rows = rows;
    this.fixedColumns = fixedColumns;
    this.terms = terms;
    this.x = x;
    const p = fixedColumns;
    // Work with y minus its least-squares fit on X: residuals, u and the penalised RSS are
    // unchanged (the shift lies in the column space of X), β only moves by the OLS estimate, and
    // r² = y'y - ‖cu‖² - ‖cβ‖² no longer subtracts numbers much larger than r² itself.
    this.olsBeta = new Float64Array(p);
    if (p > 0) {
      const decomposition = householderQr(x, rows, p, 0);
      const effects = applyQTranspose(decomposition, response);
      const solved = solveUpperFromQr(decomposition, effects);
      decomposition.pivot.slice(0, decomposition.rank).forEach((column, position) => {
        this.olsBeta[column] = solved[position]!;
      });
    }
    const shifted = new Float64Array(rows);
    for (let row = 0; row < rows; row += 1) {
      let fitted = 0;
      for (let a = 0; a < p; a += 1) fitted += x[row * p + a]! * this.olsBeta[a]!;
      shifted[row] = response[row]! - fitted;
    }
    const y = shifted;
    this.y = shifted;
    let squares = 0;
    for (let row = 0; row < rows; row += 1) squares += shifted[row]! * shifted[row]!;
    this.crossY = squares;
    this.olsResidualSumOfSquares = squares;
    this.thetaOffsets = [];
    let thetaSize = 0;
    for (const term of terms) {
      this.thetaOffsets.push(thetaSize);
      thetaSize += thetaLength(term.columns);
    }
    this.thetaSize = thetaSize;
    this.factors = terms.map((term) => new Float64Array(term.columns * term.columns));

    const first = terms[0]!;
    const k0 = first.columns;
    this.k0 = k0;
    this.levels0 = first.levels;
    this.crossZ0 = new Float64Array(first.levels * k0 * k0);
    this.crossZ0X = new Float64Array(first.levels * k0 * p);
    this.crossZ0Y = new Float64Array(first.levels * k0);

    this.restOffsets = [0];
    let restSize = 0;
    for (let index = 1; index < terms.length; index += 1) {
      this.restOffsets.push(restSize);
      restSize += terms[index]!.levels * terms[index]!.columns;
    }
    this.restSize = restSize;
    this.crossRest = new Float64Array(restSize * restSize);
    this.crossRestX = new Float64Array(restSize * p);
    this.crossRestY = new Float64Array(restSize);
    this.crossX = new Float64Array(p * p);
    this.crossXY = new Float64Array(p);

    // Accumulate all cross-products in one pass over the rows (through locals: the object's shape
    // is still changing here, and V8 optimises field access in such loops poorly).
    const crossZ0 = this.crossZ0;
    const crossZ0X = this.crossZ0X;
    const crossZ0Y = this.crossZ0Y;
    const crossX = this.crossX;
    const crossXY = this.crossXY;
    const crossRest = this.crossRest;
    const crossRestX = this.crossRestX;
    const crossRestY = this.crossRestY;
    const restOffsets = this.restOffsets;
    const blockMaps: Map<number, number>[] = Array.from({ length: first.levels }, () => new Map());
    const blockAccumulators: { level: number; term: number; restOffset: number; size: number; data: number[] }[] = [];
    for (let row = 0; row < rows; row += 1) {
      const level0 = first.levelOfRow[row]!;
      const z0 = row * k0;
      for (let a = 0; a < k0; a += 1) {
        const za = first.design[z0 + a]!;
        if (za === 0) continue;
        for (let c = 0; c < k0; c += 1) crossZ0[(level0 * k0 + a) * k0 + c]! += za * first.design[z0 + c]!;
        for (let c = 0; c < p; c += 1) crossZ0X[(level0 * k0 + a) * p + c]! += za * x[row * p + c]!;
        crossZ0Y[level0 * k0 + a]! += za * y[row]!;
      }
      for (let a = 0; a < p; a += 1) {
        const xa = x[row * p + a]!;
        for (let c = 0; c < p; c += 1) crossX[a * p + c]! += xa * x[row * p + c]!;
        crossXY[a]! += xa * y[row]!;
      }
      for (let termIndex = 1; termIndex < terms.length; termIndex += 1) {
        const term = terms[termIndex]!;
        const k = term.columns;
        const level = term.levelOfRow[row]!;
        const offset = restOffsets[termIndex]! + level * k;
        // Rest x rest.
        for (let otherIndex = 1; otherIndex < terms.length; otherIndex += 1) {
          const other = terms[otherIndex]!;
          const kOther = other.columns;
          const otherOffset = restOffsets[otherIndex]! + other.levelOfRow[row]! * kOther;
          for (let a = 0; a < k; a += 1) {
            const za = term.design[row * k + a]!;
            if (za === 0) continue;
            for (let c = 0; c < kOther; c += 1) {
              crossRest[(offset + a) * restSize + otherOffset + c]! += za * other.design[row * kOther + c]!;
            }
          }
        }
        for (let a = 0; a < k; a += 1) {
          const za = term.design[row * k + a]!;
          if (za === 0) continue;
          for (let c = 0; c < p; c += 1) crossRestX[(offset + a) * p + c]! += za * x[row * p + c]!;
          crossRestY[offset + a]! += za * y[row]!;
        }
        // Rest x first term, as a sparse block per level of the first term.
        const key = termIndex * 1e9 + level;
        let blockIndex = blockMaps[level0]!.get(key);
        if (blockIndex === undefined) {
          blockIndex = blockAccumulators.length;
          blockMaps[level0]!.set(key, blockIndex);
          blockAccumulators.push({
            level: level0,
            term: termIndex,
            restOffset: offset,
            size: k,
            data: new Array<number>(k * k0).fill(0),
          });
        }
        const block = blockAccumulators[blockIndex]!;
        for (let a = 0; a < k; a += 1) {
          const za = term.design[row * k + a]!;
          if (za === 0) continue;
          for (let c = 0; c < k0; c += 1) block.data[a * k0 + c]! += za * first.design[z0 + c]!;
        }
      }
    }
    // Lay blocks out level by level.
    const ordered = blockAccumulators
      .map((block, index) => ({ block, index }))
      .sort((left, right) => left.block.level - right.block.level || left.block.restOffset - right.block.restOffset)
      .map(({ block }) => block);
    this.blockStart = new Int32Array(first.levels + 1);
    this.blockRestOffset = new Int32Array(ordered.length);
    this.blockSize = new Int32Array(ordered.length);
    this.blockTerm = new Int32Array(ordered.length);
    this.blockDataOffset = new Int32Array(ordered.length + 1);
    let dataLength = 0;
    ordered.forEach((block, index) => {
      this.blockStart[block.level + 1]! += 1;
      this.blockRestOffset[index] = block.restOffset;
      this.blockSize[index] = block.size;
      this.blockTerm[index] = block.term;
      this.blockDataOffset[index] = dataLength;
      dataLength += block.data.length;
    });
    this.blockDataOffset[ordered.length] = dataLength;
    for (let level = 0; level < first.levels; level += 1) {
      this.blockStart[level + 1]! += this.blockStart[level]!;
    }
    this.blockData = new Float64Array(dataLength);
    ordered.forEach((block, index) => {
      this.blockData.set(block.data, this.blockDataOffset[index]!);
    });
    // The blocks of one level are contiguous and sorted by rest column: as a whole they are the
    // rows of L21 for that level, whose rest columns levelRowIndex lists in increasing order.
    this.levelRowStart = new Int32Array(first.levels + 1);
    this.levelRowIndex = new Int32Array(dataLength / k0);
    let rowCount = 0;
    for (let level = 0; level < first.levels; level += 1) {
      this.levelRowStart[level] = rowCount;
      for (let index = this.blockStart[level]!; index < this.blockStart[level + 1]!; index += 1) {
        for (let a = 0; a < this.blockSize[index]!; a += 1) {
          this.levelRowIndex[rowCount] = this.blockRestOffset[index]! + a;
          rowCount += 1;
        }
      }
    }
    this.levelRowStart[first.levels] = rowCount;

    this.l11 = new Float64Array(first.levels * k0 * k0);
    this.rzx1 = new Float64Array(first.levels * k0 * p);
    this.cu1 = new Float64Array(first.levels * k0);
    this.l21 = new Float64Array(dataLength);
    this.l22 = new Float64Array(restSize * restSize);
    this.rzx2 = new Float64Array(restSize * p);
    this.cu2 = new Float64Array(restSize);
    this.restWork = new Float64Array(restSize * restSize);
    this.restColumnTerm = new Int32Array(restSize);
    for (let termIndex = 1; termIndex < terms.length; termIndex += 1) {
      const width = terms[termIndex]!.levels * terms[termIndex]!.columns;
      this.restColumnTerm.fill(termIndex, this.restOffsets[termIndex]!, this.restOffsets[termIndex]! + width);
    }
    const widest = Math.max(...terms.map((term) => term.columns));
    this.product = new Float64Array(widest * k0);
    this.lx = new Float64Array(p * p);
    this.beta = new Float64Array(p);
    this.totalRandom = first.levels * k0 + restSize;
    this.u = new Float64Array(this.totalRandom);
    this.b = new Float64Array(this.totalRandom);
  }

  /** The deviance (REML or ML) at theta; Infinity where the system cannot be factored. */
  deviance(theta: ArrayLike<number>, reml: boolean): number {
    return this.solve(theta) ? this.devianceFromParts(reml) : Number.POSITIVE_INFINITY;
  }

  /** Deviance and its parts at theta, or undefined where the system cannot be factored. */
  parts(theta: ArrayLike<number>, reml: boolean): DevianceParts | undefined {
    if (!this.solve(theta)) return undefined;
    return {
      logDetL: this.lastLogDetL,
      logDetRX: this.lastLogDetRX,
      penalizedRss: this.lastPenalizedRss,
      deviance: this.devianceFromParts(reml),
    };
  }

  /** Everything the fit reports, at theta. */
  solution(theta: ArrayLike<number>, reml: boolean): DevianceSolution | undefined {
    if (!this.solve(theta)) return undefined;
    // For the reported fit, the penalised RSS from the residuals themselves, as lme4 computes it.
    const residualSumOfSquares = this.completeSolution();
    let uSquared = 0;
    for (let index = 0; index < this.u.length; index += 1) uSquared += this.u[index]! ** 2;
    this.lastPenalizedRss = residualSumOfSquares + uSquared;
    const beta = Float64Array.from(this.beta);
    for (let a = 0; a < beta.length; a += 1) beta[a]! += this.olsBeta[a]!;
    return {
      logDetL: this.lastLogDetL,
      logDetRX: this.lastLogDetRX,
      penalizedRss: this.lastPenalizedRss,
      deviance: this.devianceFromParts(reml),
      beta,
      u: Float64Array.from(this.u),
      b: Float64Array.from(this.b),
      unscaledCovariance: inverseFromCholesky(this.lx, this.fixedColumns),
      residualSumOfSquares,
    };
  }

  /** (RX'RX)⁻¹ at theta (lmerTest's get_covbeta without the σ² factor). */
  unscaledCovariance(theta: ArrayLike<number>): Float64Array | undefined {
    if (!this.solve(theta)) return undefined;
    return inverseFromCholesky(this.lx, this.fixedColumns);
  }

  private lastLogDetL = 0;
  private lastLogDetRX = 0;
  private lastPenalizedRss = 0;

  private devianceFromParts(reml: boolean): number {
    const n = this.rows;
    const p = this.fixedColumns;
    if (reml) {
      const degrees = n - p;
      return (
        this.lastLogDetL + this.lastLogDetRX + degrees * (1 + Math.log((2 * Math.PI * this.lastPenalizedRss) / degrees))
      );
    }
    return this.lastLogDetL + n * (1 + Math.log((2 * Math.PI * this.lastPenalizedRss) / n));
  }

  private fillFactors(theta: ArrayLike<number>): void {
    for (let termIndex = 0; termIndex < this.terms.length; termIndex += 1) {
      const k = this.terms[termIndex]!.columns;
      const factor = this.factors[termIndex]!;
      factor.fill(0);
      let position = this.thetaOffsets[termIndex]!;
      for (let column = 0; column < k; column += 1) {
        for (let row = column; row < k; row += 1) {
          factor[row * k + column] = theta[position]!;
          position += 1;
        }
      }
    }
  }

  /**
   * Solves the penalised least squares problem at theta and records log|L|², log|RX|² and the
   * penalised RSS; false if a factorisation fails. Leaves L, RZX, cu and β in the work arrays.
   */
  private solve(theta: ArrayLike<number>): boolean {
    if (theta.length !== this.thetaSize)
      throw new Error(`theta has length ${theta.length}, expected ${this.thetaSize}`);
    for (let index = 0; index < theta.length; index += 1) if (!Number.isFinite(theta[index]!)) return false;
    this.fillFactors(theta);
    const {
      blockData,
      blockDataOffset,
      blockSize,
      blockStart,
      blockTerm,
      crossRest,
      crossRestX,
      crossRestY,
      crossZ0,
      crossZ0X,
      crossZ0Y,
      cu2,
      factors,
      levelRowIndex,
      levelRowStart,
      restColumnTerm,
      rzx2,
      terms,
    } = this;
    const p = this.fixedColumns;
    const k0 = this.k0;
    const t0 = factors[0]!;
    const l11 = this.l11;
    const rzx1 = this.rzx1;
    const cu1 = this.cu1;
    const product = this.product;
    let logDetL = 0;

    // First term: one k0 x k0 block of T0' C T0 + I per level, factored in place in l11.
    for (let level = 0; level < this.levels0; level += 1) {
      const c = level * k0 * k0;
      for (let a = 0; a < k0; a += 1) {
        for (let d = 0; d < k0; d += 1) {
          let sum = 0;
          for (let e = d; e < k0; e += 1) sum += crossZ0[c + a * k0 + e]! * t0[e * k0 + d]!;
          product[a * k0 + d] = sum;
        }
      }
      for (let a = 0; a < k0; a += 1) {
        for (let d = 0; d < k0; d += 1) {
          let sum = a === d ? 1 : 0;
          for (let e = a; e < k0; e += 1) sum += t0[e * k0 + a]! * product[e * k0 + d]!;
          l11[c + a * k0 + d] = sum;
        }
      }
      if (!choleskyAt(l11, c, k0)) return false;
      for (let a = 0; a < k0; a += 1) logDetL += 2 * Math.log(l11[c + a * k0 + a]!);
      // RZX1 = L⁻¹ T0' Z0'X and cu1 = L⁻¹ T0' Z0'y for this level.
      const xOffset = level * k0 * p;
      const yOffset = level * k0;
      for (let a = 0; a < k0; a += 1) {
        for (let column = 0; column < p; column += 1) {
          let sum = 0;
          for (let e = a; e < k0; e += 1) sum += t0[e * k0 + a]! * crossZ0X[xOffset + e * p + column]!;
          rzx1[xOffset + a * p + column] = sum;
        }
        let sum = 0;
        for (let e = a; e < k0; e += 1) sum += t0[e * k0 + a]! * crossZ0Y[yOffset + e]!;
        cu1[yOffset + a] = sum;
      }
      forwardSolveAt(l11, c, k0, rzx1, xOffset, p);
      forwardSolveAt(l11, c, k0, cu1, yOffset, 1);
    }

    const restSize = this.restSize;
    if (restSize > 0) {
      const l21 = this.l21;
      // L21 blocks: (T_t' C_b T0) L11⁻ᵀ.
      for (let level = 0; level < this.levels0; level += 1) {
        const c = level * k0 * k0;
        for (let index = blockStart[level]!; index < blockStart[level + 1]!; index += 1) {
          const size = blockSize[index]!;
          const factor = factors[blockTerm[index]!]!;
          const data = blockDataOffset[index]!;
          for (let a = 0; a < size; a += 1) {
            for (let d = 0; d < k0; d += 1) {
              let sum = 0;
              for (let e = d; e < k0; e += 1) sum += blockData[data + a * k0 + e]! * t0[e * k0 + d]!;
              product[a * k0 + d] = sum;
            }
          }
          for (let a = 0; a < size; a += 1) {
            const row = data + a * k0;
            for (let d = 0; d < k0; d += 1) {
              let sum = 0;
              for (let e = a; e < size; e += 1) sum += factor[e * size + a]! * product[e * k0 + d]!;
              l21[row + d] = sum;
            }
            // Solve x L11' = row, i.e. L11 x' = row'.
            for (let d = 0; d < k0; d += 1) {
              let sum = l21[row + d]!;
              for (let e = 0; e < d; e += 1) sum -= l11[c + d * k0 + e]! * l21[row + e]!;
              l21[row + d] = sum / l11[c + d * k0 + d]!;
            }
          }
        }
      }
      // S = Λr' Crr Λr + I - L21 L21', factored in place in l22.
      const work = this.restWork;
      const s = this.l22;
      for (let column = 0; column < restSize; ) {
        const termIndex = restColumnTerm[column]!;
        const factor = factors[termIndex]!;
        const size = terms[termIndex]!.columns;
        for (let row = 0; row < restSize; row += 1) {
          for (let d = 0; d < size; d += 1) {
            let sum = 0;
            for (let e = d; e < size; e += 1) sum += crossRest[row * restSize + column + e]! * factor[e * size + d]!;
            work[row * restSize + column + d] = sum;
          }
        }
        column += size;
      }
      for (let row = 0; row < restSize; ) {
        const termIndex = restColumnTerm[row]!;
        const factor = factors[termIndex]!;
        const size = terms[termIndex]!.columns;
        for (let a = 0; a < size; a += 1) {
          for (let column = 0; column < restSize; column += 1) {
            let sum = 0;
            for (let e = a; e < size; e += 1) sum += factor[e * size + a]! * work[(row + e) * restSize + column]!;
            s[(row + a) * restSize + column] = sum;
          }
          for (let column = 0; column < p; column += 1) {
            let sum = 0;
            for (let e = a; e < size; e += 1) sum += factor[e * size + a]! * crossRestX[(row + e) * p + column]!;
            rzx2[(row + a) * p + column] = sum;
          }
          let sum = 0;
          for (let e = a; e < size; e += 1) sum += factor[e * size + a]! * crossRestY[row + e]!;
          cu2[row + a] = sum;
        }
        row += size;
      }
      for (let index = 0; index < restSize; index += 1) s[index * restSize + index]! += 1;
      // Rank-k0 downdates S -= L21 L21' (lower triangle only), level by level: the level's rows of
      // L21 are contiguous from the data offset of its first block.
      const rowIndex = levelRowIndex;
      for (let level = 0; level < this.levels0; level += 1) {
        const firstRow = levelRowStart[level]!;
        const count = levelRowStart[level + 1]! - firstRow;
        if (count === 0) continue;
        const base = blockDataOffset[blockStart[level]!]!;
        if (k0 === 1) {
          for (let a = 0; a < count; a += 1) {
            const value = l21[base + a]!;
            const target = rowIndex[firstRow + a]! * restSize;
            for (let d = 0; d <= a; d += 1) s[target + rowIndex[firstRow + d]!]! -= value * l21[base + d]!;
          }
        } else if (k0 === 2) {
          for (let a = 0; a < count; a += 1) {
            const first = l21[base + 2 * a]!;
            const second = l21[base + 2 * a + 1]!;
            const target = rowIndex[firstRow + a]! * restSize;
            for (let d = 0; d <= a; d += 1) {
              s[target + rowIndex[firstRow + d]!]! -= first * l21[base + 2 * d]! + second * l21[base + 2 * d + 1]!;
            }
          }
        } else {
          for (let a = 0; a < count; a += 1) {
            const target = rowIndex[firstRow + a]! * restSize;
            for (let d = 0; d <= a; d += 1) {
              let sum = 0;
              for (let e = 0; e < k0; e += 1) sum += l21[base + a * k0 + e]! * l21[base + d * k0 + e]!;
              s[target + rowIndex[firstRow + d]!]! -= sum;
            }
          }
        }
        for (let a = 0; a < count; a += 1) {
          const restRow = rowIndex[firstRow + a]!;
          for (let column = 0; column < p; column += 1) {
            let sum = 0;
            for (let e = 0; e < k0; e += 1) sum += l21[base + a * k0 + e]! * rzx1[(level * k0 + e) * p + column]!;
            rzx2[restRow * p + column]! -= sum;
          }
          let sum = 0;
          for (let e = 0; e < k0; e += 1) sum += l21[base + a * k0 + e]! * cu1[level * k0 + e]!;
          cu2[restRow]! -= sum;
        }
      }
      if (!choleskyAt(s, 0, restSize)) return false;
      for (let index = 0; index < restSize; index += 1) logDetL += 2 * Math.log(s[index * restSize + index]!);
      forwardSolveAt(s, 0, restSize, rzx2, 0, p);
      forwardSolveAt(s, 0, restSize, cu2, 0, 1);
    }

    // RX from X'X - RZX'RZX, then cβ and β.
    const lx = this.lx;
    lx.set(this.crossX);
    const beta = this.beta;
    beta.set(this.crossXY);
    subtractCrossProducts(lx, beta, rzx1, cu1, this.levels0 * k0, p);
    if (restSize > 0) subtractCrossProducts(lx, beta, this.rzx2, this.cu2, restSize, p);
    let logDetRX = 0;
    let penalizedRss = this.crossY;
    for (let index = 0; index < cu1.length; index += 1) penalizedRss -= cu1[index]! * cu1[index]!;
    for (let index = 0; index < restSize; index += 1) penalizedRss -= cu2[index]! * cu2[index]!;
    if (p > 0) {
      if (!choleskyAt(lx, 0, p)) return false;
      for (let a = 0; a < p; a += 1) logDetRX += 2 * Math.log(lx[a * p + a]!);
      forwardSolveAt(lx, 0, p, beta, 0, 1);
      for (let a = 0; a < p; a += 1) penalizedRss -= beta[a]! * beta[a]!;
      backwardSolveTransposeAt(lx, 0, p, beta, 0, 1);
    }
    if (!(penalizedRss > 0)) return false;
    this.lastLogDetL = logDetL;
    this.lastLogDetRX = logDetRX;
    this.lastPenalizedRss = penalizedRss;
    return true;
  }

  /** After solve(): u, b = Λu and the residual sum of squares, computed from the residuals. */
  private completeSolution(): number {
    const p = this.fixedColumns;
    const k0 = this.k0;
    const restSize = this.restSize;
    const beta = this.beta;
    const u = this.u;
    const offsetRest = this.levels0 * k0;
    // u = L⁻ᵀ (cu - RZX β): the dense rest first, then each level of the first term.
    if (restSize > 0) {
      for (let row = 0; row < restSize; row += 1) {
        let sum = this.cu2[row]!;
        for (let a = 0; a < p; a += 1) sum -= this.rzx2[row * p + a]! * beta[a]!;
        u[offsetRest + row] = sum;
      }
      backwardSolveTransposeAt(this.l22, 0, restSize, u, offsetRest, 1);
    }
    for (let level = 0; level < this.levels0; level += 1) {
      for (let a = 0; a < k0; a += 1) {
        let sum = this.cu1[level * k0 + a]!;
        for (let d = 0; d < p; d += 1) sum -= this.rzx1[(level * k0 + a) * p + d]! * beta[d]!;
        u[level * k0 + a] = sum;
      }
      for (let index = this.blockStart[level]!; index < this.blockStart[level + 1]!; index += 1) {
        const size = this.blockSize[index]!;
        const restOffset = this.blockRestOffset[index]!;
        const data = this.blockDataOffset[index]!;
        for (let a = 0; a < k0; a += 1) {
          let sum = 0;
          for (let e = 0; e < size; e += 1) sum += this.l21[data + e * k0 + a]! * u[offsetRest + restOffset + e]!;
          u[level * k0 + a]! -= sum;
        }
      }
      backwardSolveTransposeAt(this.l11, level * k0 * k0, k0, u, level * k0, 1);
    }
    // b = Λu
    const b = this.b;
    for (let termIndex = 0; termIndex < this.terms.length; termIndex += 1) {
      const term = this.terms[termIndex]!;
      const k = term.columns;
      const factor = this.factors[termIndex]!;
      const start = termIndex === 0 ? 0 : offsetRest + this.restOffsets[termIndex]!;
      for (let level = 0; level < term.levels; level += 1) {
        const base = start + level * k;
        for (let a = 0; a < k; a += 1) {
          let sum = 0;
          for (let e = 0; e <= a; e += 1) sum += factor[a * k + e]! * u[base + e]!;
          b[base + a] = sum;
        }
      }
    }
    let rss = 0;
    const n = this.rows;
    for (let row = 0; row < n; row += 1) {
      let fitted = 0;
      for (let a = 0; a < p; a += 1) fitted += this.x[row * p + a]! * beta[a]!;
      for (let termIndex = 0; termIndex < this.terms.length; termIndex += 1) {
        const term = this.terms[termIndex]!;
        const k = term.columns;
        const start = (termIndex === 0 ? 0 : offsetRest + this.restOffsets[termIndex]!) + term.levelOfRow[row]! * k;
        for (let a = 0; a < k; a += 1) fitted += term.design[row * k + a]! * b[start + a]!;
      }
      const residual = this.y[row]! - fitted;
      rss += residual * residual;
    }
    return rss;
  }
}

/** lower(A) -= RZX'RZX and rhs -= RZX'cu over `count` rows of RZX (p columns); A is symmetrised. */
function subtractCrossProducts(
  matrix: Float64Array,
  rhs: Float64Array,
  rzx: Float64Array,
  cu: Float64Array,
  count: number,
  p: number,
): void {
  for (let row = 0; row < count; row += 1) {
    for (let a = 0; a < p; a += 1) {
      const value = rzx[row * p + a]!;
      if (value === 0) continue;
      for (let d = 0; d <= a; d += 1) matrix[a * p + d]! -= value * rzx[row * p + d]!;
      rhs[a]! -= value * cu[row]!;
    }
  }
  for (let a = 0; a < p; a += 1) for (let d = a + 1; d < p; d += 1) matrix[a * p + d] = matrix[d * p + a]!;
}
