import type { EstimatorRecord } from '../contracts/index.js';
import { NotEstimableError, StatisticsError } from '../contracts/index.js';
import { fCdf, tTwoSidedP } from './distributions.js';
import { parseFormula } from './formula.js';
import { applyQTranspose, householderQr, solveUpperFromQr, unscaledCovarianceFromQr } from './linear-algebra.js';
import {
  buildFixedDesign,
  MODELS_ENGINE_VERSION,
  type ModelData,
  type ModelDataOptions,
  ModelFrame,
  responseVector,
} from './model-frame.js';

/**
 * Ordinary least squares equal to R's `summary(lm())`: Householder QR with lm()'s rule for
 * aliased columns (a column within 1e-7 of the span of the columns before it is dropped, and
 * reported, where R prints NA), coefficient t tests on the residual degrees of freedom, R² and
 * adjusted R² (uncentred when the model has no intercept, as R computes them), and the overall F
 * test against the intercept-only model (against zero without an intercept).
 */

export interface OlsCoefficient {
  term: string;
  estimate: number;
  se: number;
  /** Residual degrees of freedom. */
  df: number;
  t: number;
  p: number;
}

export interface OlsFStatistic {
  value: number;
  numeratorDf: number;
  denominatorDf: number;
  p: number;
}

export interface OlsFit {
  model: 'ols';
  formula: string;
  coefficients: OlsCoefficient[];
  /** Columns dropped as linear combinations of earlier ones (R reports NA for them). */
  aliased: string[];
  residualStandardError: number;
  residualDf: number;
  rSquared: number;
  adjustedRSquared: number;
  /** Null for an intercept-only model, where R reports no F statistic. */
  fStatistic: OlsFStatistic | null;
  /** Maximum-likelihood log-likelihood, as R's logLik(lm). */
  logLik: number;
  AIC: number;
  BIC: number;
  /** Number of estimated parameters counted by logLik: coefficients plus the residual variance. */
  npar: number;
  nobs: number;
  response: string;
  /** Covariance matrix of the coefficients, rows and columns in `coefficients` order. */
  covariance: number[][];
  warnings: string[];
  estimator: EstimatorRecord;
}

export interface FitOlsOptions extends ModelDataOptions {
  formula: string;
  data: ModelData;
}

export function fitOls(options: FitOlsOptions): OlsFit {
  const formula = parseFormula(options.formula);
  if (formula.randomTerms.length > 0) {
    throw new StatisticsError(
      `OLS formula '${options.formula}' has random-effects terms; fit it as a mixed model (fitLmm) instead`,
    );
  }
  const frame = new ModelFrame(options.data, options);
  const y = responseVector(frame, formula);
  const design = buildFixedDesign(frame, formula);
  const rows = design.rows;
  const columns = design.columns.length;
  if (columns === 0) {
    throw new StatisticsError(`OLS formula '${options.formula}' has no predictors and no intercept`);
  }
  if (rows <= columns) {
    throw new NotEstimableError(
      `OLS model '${options.formula}' has ${columns} coefficients but only ${rows} rows; it needs more rows than coefficients`,
    );
  }
  const decomposition = householderQr(design.values, rows, columns);
  const rank = decomposition.rank;
  const kept = decomposition.pivot.slice(0, rank);
  const aliased = decomposition.pivot.slice(rank).map((index) => design.columns[index]!);
  const warnings: string[] = [];
  if (aliased.length > 0) {
    warnings.push(
      `${aliased.length} coefficient(s) not defined because of singularities (linear combinations of other columns): ${aliased.join(', ')}`,
    );
  }
  const effects = applyQTranspose(decomposition, y);
  const estimates = solveUpperFromQr(decomposition, effects);

  const fitted = new Float64Array(rows);
  let residualSumOfSquares = 0;
  for (let row = 0; row < rows; row += 1) {
    let value = 0;
    for (let position = 0; position < rank; position += 1) {
      value += design.values[row * columns + kept[position]!]! * estimates[position]!;
    }
    fitted[row] = value;
    residualSumOfSquares += (y[row]! - value) ** 2;
  }
  let squares = 0;
  for (let row = 0; row < rows; row += 1) squares += y[row]! * y[row]!;
  if (!(residualSumOfSquares > 1e-24 * squares)) {
    throw new NotEstimableError(
      `OLS model '${options.formula}' reproduces the response '${formula.response}' exactly (is it constant?); standard errors and tests are undefined`,
    );
  }
  const residualDf = rows - rank;
  const residualVariance = residualSumOfSquares / residualDf;
  const unscaled = unscaledCovarianceFromQr(decomposition);

  // Report coefficients in the design's column order, as summary(lm) does.
  const positionOf = new Map(kept.map((column, position) => [column, position]));
  const order = [...kept].sort((a, b) => a - b);
  const coefficients: OlsCoefficient[] = order.map((column) => {
    const position = positionOf.get(column)!;
    const estimate = estimates[position]!;
    const se = Math.sqrt(residualVariance * unscaled[position * rank + position]!);
    const t = estimate / se;
    return { term: design.columns[column]!, estimate, se, df: residualDf, t, p: tTwoSidedP(t, residualDf) };
  });
  const covariance = order.map((rowColumn) =>
    order.map((column) => residualVariance * unscaled[positionOf.get(rowColumn)! * rank + positionOf.get(column)!]!),
  );

  const interceptDf = formula.intercept ? 1 : 0;
  let modelSumOfSquares = 0;
  if (formula.intercept) {
    let mean = 0;
    for (let row = 0; row < rows; row += 1) mean += fitted[row]!;
    mean /= rows;
    for (let row = 0; row < rows; row += 1) modelSumOfSquares += (fitted[row]! - mean) ** 2;
  } else {
    for (let row = 0; row < rows; row += 1) modelSumOfSquares += fitted[row]! ** 2;
  }
  // As summary.lm: a model with nothing beyond its intercept explains nothing (R² = 0, no F test).
  let rSquared = 0;
  let adjustedRSquared = 0;
  let fStatistic: OlsFStatistic | null = null;
  if (rank !== interceptDf) {
    rSquared = modelSumOfSquares / (modelSumOfSquares + residualSumOfSquares);
    adjustedRSquared = 1 - (1 - rSquared) * ((rows - interceptDf) / residualDf);
    const numeratorDf = rank - interceptDf;
    const value = modelSumOfSquares / numeratorDf / residualVariance;
    fStatistic = { value, numeratorDf, denominatorDf: residualDf, p: fCdf(value, numeratorDf, residualDf, 'upper') };
  }
  const logLik = 0.5 * -rows * (Math.log(2 * Math.PI) + 1 - Math.log(rows) + Math.log(residualSumOfSquares));
  const npar = rank + 1;
  return {
    model: 'ols',
    formula: options.formula,
    coefficients,
    aliased,
    residualStandardError: Math.sqrt(residualVariance),
    residualDf,
    rSquared,
    adjustedRSquared,
    fStatistic,
    logLik,
    AIC: -2 * logLik + 2 * npar,
    BIC: -2 * logLik + Math.log(rows) * npar,
    npar,
    nobs: rows,
    response: formula.response,
    covariance,
    warnings,
    estimator: {
      name: 'ols',
      version: MODELS_ENGINE_VERSION,
      args: {
        formula: options.formula,
        method: 'householder-qr',
        aliasTolerance: 1e-7,
        ...(options.levels === undefined ? {} : { levels: options.levels }),
        ...(options.referenceLevels === undefined ? {} : { referenceLevels: options.referenceLevels }),
        ...(options.factors === undefined ? {} : { factors: options.factors }),
      },
    },
  };
}
