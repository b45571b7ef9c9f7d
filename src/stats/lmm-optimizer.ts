import { symmetricEigen } from './linear-algebra.js';
import { type RichardsonOptions, richardsonGradientHessian } from './lmm-derivatives.js';

/**
 * Minimisation of the profiled deviance over theta.
 *
 * lme4 minimises under bounds (diagonals of each relative covariance factor >= 0) with BOBYQA.
 * We use that the deviance depends on Λθ only through ΛθΛθ', which does not change when a column
 * of a factor changes sign: the bounded problem and the unbounded one have the same minimum, and an
 * unbounded minimiser maps onto lme4's parameterisation by flipping the sign of every column whose
 * diagonal came out negative. That removes bound handling from the optimiser, and the singular
 * boundary (a diagonal at 0) becomes an ordinary interior point where the deviance is even.
 *
 * Stage 1: Nelder–Mead (adaptive coefficients of Gao & Han 2012), restarted from its best point
 * until a restart no longer improves. Stage 2: Newton steps on Richardson-extrapolated gradient and
 * Hessian, with a pseudo-inverse (flat directions, e.g. a correlation at ±1, are left alone) and a
 * backtracking line search. Stage 1 finds the basin; stage 2 locates the minimum to ~1e-9 in theta,
 * which a function-value criterion alone (BOBYQA's, or Nelder–Mead's) cannot, since the deviance
 * changes only quadratically near its minimum.
 */

export interface NelderMeadOptions {
  initialStep: number;
  maxEvaluations: number;
  /** Stop when the spread of function values over the simplex is below this. */
  functionTolerance: number;
  /** ...and every vertex is within this distance (max norm) of the best one. */
  parameterTolerance: number;
}

export interface MinimizationResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export function nelderMead(
  f: (x: number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions,
): MinimizationResult {
  const n = start.length;
  const alpha = 1;
  const gamma = 1 + 2 / n;
  const rho = 0.75 - 1 / (2 * n);
  const sigma = 1 - 1 / n;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations += 1;
    const value = f(x);
    return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
  };
  const simplex: { x: number[]; value: number }[] = [{ x: [...start], value: evaluate([...start]) }];
  for (let i = 0; i < n; i += 1) {
    const x = [...start];
    x[i] = x[i]! + options.initialStep;
    simplex.push({ x, value: evaluate(x) });
  }
  let converged = false;
  while (evaluations < options.maxEvaluations) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    let size = 0;
    for (let vertex = 1; vertex <= n; vertex += 1) {
      for (let i = 0; i < n; i += 1) size = Math.max(size, Math.abs(simplex[vertex]!.x[i]! - best.x[i]!));
    }
    if (worst.value - best.value <= options.functionTolerance && size <= options.parameterTolerance) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let vertex = 0; vertex < n; vertex += 1) {
      for (let i = 0; i < n; i += 1) centroid[i]! += simplex[vertex]!.x[i]! / n;
    }
    const along = (coefficient: number) => centroid.map((value, i) => value + coefficient * (value - worst.x[i]!));
    const reflected = along(alpha);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < best.value) {
      const expanded = along(alpha * gamma);
      const expandedValue = evaluate(expanded);
      simplex[n] =
        expandedValue < reflectedValue
          ? { x: expanded, value: expandedValue }
          : { x: reflected, value: reflectedValue };
      continue;
    }
    if (reflectedValue < simplex[n - 1]!.value) {
      simplex[n] = { x: reflected, value: reflectedValue };
      continue;
    }
    const outside = reflectedValue < worst.value;
    const contracted = along(outside ? alpha * rho : -rho);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : worst.value)) {
      simplex[n] = { x: contracted, value: contractedValue };
      continue;
    }
    for (let vertex = 1; vertex <= n; vertex += 1) {
      const x = simplex[vertex]!.x.map((value, i) => best.x[i]! + sigma * (value - best.x[i]!));
      simplex[vertex] = { x, value: evaluate(x) };
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: simplex[0]!.x, value: simplex[0]!.value, evaluations, converged };
}

