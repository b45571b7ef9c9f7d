import { StatisticsError } from '../contracts/index.js';
import { tTwoSidedP } from './distributions.js';
import { symmetricEigen } from './linear-algebra.js';
import {
  HESSIAN_DEFAULTS,
  JACOBIAN_DEFAULTS,
  richardsonGradientHessian,
  richardsonJacobian,
} from './lmm-derivatives.js';
import type { ProfiledDeviance } from './lmm-deviance.js';

/**
 * Satterthwaite degrees of freedom for t tests of fixed effects, computed as lmerTest 3.x does
 * (Kuznetsova, Brockhoff & Christensen 2017, J. Stat. Softw. 82(13)):
 *
 * - the variance parameters are (theta, sigma); their covariance is 2 H⁺, where H is the Hessian of
 *   the deviance (REML or ML, as fitted) in those parameters, not profiled over sigma, and H⁺ its
 *   Moore–Penrose inverse over eigenvalues above 1e-8;
 * - the Jacobian of Cov(β) = σ² (RX'RX)⁻¹ with respect to (theta, sigma);
 * - for a contrast L: df = 2 (L'CL)² / (g' A g), g_i = L' (∂C/∂φ_i) L, A = Cov(φ).
 *
 * Both derivatives use numDeriv's Richardson schemes (lmm-derivatives.ts) with lmerTest's settings,
 * so the numbers agree with lmerTest's, warnings about the Hessian included.
 */

export interface SatterthwaiteState {
  /** (theta..., sigma) at the fit. */
  varianceParameters: number[];
  /** Covariance of the variance parameters, 2 H⁺. */
  varianceParameterCovariance: number[][];
  /** ∂Cov(β)/∂φ_i for every variance parameter, each p x p. */
  jacobian: number[][][];
  /** Cov(β), p x p. */
  covariance: number[][];
  /** lmerTest's warnings about the Hessian (negative or near-zero eigenvalues). */
  warnings: string[];
}

export interface ContrastTest {
  estimate: number;
  se: number;
  df: number | null;
  t: number;
  p: number | null;
}

/** lmerTest's devfun_vp: the deviance at (theta, sigma) without profiling sigma out. */
export function devianceAtVarianceParameters(
  deviance: ProfiledDeviance,
  varianceParameters: readonly number[],
  reml: boolean,
): number {
  const count = varianceParameters.length;
  const sigma = varianceParameters[count - 1]!;
  const sigmaSquared = sigma * sigma;
  const parts = deviance.parts(varianceParameters.slice(0, count - 1), reml);
  if (parts === undefined) return Number.NaN;
  const n = deviance.rows;
  let value = parts.logDetL + parts.penalizedRss / sigmaSquared + n * Math.log(2 * Math.PI * sigmaSquared);
  if (reml) value += parts.logDetRX - deviance.fixedColumns * Math.log(2 * Math.PI * sigmaSquared);
  return value;
}

