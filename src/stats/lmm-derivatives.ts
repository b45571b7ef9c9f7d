/**
 * Numerical derivatives by Richardson extrapolation, written to reproduce R's numDeriv package
 * (Gilbert & Varadhan), which lmerTest uses for Satterthwaite degrees of freedom:
 * `numDeriv::hessian` (genD with d = 0.1) and `numDeriv::jacobian` (d = 1e-4), both with
 * eps = 1e-4, r = 4 halvings and zero.tol = sqrt(.Machine$double.eps / 7e-7). Following the same
 * steps and the same extrapolation makes our degrees of freedom agree with lmerTest's to the
 * precision of the deviance itself, not merely to the precision of "a" numerical derivative.
 */

export interface RichardsonOptions {
  /** Relative step: the first step for x is |d·x| (+ eps when x is near zero). */
  d: number;
  /** Absolute step added for parameters whose magnitude is below zeroTolerance. */
  eps: number;
  /** Number of step halvings extrapolated over. */
  r: number;
  zeroTolerance: number;
}

export const NUMDERIV_ZERO_TOLERANCE = Math.sqrt(2.220446049250313e-16 / 7e-7);

/** numDeriv::hessian's defaults. */
export const HESSIAN_DEFAULTS: RichardsonOptions = { d: 0.1, eps: 1e-4, r: 4, zeroTolerance: NUMDERIV_ZERO_TOLERANCE };

/** numDeriv::jacobian's (and grad's) defaults. */
export const JACOBIAN_DEFAULTS: RichardsonOptions = {
  d: 1e-4,
  eps: 1e-4,
  r: 4,
  zeroTolerance: NUMDERIV_ZERO_TOLERANCE,
};

function initialSteps(x: readonly number[], options: RichardsonOptions): number[] {
  return x.map(
    (value) => Math.abs(options.d * value) + options.eps * (Math.abs(value) < options.zeroTolerance ? 1 : 0),
  );
}

/** Richardson extrapolation in place over successive halvings (numDeriv's v = 2). */
function extrapolate(approximations: number[]): number {
  const r = approximations.length;
  for (let m = 1; m < r; m += 1) {
    const factor = 4 ** m;
    for (let k = 0; k < r - m; k += 1) {
      approximations[k] = (approximations[k + 1]! * factor - approximations[k]!) / (factor - 1);
    }
  }
  return approximations[0]!;
}

export interface GradientAndHessian {
  value: number;
  gradient: number[];
  hessian: number[][];
  evaluations: number;
}

/** numDeriv's genD: gradient and Hessian of a scalar function, with numDeriv's exact steps. */
export function richardsonGradientHessian(
  f: (x: number[]) => number,
  x: readonly number[],
  options: RichardsonOptions = HESSIAN_DEFAULTS,
): GradientAndHessian {
  const n = x.length;
  const value = f([...x]);
  let evaluations = 1;
  const h0 = initialSteps(x, options);
  const gradient = new Array<number>(n).fill(0);
  const diagonal = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i += 1) {
    const first: number[] = [];
    const second: number[] = [];
    let h = h0[i]!;
    for (let k = 0; k < options.r; k += 1) {
      const plus = [...x];
      const minus = [...x];
      plus[i] = x[i]! + h;
      minus[i] = x[i]! - h;
      const f1 = f(plus);
      const f2 = f(minus);
      evaluations += 2;
      first.push((f1 - f2) / (2 * h));
      second.push((f1 - 2 * value + f2) / (h * h));
      h /= 2;
    }
    gradient[i] = extrapolate(first);
    diagonal[i] = extrapolate(second);
  }
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    hessian[i]![i] = diagonal[i]!;
    for (let j = 0; j < i; j += 1) {
      const approximations: number[] = [];
      let hi = h0[i]!;
      let hj = h0[j]!;
      for (let k = 0; k < options.r; k += 1) {
        const plus = [...x];
        const minus = [...x];
        plus[i] = x[i]! + hi;
        plus[j] = x[j]! + hj;
        minus[i] = x[i]! - hi;
        minus[j] = x[j]! - hj;
        const f1 = f(plus);
        const f2 = f(minus);
        evaluations += 2;
        approximations.push((f1 - 2 * value + f2 - diagonal[i]! * hi * hi - diagonal[j]! * hj * hj) / (2 * hi * hj));
        hi /= 2;
        hj /= 2;
      }
      const entry = extrapolate(approximations);
      hessian[i]![j] = entry;
      hessian[j]![i] = entry;
    }
  }
  return { value, gradient, hessian, evaluations };
}

/** numDeriv::jacobian (Richardson): one derivative vector per parameter of a vector function. */
export function richardsonJacobian(
  f: (x: number[]) => Float64Array,
  x: readonly number[],
  options: RichardsonOptions = JACOBIAN_DEFAULTS,
): Float64Array[] {
  const n = x.length;
  const h0 = initialSteps(x, options);
  const columns: Float64Array[] = [];
  for (let i = 0; i < n; i += 1) {
    const approximations: Float64Array[] = [];
    let h = h0[i]!;
    for (let k = 0; k < options.r; k += 1) {
      const plus = [...x];
      const minus = [...x];
      plus[i] = x[i]! + h;
      minus[i] = x[i]! - h;
      const f1 = f(plus);
      const f2 = f(minus);
      const step = h0[i]! / 2 ** k;
      approximations.push(f1.map((value, index) => (value - f2[index]!) / (2 * step)));
      h /= 2;
    }
    const size = approximations[0]!.length;
    const result = new Float64Array(size);
    for (let index = 0; index < size; index += 1) {
      result[index] = extrapolate(approximations.map((approximation) => approximation[index]!));
    }
    columns.push(result);
  }
  return columns;
}
