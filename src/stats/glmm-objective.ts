import type { Family } from './glm-family.js';
import type { DevianceTerm } from './lmm-deviance.js';

/**
 * The objective glmer minimises, as a function of (θ, β), in lme4's formulation (Bates et al.
 * 2015; lme4's glmerLaplace and glmerAGQ):
 *
 * - the conditional modes û of the spherical random effects by penalised iteratively reweighted
 *   least squares (PIRLS, Newton steps with step halving on Σ deviance residuals + ‖u‖²) for the
 *   linear predictor η = offset + Xβ + ZΛθu;
 * - Laplace (nAGQ = 1): -2 log p(y | û) on the full-likelihood scale (the family's aic) + ‖û‖² +
 *   log|L|², where LL' = Λ'Z'WZΛ + I at û;
 * - adaptive Gauss-Hermite (nAGQ > 1, one scalar random-effects term): lme4's
 *   Σ_j devc_j(û) + log|L|² - 2 Σ_j log Σ_k w_k exp(z_k²/2 - (devc_j(û_j + z_k/L_jj) - devc_j(û))/2)
 *   with devc_j the group's deviance residuals plus u_j². lme4 uses deviance residuals here, not
 *   the full likelihood, so its nAGQ > 1 logLik omits the saturated model's log-likelihood; we
 *   reproduce that scale so that logLik and AIC equal lme4's.
 *
 * Structure: the first term (most levels, lme4's order) is block diagonal in Λ'Z'WZΛ + I (one
 * k×k block per level); the other terms form a dense Schur complement, as in lmm-deviance.ts.
 */

export interface GlmmData {
  family: Family;
  n: number;
  p: number;
  /** Row-major n x p. */
  x: Float64Array;
  y: Float64Array;
  trials: Float64Array;
  offset: Float64Array;
  terms: readonly DevianceTerm[];
  /**
   * When the rows are aggregates of identical rows (aggregateIdenticalRows), what turns the
   * aggregated objective into the original data's: added to the Laplace objective (in place of the
   * saturated -2 log-likelihood of these rows) and to the quadrature objective.
   */
  constants?: { laplace: number; quadrature: number };
}

export interface GlmmEvaluation {
  objective: number;
  u: Float64Array;
  /** Conditional modes b = Λu, term by term, level by level. */
  b: Float64Array;
  mu: Float64Array;
  converged: boolean;
}

const PIRLS_MAX_ITERATIONS = 60;

export class GlmmObjective {
  readonly q: number;
  readonly thetaSize: number;
  private readonly k0: number;
  private readonly levels0: number;
  private readonly restSize: number;
  private readonly termOffsets: number[];
  private readonly thetaOffsets: number[];
  private readonly factors: Float64Array[];
  private readonly eta: Float64Array;
  private readonly fixedPart: Float64Array;
  private readonly mu: Float64Array;
  private readonly weights: Float64Array;
  private readonly scores: Float64Array;
  private readonly rowValues: Float64Array; // n x (Σ k): ZΛ entries per row, term by term
  private readonly rowWidth: number;
  /** Index into u of every entry of rowValues. */
  private readonly rowIndex: Int32Array;
  private readonly a11: Float64Array; // levels0 x k0 x k0 (then its Cholesky factors)
  private readonly a21: Float64Array; // restSize x q0
  private readonly a22: Float64Array; // restSize x restSize
  private readonly gradient: Float64Array;
  private readonly step: Float64Array;
  private u: Float64Array;
  private readonly candidate: Float64Array;
  private readonly restIndex: number[] = [];
  private readonly restValue: number[] = [];
  /**
   * Σ -2 log p(y | μ = y): the saturated model's -2 log-likelihood. -2 log p(y | μ) is the deviance
   * residual plus this constant, so the full-likelihood Laplace objective needs no log-gamma per
   * evaluation.
   */
  private readonly saturated: number;
  private readonly quadratureConstant: number;

