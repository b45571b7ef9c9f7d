/**
 * The runner's light public entry: reading, resolving and planning a study, and nothing of the
 * pipeline's stages (statistics, SQLite, model SDKs, the report). Commands that only read a study
 * (`validate`) import this instead of `index.ts`, whose stages cost most of a second of start-up.
 */
export { modelSlug, planStudy, type StudyPlan } from './plan.js';
export {
  type LoadedStudy,
  loadStudyFile,
  resolveStudy,
  type StudyOverrides,
  studyDesign,
  studyHash,
} from './study-file.js';
