/**
 * Runner: study -> cells -> runs; the scheduler; resume; the stages of `run` over a run folder.
 * Imports every layer below the CLI.
 */
export { createBuiltinModel, isBuiltinModelRef } from './builtin-models.js';
export { type CostProjection, projectStudyCost } from './cost-projection.js';
export {
  ANALYTIC_POWER_CAVEAT,
  type AnalyticPowerOptions,
  type AnalyticPowerReport,
  type AnalyticPowerRow,
  analyticPower,
  mergeOverrides,
  PAPER_SMALLER_EFFECT,
  parsePlant,
  SIMULATED_POWER_CAVEAT,
  type SimulatedPowerOptions,
  type SimulatedPowerReport,
  type SimulatedPowerRow,
  simulatedPower,
  simulatedPowerCost,
} from './power.js';
export { createManifest, packageRoot, readManifest, toolVersion, writeFileAtomic, writeManifest } from './manifest.js';
export {
  analyzeStage,
  checkRunDirectory,
  covariatesFor,
  defaultRunDirectory,
  openRunDirectory,
  type PreparedModels,
  reportStage,
  type ScoreStageSummary,
  STORE_FILE,
  scoreStage,
  simulateStage,
  type SimulateStageOptions,
  type SimulateStageSummary,
} from './pipeline.js';
export { modelSlug, planStudy, type StudyPlan } from './plan.js';
export {
  DEFAULT_RUNS_IN_FLIGHT,
  type ProgressReporter,
  type SimulateStudyOptions,
  type SimulationSummary,
  simulateStudy,
} from './simulate.js';
export { type LoadedStudy, loadStudyFile, resolveStudy, type StudyOverrides, studyHash } from './study-file.js';