  constructor(private readonly data: GlmmData) {
    const { terms } = data;
    this.termOffsets = [];
    this.thetaOffsets = [];
    let q = 0;
    let thetaSize = 0;
    let width = 0;
    for (const term of terms) {
      this.termOffsets.push(q);
      this.thetaOffsets.push(thetaSize);
      q += term.levels * term.columns;
      thetaSize += (term.columns * (term.columns + 1)) / 2;
      width += term.columns;
    }
    this.q = q;
    this.thetaSize = thetaSize;
    this.k0 = terms[0]!.columns;
    this.levels0 = terms[0]!.levels;
    const q0 = this.k0 * this.levels0;
    this.restSize = q - q0;
    this.factors = terms.map((term) => new Float64Array(term.columns * term.columns));
    const n = data.n;
    this.eta = new Float64Array(n);
    this.fixedPart = new Float64Array(n);
    this.mu = new Float64Array(n);
    this.weights = new Float64Array(n);
    this.scores = new Float64Array(n);
    this.rowWidth = width;
    this.rowValues = new Float64Array(n * width);
    this.rowIndex = new Int32Array(n * width);
    for (let row = 0; row < n; row += 1) {
      let position = row * width;
      terms.forEach((term, t) => {
        for (let j = 0; j < term.columns; j += 1) {
          this.rowIndex[position + j] = this.termOffsets[t]! + term.levelOfRow[row]! * term.columns + j;
        }
        position += term.columns;
      });
    }
    this.a11 = new Float64Array(this.levels0 * this.k0 * this.k0);
    this.a21 = new Float64Array(this.restSize * q0);
    this.a22 = new Float64Array(this.restSize * this.restSize);
    this.gradient = new Float64Array(q);
    this.step = new Float64Array(q);
    this.u = new Float64Array(q);
    this.candidate = new Float64Array(q);
    let saturated = 0;
    for (let row = 0; row < n; row += 1) {
      saturated += data.family.minusTwoLogLikelihood(data.y[row]!, data.y[row]!, data.trials[row]!);
    }
    this.saturated = data.constants?.laplace ?? saturated;
    this.quadratureConstant = data.constants?.quadrature ?? 0;
  }

  private setParameters(theta: readonly number[], beta: readonly number[]): void {
    const { terms, n, p, x, offset } = this.data;
    terms.forEach((term, t) => {
      const k = term.columns;
      const factor = this.factors[t]!;
      factor.fill(0);
      let position = this.thetaOffsets[t]!;
      for (let column = 0; column < k; column += 1) {
        for (let row = column; row < k; row += 1) {
          factor[row * k + column] = theta[position]!;
          position += 1;
        }
      }
    });
    for (let row = 0; row < n; row += 1) {
      let value = offset[row]!;
      for (let column = 0; column < p; column += 1) value += x[row * p + column]! * beta[column]!;
      this.fixedPart[row] = value;
      // (ZΛ) for this row: for term t, entry j = Σ_a z_a T[a][j].
      let position = row * this.rowWidth;
      terms.forEach((term, t) => {
        const k = term.columns;
        const factor = this.factors[t]!;
        for (let j = 0; j < k; j += 1) {
          let sum = 0;
          for (let a = j; a < k; a += 1) sum += term.design[row * k + a]! * factor[a * k + j]!;
          this.rowValues[position + j] = sum;
        }
        position += k;
      });
    }
  }

  /**
   * η and μ at spherical random effects `u`; returns Σ deviance residuals + ‖u‖². With `assemble`,
   * the same pass also assembles Λ'Z'WZΛ + I and the Newton right-hand side at this u (then
   * factor with choleskyFactor): one pass over the rows per PIRLS iteration instead of two.
   */
  private update(u: Float64Array, assemble = false): number {
    const { n, family, y, trials } = this.data;
    const width = this.rowWidth;
    const values = this.rowValues;
    const indices = this.rowIndex;
    if (assemble) this.assembleStart(u);
    let penalty = 0;
    for (let index = 0; index < this.q; index += 1) penalty += u[index]! * u[index]!;
    let deviance = 0;
    for (let row = 0; row < n; row += 1) {
      let value = this.fixedPart[row]!;
      const start = row * width;
      for (let e = start; e < start + width; e += 1) value += values[e]! * u[indices[e]!]!;
      this.eta[row] = value;
      const mean = family.mean(value);
      this.mu[row] = mean;
      deviance += family.devianceResidual(y[row]!, mean, trials[row]!);
      if (assemble) this.assembleRow(row, mean);
    }
    return deviance + penalty;
  }

  private assembleStart(u: Float64Array): void {
    const k0 = this.k0;
    const rest = this.restSize;
    this.a11.fill(0);
    this.a21.fill(0);
    this.a22.fill(0);
    for (let level = 0; level < this.levels0; level += 1) {
      for (let j = 0; j < k0; j += 1) this.a11[level * k0 * k0 + j * k0 + j] = 1;
    }
    for (let index = 0; index < rest; index += 1) this.a22[index * rest + index] = 1;
    // Right-hand side of the Newton step: (ZΛ)' scores - u.
    for (let index = 0; index < this.q; index += 1) this.gradient[index] = -u[index]!;
  }

