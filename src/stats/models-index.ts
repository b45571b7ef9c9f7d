/**
 * Public surface of the model-fitting half of the statistics engine: R-style formulas, OLS equal to
 * `summary(lm())`, linear mixed models equal to lme4 + lmerTest, GLMs equal to `glm()`, GLMMs equal
 * to `lme4::glmer`, and likelihood-ratio tests. The
 * stats layer's index.ts re-exports this file.
 */
export {
  type LikelihoodRatioTest,
  type ModelSummary,
  compareModels,
} from './likelihood-ratio.js';
export {
  type FitLmmOptions,
  type LmmConditionalMode,
  type LmmCorrelation,
  type LmmFit,
  type LmmFixedEffect,
  type LmmRandomEffect,
  fitLmm,
  testLmmContrast,
} from './lmm.js';
export { type SimulationOptions, simulateRandomSlopesData } from './lmm-simulate.js';
export type { ContrastTest } from './satterthwaite.js';
export {
  type FormulaTerm,
  type ParsedFormula,
  type RandomTermSpec,
  parseFormula,
} from './formula.js';
export {
  type CellValue,
  type DataColumns,
  type DataRow,
  type ModelData,
  type ModelDataOptions,
  columnsFromRows,
  MODELS_ENGINE_VERSION,
} from './model-frame.js';
export { type FitGlmOptions, type GlmCoefficient, type GlmFit, fitGlm } from './glm.js';
export type { FamilyName } from './glm-family.js';
export { type ParsedGlmFormula, parseGlmFormula } from './glm-model.js';
export {
  type FitGlmmOptions,
  type GlmmFit,
  type GlmmFixedEffect,
  fitGlmm,
  testWaldContrast,
  type WaldContrastTest,
} from './glmm.js';
export { type GlmmSimulationOptions, simulateRandomSlopesBinaryData } from './lmm-simulate.js';
export { type FitOlsOptions, type OlsCoefficient, type OlsFit, type OlsFStatistic, fitOls } from './ols.js';