export interface ThetaOptimization {
  theta: number[];
  deviance: number;
  evaluations: number;
  /** The optimiser stopped by its convergence criteria, not by its evaluation budget. */
  optimizerConverged: boolean;
  /** Largest |H⁻¹ g| at the optimum (lme4's scaled gradient check). */
  scaledGradient: number;
  messages: string[];
}

/** lme4's isSingular tolerance on the diagonal of the relative covariance factor. */
export const SINGULAR_TOLERANCE = 1e-4;
/** lme4's convergence check on the scaled gradient at the optimum. */
export const GRADIENT_TOLERANCE = 2e-3;

/**
 * The singular-fit and convergence verdicts of an optimised theta, with the warnings lme4 gives for
 * them (worded as lme4 words them), shared by the LMM and the GLMM so they can never drift apart.
 */
export function assessThetaFit(
  optimization: ThetaOptimization,
  diagonal: readonly boolean[],
): { singular: boolean; converged: boolean; warnings: string[] } {
  const singular = optimization.theta.some((value, index) => diagonal[index] && value < SINGULAR_TOLERANCE);
  const converged = optimization.optimizerConverged && optimization.scaledGradient < GRADIENT_TOLERANCE;
  const warnings: string[] = [];
  if (singular) {
    warnings.push(
      "boundary (singular) fit: a random-effects variance is (near) zero or a correlation is (near) ±1 (lme4's isSingular, tol 1e-4); consider simplifying the random-effects structure",
    );
  }
  warnings.push(...optimization.messages);
  if (!converged) {
    warnings.push(
      `Model failed to converge: max|scaled gradient| = ${optimization.scaledGradient.toExponential(2)} (tolerance ${GRADIENT_TOLERANCE}); estimates may not be at the optimum`,
    );
  }
  return { singular, converged, warnings };
}

export interface ThetaOptimizationOptions {
  maxEvaluations?: number;
  /**
   * Nelder–Mead's stopping rule before the Newton polish (defaults 1e-8 and 1e-5). Looser values
   * leave more of the work to the Newton steps, which pays when each evaluation is expensive and
   * the objective is smooth (the GLMM's Laplace objective).
   */
  functionTolerance?: number;
  parameterTolerance?: number;
}

/**
 * Richardson steps for the polishing derivatives: relative 1e-3 (absolute 5e-5 near zero), two
 * levels. The truncation error is then O(h⁴) and the rounding error about 1e-13·|f|/h, so the
 * gradient is good to ~1e-8 and the minimum is located far more precisely than by comparing
 * function values.
 */
function polishOptions(): RichardsonOptions {
  return { d: 1e-3, eps: 5e-5, r: 2, zeroTolerance: 0.05 };
}

function newtonStep(gradient: number[], hessian: number[][]): number[] {
  const n = gradient.length;
  const step = new Array<number>(n).fill(0);
  // A non-finite derivative (the deviance was infinite nearby) gives no usable step.
  if (!gradient.every(Number.isFinite) || !hessian.every((row) => row.every(Number.isFinite))) return step;
  const { values, vectors } = symmetricEigen(hessian);
  const scale = Math.max(...values.map(Math.abs));
  if (!(scale > 0)) return step;
  values.forEach((value, index) => {
    // Directions with (numerically) no curvature carry no information about the minimum.
    if (Math.abs(value) <= scale * 1e-9) return;
    let coordinate = 0;
    for (let i = 0; i < n; i += 1) coordinate += vectors[i]![index]! * gradient[i]!;
    // |λ|: away from the minimum a negative curvature direction is still descended.
    coordinate /= Math.abs(value);
    for (let i = 0; i < n; i += 1) step[i]! -= coordinate * vectors[i]![index]!;
  });
  return step;
}

/** Flips the sign of every factor column whose diagonal is negative (same ΛΛ', same deviance). */
export function canonicalTheta(theta: readonly number[], termColumns: readonly number[]): number[] {
  const result = [...theta];
  let offset = 0;
  for (const k of termColumns) {
    let position = offset;
    for (let column = 0; column < k; column += 1) {
      const length = k - column;
      if (result[position]! < 0) {
        for (let index = position; index < position + length; index += 1) result[index] = -result[index]!;
      }
      position += length;
    }
    offset = position;
  }
  return result.map((value) => (Object.is(value, -0) ? 0 : value));
}