function formatEigenvalue(value: number): string {
  // R's sprintf("%1.1e"): one decimal, two-digit exponent.
  const [mantissa, exponent] = value.toExponential(1).split('e');
  const power = Number(exponent);
  return `${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
}

export function computeSatterthwaiteState(
  deviance: ProfiledDeviance,
  theta: readonly number[],
  sigma: number,
  reml: boolean,
): SatterthwaiteState {
  const varianceParameters = [...theta, sigma];
  const p = deviance.fixedColumns;
  const warnings: string[] = [];
  const { hessian } = richardsonGradientHessian(
    (parameters) => devianceAtVarianceParameters(deviance, parameters, reml),
    varianceParameters,
    HESSIAN_DEFAULTS,
  );
  const tolerance = 1e-8;
  if (!hessian.every((row) => row.every(Number.isFinite))) {
    // Degrees of freedom cannot be computed; contrast tests then report df and p as null.
    const size = varianceParameters.length;
    const unknown = Array.from({ length: size }, () => new Array<number>(size).fill(Number.NaN));
    const covarianceFlat = deviance.unscaledCovariance(theta) ?? new Float64Array(p * p).fill(Number.NaN);
    const covariance = Array.from({ length: p }, (_, row) =>
      Array.from(covarianceFlat.subarray(row * p, (row + 1) * p), (value) => value * sigma * sigma),
    );
    return {
      varianceParameters,
      varianceParameterCovariance: unknown,
      jacobian: varianceParameters.map(() => covariance.map((row) => row.map(() => Number.NaN))),
      covariance,
      warnings: ['The Hessian of the deviance is not finite at the estimates: Satterthwaite df are unavailable'],
    };
  }
  const eigen = symmetricEigen(hessian);
  const negative = eigen.values.filter((value) => value < -tolerance);
  const nearZero = eigen.values.filter((value) => value > -tolerance && value < tolerance);
  if (negative.length > 0) {
    warnings.push(
      `Model failed to converge with ${negative.length} negative ${negative.length > 1 ? 'eigenvalues' : 'eigenvalue'}: ${negative.map(formatEigenvalue).join(' ')}`,
    );
  }
  if (nearZero.length > 0) {
    warnings.push(
      `Model may not have converged with ${nearZero.length} ${nearZero.length > 1 ? 'eigenvalues' : 'eigenvalue'} close to zero: ${nearZero.map(formatEigenvalue).join(' ')}`,
    );
  }
  const size = varianceParameters.length;
  const varianceParameterCovariance = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  eigen.values.forEach((value, index) => {
    if (!(value > tolerance)) return;
    for (let i = 0; i < size; i += 1) {
      for (let j = 0; j < size; j += 1) {
        varianceParameterCovariance[i]![j]! += (2 * eigen.vectors[i]![index]! * eigen.vectors[j]![index]!) / value;
      }
    }
  });
  const covarianceAt = (parameters: number[]): Float64Array => {
    const count = parameters.length;
    const unscaled = deviance.unscaledCovariance(parameters.slice(0, count - 1));
    const sigmaSquared = parameters[count - 1]! ** 2;
    if (unscaled === undefined) return new Float64Array(p * p).fill(Number.NaN);
    return unscaled.map((value) => value * sigmaSquared);
  };
  const jacobian = richardsonJacobian(covarianceAt, varianceParameters, JACOBIAN_DEFAULTS).map((column) =>
    Array.from({ length: p }, (_, row) => Array.from(column.subarray(row * p, (row + 1) * p))),
  );
  const covarianceFlat = covarianceAt(varianceParameters);
  const covariance = Array.from({ length: p }, (_, row) => Array.from(covarianceFlat.subarray(row * p, (row + 1) * p)));
  return { varianceParameters, varianceParameterCovariance, jacobian, covariance, warnings };
}

function quadraticForm(vector: readonly number[], matrix: readonly (readonly number[])[]): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i += 1) {
    for (let j = 0; j < vector.length; j += 1) sum += vector[i]! * matrix[i]![j]! * vector[j]!;
  }
  return sum;
}

/** lmerTest's contest1D: t test of L'β = 0 with Satterthwaite degrees of freedom. */
export function satterthwaiteContrast(
  state: SatterthwaiteState,
  estimates: readonly number[],
  contrast: readonly number[],
): ContrastTest {
  if (contrast.length !== estimates.length) {
    throw new StatisticsError(
      `A contrast needs one weight per fixed effect (${estimates.length}), but ${contrast.length} were given`,
    );
  }
  if (contrast.some((weight) => !Number.isFinite(weight))) {
    throw new StatisticsError('Contrast weights must be finite numbers');
  }
  let estimate = 0;
  contrast.forEach((weight, index) => {
    estimate += weight * estimates[index]!;
  });
  const variance = quadraticForm(contrast, state.covariance);
  const gradient = state.jacobian.map((matrix) => quadraticForm(contrast, matrix));
  const denominator = quadraticForm(gradient, state.varianceParameterCovariance);
  const rawDf = (2 * variance * variance) / denominator;
  const se = Math.sqrt(variance);
  const t = estimate / se;
  const df = Number.isFinite(rawDf) && rawDf > 0 ? rawDf : null;
  return { estimate, se, df, t, p: df === null ? null : tTwoSidedP(t, df) };
}