  /** One row's weight and score added to Λ'Z'WZΛ + I and to the right-hand side. */
  private assembleRow(row: number, mean: number): void {
    const { terms, family, y, trials } = this.data;
    const k0 = this.k0;
    const q0 = k0 * this.levels0;
    const rest = this.restSize;
    const restIndex = this.restIndex;
    const restValue = this.restValue;
    const w = family.weight(mean, trials[row]!);
    this.weights[row] = w;
    const score = trials[row]! * (y[row]! - mean);
    this.scores[row] = score;
    const base = row * this.rowWidth;
    for (let e = base; e < base + this.rowWidth; e += 1)
      this.gradient[this.rowIndex[e]!]! += this.rowValues[e]! * score;
    const level0 = terms[0]!.levelOfRow[row]!;
    const block = level0 * k0 * k0;
    for (let a = 0; a < k0; a += 1) {
      const va = this.rowValues[base + a]! * w;
      for (let b = 0; b <= a; b += 1) this.a11[block + a * k0 + b]! += va * this.rowValues[base + b]!;
    }
    if (rest === 0) return;
    restIndex.length = 0;
    restValue.length = 0;
    for (let e = base + k0; e < base + this.rowWidth; e += 1) {
      restIndex.push(this.rowIndex[e]! - q0);
      restValue.push(this.rowValues[e]!);
    }
    for (let c = 0; c < restIndex.length; c += 1) {
      const rc = restIndex[c]!;
      const vc = restValue[c]! * w;
      for (let a = 0; a < k0; a += 1) this.a21[rc * q0 + level0 * k0 + a]! += vc * this.rowValues[base + a]!;
      for (let d = 0; d < restIndex.length; d += 1) {
        const rd = restIndex[d]!;
        if (rd <= rc) this.a22[rc * rest + rd]! += vc * restValue[d]!;
      }
    }
  }

  /** Factors the assembled Λ'Z'WZΛ + I in place; returns log|L|², or NaN when not positive definite. */
  private choleskyFactor(): number {
    const k0 = this.k0;
    const q0 = k0 * this.levels0;
    const rest = this.restSize;
    let logDet = 0;
    // Cholesky of each k0 x k0 block (lower triangle).
    for (let level = 0; level < this.levels0; level += 1) {
      const block = level * k0 * k0;
      for (let j = 0; j < k0; j += 1) {
        let diagonal = this.a11[block + j * k0 + j]!;
        for (let e = 0; e < j; e += 1) diagonal -= this.a11[block + j * k0 + e]! ** 2;
        if (!(diagonal > 0)) return Number.NaN;
        const root = Math.sqrt(diagonal);
        this.a11[block + j * k0 + j] = root;
        logDet += 2 * Math.log(root);
        for (let i = j + 1; i < k0; i += 1) {
          let value = this.a11[block + i * k0 + j]!;
          for (let e = 0; e < j; e += 1) value -= this.a11[block + i * k0 + e]! * this.a11[block + j * k0 + e]!;
          this.a11[block + i * k0 + j] = value / root;
        }
      }
    }
    if (rest === 0) return logDet;
    // L21 = A21 L11^{-T}: each row of A21, block by block, forward-solved with L11's block.
    for (let r = 0; r < rest; r += 1) {
      for (let level = 0; level < this.levels0; level += 1) {
        const block = level * k0 * k0;
        const start = r * q0 + level * k0;
        for (let j = 0; j < k0; j += 1) {
          let value = this.a21[start + j]!;
          if (value === 0 && j === 0 && k0 === 1) continue;
          for (let e = 0; e < j; e += 1) value -= this.a11[block + j * k0 + e]! * this.a21[start + e]!;
          this.a21[start + j] = value / this.a11[block + j * k0 + j]!;
        }
      }
    }
    // A22 - L21 L21', then its Cholesky.
    for (let r = 0; r < rest; r += 1) {
      for (let s = 0; s <= r; s += 1) {
        let sum = 0;
        const left = r * q0;
        const right = s * q0;
        for (let c = 0; c < q0; c += 1) sum += this.a21[left + c]! * this.a21[right + c]!;
        this.a22[r * rest + s]! -= sum;
      }
    }
    for (let j = 0; j < rest; j += 1) {
      let diagonal = this.a22[j * rest + j]!;
      for (let e = 0; e < j; e += 1) diagonal -= this.a22[j * rest + e]! ** 2;
      if (!(diagonal > 0)) return Number.NaN;
      const root = Math.sqrt(diagonal);
      this.a22[j * rest + j] = root;
      logDet += 2 * Math.log(root);
      for (let i = j + 1; i < rest; i += 1) {
        let value = this.a22[i * rest + j]!;
        for (let e = 0; e < j; e += 1) value -= this.a22[i * rest + e]! * this.a22[j * rest + e]!;
        this.a22[i * rest + j] = value / root;
      }
    }
    return logDet;
  }

