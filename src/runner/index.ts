/**
 * Runner: study -> cells -> runs; the scheduler; resume; the stages of `run` over a run folder.
 * Imports every layer below the CLI.
 */
export { createBuiltinModel } from './builtin-models.js';
export {
  type BundleSummary,
  type CreateBundleOptions,
  createBundle,
  isBundleFile,
  type OpenedBundle,
  openBundle,
  openBundleReplaySource,
} from './bundle.js';
export { differingValues, type ReproduceOptions, type ReproduceSummary, reproduceBundle } from './reproduce.js';
export { type CostProjection, projectStudyCost } from './cost-projection.js';
export {
  defaultExpectationFile,
  EXPECTATIONS_DIRECTORY,
  type ExpectationKey,
  expectationDirectories,
  expectationFromPower,
  expectationKey,
  expectationWriteError,
  findExpectation,
  sampleQuantiles,
  writeExpectation,
} from './expectation.js';
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
export {
  createManifest,
  gitState,
  packageRoot,
  readManifest,
  toolVersion,
  writeFileAtomic,
  writeManifest,
} from './manifest.js';
export {
  analyzeStage,
  type CheckRunDirectoryOptions,
  checkRunDirectory,
  covariatesFor,
  defaultRunDirectory,
  openRunDirectory,
  PACK_FILES,
  PACK_SNAPSHOT_DIRECTORY,
  packSnapshot,
  type PreparedModels,
  reportStage,
  type RunPreregistration,
  type ScoreStageSummary,
  STORE_FILE,
  scoreStage,
  scoreStageInThreads,
  simulateStage,
  type SimulateStageOptions,
  type SimulateStageSummary,
  simulationIdentity,
  snapshotPacks,
} from './pipeline.js';
export { type PreregistrationDocumentInput, renderPreregistrationDocument } from './prereg-document.js';
export {
  applyDeviations,
  createLock,
  dataUnderLock,
  demotedByChanges,
  describePlannedTest,
  diffPreregistration,
  formatChange,
  LOCK_FILE,
  lockedPack,
  lockedStudy,
  PREREGISTRATION_DOCUMENT,
  preregContent,
  preregistrationResults,
  RUN_PREREG_DIRECTORY,
  readLock,
  serializeLock,
  type VerifiedPreregistration,
  type VerifyPreregistrationInput,
  verifyPreregistration,
} from './preregistration.js';
export { modelSlug, planStudy, type StudyPlan } from './plan.js';
export { DOCTOR_EXIT, type DoctorCheck, type DoctorReport, diagnoseRunFolder } from './doctor.js';
export {
  asRunFolderWriter,
  asRunFolderWriterAsync,
  assertRunFolderSound,
  checkRunFolderPath,
  DamagedRunFolderError,
  DERIVED_OUTPUTS,
  DiskFullError,
  isDiskFullError,
  markRunFolderSound,
  runFolderDamage,
  STALE_DIRECTORY,
  setDerivedOutputsAside,
} from './run-folder-health.js';
export {
  acquireWriterLock,
  currentWriter,
  RunFolderInUseError,
  WRITER_LOCK_FILE,
  type WriterLock,
  type WriterLockHolder,
  withWriterLock,
} from './writer-lock.js';
export {
  DEFAULT_RUNS_IN_FLIGHT,
  type ProgressReporter,
  runSpecFor,
  type SimulateStudyOptions,
  type SimulationSummary,
  simulateStudy,
} from './simulate.js';
export { type SimulationThreadsOptions, simulateStudyInThreads } from './simulate-in-threads.js';
export { serveSimulationThread, type ThreadStudy } from './simulation-thread.js';
export {
  type LoadedStudy,
  loadStudyFile,
  resolveStudy,
  type StudyOverrides,
  studyDesign,
  studyHash,
} from './study-file.js';
