/**
 * Runner: study -> cells -> runs; the scheduler; resume; the stages of `run` over a run folder.
 * Imports every layer below the CLI.
 */
export { createManifest, packageRoot, readManifest, toolVersion, writeFileAtomic, writeManifest } from './manifest.js';
export {
  analyzeStage,
  checkRunDirectory,
  covariatesFor,
  defaultRunDirectory,
  openRunDirectory,
  reportStage,
  type ScoreStageSummary,
  STORE_FILE,
  scoreStage,
  simulateStage,
  type SimulateStageOptions,
} from './pipeline.js';
export { modelSlug, planStudy, type StudyPlan } from './plan.js';
export { type ProgressReporter, type SimulateStudyOptions, type SimulationSummary, simulateStudy } from './simulate.js';
export { type LoadedStudy, loadStudyFile, resolveStudy, type StudyOverrides } from './study-file.js';