  /** Solves (LL') x = rhs in place with the current factor. */
  private solve(rhs: Float64Array): void {
    const k0 = this.k0;
    const q0 = k0 * this.levels0;
    const rest = this.restSize;
    // Forward: L11 y1 = b1.
    for (let level = 0; level < this.levels0; level += 1) {
      const block = level * k0 * k0;
      const start = level * k0;
      for (let j = 0; j < k0; j += 1) {
        let value = rhs[start + j]!;
        for (let e = 0; e < j; e += 1) value -= this.a11[block + j * k0 + e]! * rhs[start + e]!;
        rhs[start + j] = value / this.a11[block + j * k0 + j]!;
      }
    }
    if (rest > 0) {
      for (let r = 0; r < rest; r += 1) {
        let value = rhs[q0 + r]!;
        for (let c = 0; c < q0; c += 1) value -= this.a21[r * q0 + c]! * rhs[c]!;
        for (let e = 0; e < r; e += 1) value -= this.a22[r * rest + e]! * rhs[q0 + e]!;
        rhs[q0 + r] = value / this.a22[r * rest + r]!;
      }
      // Backward: L22' x2 = y2.
      for (let r = rest - 1; r >= 0; r -= 1) {
        let value = rhs[q0 + r]!;
        for (let e = r + 1; e < rest; e += 1) value -= this.a22[e * rest + r]! * rhs[q0 + e]!;
        rhs[q0 + r] = value / this.a22[r * rest + r]!;
      }
      // y1 - L21' x2.
      for (let r = 0; r < rest; r += 1) {
        const value = rhs[q0 + r]!;
        if (value === 0) continue;
        for (let c = 0; c < q0; c += 1) rhs[c]! -= this.a21[r * q0 + c]! * value;
      }
    }
    for (let level = 0; level < this.levels0; level += 1) {
      const block = level * k0 * k0;
      const start = level * k0;
      for (let j = k0 - 1; j >= 0; j -= 1) {
        let value = rhs[start + j]!;
        for (let e = j + 1; e < k0; e += 1) value -= this.a11[block + e * k0 + j]! * rhs[start + e]!;
        rhs[start + j] = value / this.a11[block + j * k0 + j]!;
      }
    }
  }

  /**
   * PIRLS for fixed (θ, β): Newton steps on u (halved until the penalised deviance does not
   * increase), each pass over the rows computing μ, the deviance and the next system at once.
   * Stops when the Newton decrement g'A⁻¹g is below 1e-22 of the penalised deviance (û exact to
   * rounding: the Laplace term log|L|² is first order in u, and the Richardson derivatives of the
   * objective need it smooth to ~1e-12) or stops decreasing (rounding floor). The factor at û is
   * left in place. Returns NaN when the system is not positive definite.
   */
  private pirls(): { value: number; converged: boolean } {
    let value = this.update(this.u, true);
    if (!Number.isFinite(value)) {
      this.u.fill(0);
      value = this.update(this.u, true);
    }
    if (Number.isNaN(this.choleskyFactor())) return { value: Number.NaN, converged: false };
    let previousDecrement = Number.POSITIVE_INFINITY;
    for (let iteration = 0; iteration < PIRLS_MAX_ITERATIONS; iteration += 1) {
      this.step.set(this.gradient);
      this.solve(this.step);
      let decrement = 0;
      for (let index = 0; index < this.q; index += 1) decrement += this.step[index]! * this.gradient[index]!;
      const tolerance = 1e-22 * Math.max(1, Math.abs(value));
      if (decrement <= tolerance) return { value, converged: true };
      if (decrement >= previousDecrement && decrement < 1e-10 * Math.max(1, Math.abs(value))) {
        return { value, converged: true };
      }
      previousDecrement = decrement;
      let scale = 1;
      let accepted = false;
      while (scale > 1e-10) {
        for (let index = 0; index < this.q; index += 1)
          this.candidate[index] = this.u[index]! + scale * this.step[index]!;
        const candidateValue = this.update(this.candidate, true);
        if (candidateValue <= value || Math.abs(candidateValue - value) <= 1e-14 * Math.abs(value)) {
          value = candidateValue;
          this.u.set(this.candidate);
          accepted = true;
          break;
        }
        scale /= 2;
      }
      if (!accepted) {
        // No step decreases the penalised deviance: restore the system at u and stop.
        value = this.update(this.u, true);
        if (Number.isNaN(this.choleskyFactor())) return { value: Number.NaN, converged: false };
        return { value, converged: decrement < 1e-8 * Math.max(1, Math.abs(value)) };
      }
      if (Number.isNaN(this.choleskyFactor())) return { value: Number.NaN, converged: false };
    }
    return { value, converged: false };
  }