export function minimizeTheta(
  f: (theta: number[]) => number,
  start: readonly number[],
  termColumns: readonly number[],
  diagonalMask: readonly boolean[],
  options: ThetaOptimizationOptions = {},
): ThetaOptimization {
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  const messages: string[] = [];
  let evaluations = 0;
  const counted = (x: number[]) => {
    evaluations += 1;
    return f(x);
  };
  const nelderMeadOptions = (initialStep: number): NelderMeadOptions => ({
    initialStep,
    maxEvaluations: Math.max(0, maxEvaluations - evaluations),
    functionTolerance: options.functionTolerance ?? 1e-8,
    parameterTolerance: options.parameterTolerance ?? 1e-5,
  });
  const polish = (from: MinimizationResult) => {
    let x = from.x;
    let value = from.value;
    let scaledGradient = Number.POSITIVE_INFINITY;
    for (let iteration = 0; iteration < 50; iteration += 1) {
      const derivatives = richardsonGradientHessian(counted, x, polishOptions());
      if (!derivatives.gradient.every(Number.isFinite)) {
        scaledGradient = Number.POSITIVE_INFINITY;
        break;
      }
      const step = newtonStep(derivatives.gradient, derivatives.hessian);
      // |H⁻¹g| is lme4's scaled gradient; it is unchanged by the sign flips of canonicalTheta.
      scaledGradient = Math.max(0, ...step.map(Math.abs));
      if (scaledGradient <= 1e-10 * Math.max(1, ...x.map(Math.abs))) break;
      let scale = 1;
      let accepted: number[] | undefined;
      while (scale > 1e-6) {
        const candidate = x.map((component, i) => component + scale * step[i]!);
        const candidateValue = counted(candidate);
        if (candidateValue <= value) {
          accepted = candidate;
          value = candidateValue;
          break;
        }
        scale /= 2;
      }
      if (accepted === undefined) break;
      x = accepted;
    }
    return { x, value, scaledGradient };
  };

  const first = nelderMead(counted, start, nelderMeadOptions(0.25));
  let optimizerConverged = first.converged;
  let best = polish(first);
  // Newton steps only help inside the basin of the minimum. If they did not get there (Nelder–Mead
  // can stall on a collapsed simplex), restart Nelder–Mead from the best point and polish again.
  for (let restart = 0; restart < 5 && !(best.scaledGradient < 1e-6) && evaluations < maxEvaluations; restart += 1) {
    const again = nelderMead(counted, best.x, nelderMeadOptions(0.02));
    optimizerConverged = again.converged;
    const polished = polish(again.value <= best.value ? again : { ...again, x: best.x, value: best.value });
    if (polished.value <= best.value) best = polished;
  }
  if (!optimizerConverged) {
    messages.push(`Nelder–Mead stopped at its limit of ${maxEvaluations} deviance evaluations`);
  }

  // lme4's check.boundary: a diagonal within 1e-5 of zero goes to zero unless that is worse.
  let theta = canonicalTheta(best.x, termColumns);
  let value = best.value;
  let scaledGradient = best.scaledGradient;
  let moved = false;
  for (let index = 0; index < theta.length; index += 1) {
    if (!diagonalMask[index] || theta[index] === 0 || theta[index]! >= 1e-5) continue;
    const candidate = [...theta];
    candidate[index] = 0;
    const candidateValue = counted(candidate);
    if (candidateValue <= value) {
      theta = candidate;
      value = candidateValue;
      moved = true;
    }
  }
  if (moved) {
    const final = richardsonGradientHessian(counted, theta, polishOptions());
    scaledGradient = final.gradient.every(Number.isFinite)
      ? Math.max(0, ...newtonStep(final.gradient, final.hessian).map(Math.abs))
      : Number.POSITIVE_INFINITY;
  }
  return { theta, deviance: value, evaluations, optimizerConverged, scaledGradient, messages };
}