  /** The objective at (θ, β): Laplace for nAGQ = 1, adaptive Gauss-Hermite with `nodes` otherwise. */
  evaluate(theta: readonly number[], beta: readonly number[], nodes?: GaussHermiteRule): number {
    this.setParameters(theta, beta);
    const { value } = this.pirls();
    if (!Number.isFinite(value)) {
      this.u.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    return nodes === undefined ? this.laplace(value) : this.adaptiveQuadrature(nodes);
  }

  /** Laplace: Σ deviance residuals + ‖û‖² (the PIRLS value) + the saturated constant + log|L|². */
  private laplace(penalizedDeviance: number): number {
    let logDet = 0;
    const k0 = this.k0;
    for (let level = 0; level < this.levels0; level += 1) {
      for (let j = 0; j < k0; j += 1) logDet += 2 * Math.log(this.a11[level * k0 * k0 + j * k0 + j]!);
    }
    for (let j = 0; j < this.restSize; j += 1) logDet += 2 * Math.log(this.a22[j * this.restSize + j]!);
    return penalizedDeviance + this.saturated + logDet;
  }

  private groupDeviance(u: Float64Array, into: Float64Array): void {
    const { n, family, y, trials, terms } = this.data;
    const level = terms[0]!.levelOfRow;
    for (let j = 0; j < this.q; j += 1) into[j] = u[j]! * u[j]!;
    for (let row = 0; row < n; row += 1) {
      const value = this.fixedPart[row]! + this.rowValues[row]! * u[level[row]!]!;
      into[level[row]!]! += family.devianceResidual(y[row]!, family.mean(value), trials[row]!);
    }
  }

  private adaptiveQuadrature(rule: GaussHermiteRule): number {
    const q = this.q;
    const sd = new Float64Array(q);
    let logDet = 0;
    for (let j = 0; j < q; j += 1) {
      sd[j] = 1 / this.a11[j]!;
      logDet += 2 * Math.log(this.a11[j]!);
    }
    const at = new Float64Array(q);
    const base = new Float64Array(q);
    this.groupDeviance(this.u, base);
    const multiplier = new Float64Array(q);
    const shifted = new Float64Array(q);
    rule.nodes.forEach((node, index) => {
      const weight = rule.weights[index]!;
      if (node === 0) {
        for (let j = 0; j < q; j += 1) multiplier[j]! += weight;
        return;
      }
      for (let j = 0; j < q; j += 1) shifted[j] = this.u[j]! + node * sd[j]!;
      this.groupDeviance(shifted, at);
      for (let j = 0; j < q; j += 1) {
        multiplier[j]! += weight * Math.exp((node * node) / 2 - (at[j]! - base[j]!) / 2);
      }
    });
    let total = logDet + this.quadratureConstant;
    for (let j = 0; j < q; j += 1) total += base[j]! - 2 * Math.log(multiplier[j]!);
    return total;
  }

  /** State at the last evaluation: û, b = Λû and μ. */
  state(): { u: Float64Array; b: Float64Array; mu: Float64Array } {
    const b = new Float64Array(this.q);
    this.data.terms.forEach((term, t) => {
      const k = term.columns;
      const factor = this.factors[t]!;
      for (let level = 0; level < term.levels; level += 1) {
        const start = this.termOffsets[t]! + level * k;
        for (let a = 0; a < k; a += 1) {
          let sum = 0;
          for (let e = 0; e <= a; e += 1) sum += factor[a * k + e]! * this.u[start + e]!;
          b[start + a] = sum;
        }
      }
    });
    return { u: Float64Array.from(this.u), b, mu: Float64Array.from(this.mu) };
  }
}

export interface GaussHermiteRule {
  /** Nodes for the standard normal density. */
  nodes: number[];
  /** Weights summing to 1 (∫ φ(z) g(z) dz ≈ Σ w g(z)). */
  weights: number[];
}
