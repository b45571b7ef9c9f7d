import { measurementSection } from './measurement.js';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  BudgetExceededError,
  hashCanonical,
  type Manifest,
  type PreregistrationRecord,
  type Results,
  ResultsSchema,
  type Study,
  StudySchema,
  UserInputError,
} from '../contracts/index.js';
import { analyseStudy, summariseTrajectories } from '../analysis/index.js';
import { languagesDirectory, loadValidationSet } from '../languages/index.js';
import { INDEX_DEFINITIONS, parityRow, type RunToScore, scoreRuns } from '../metrics/index.js';
import type { ChatModel } from '../models/index.js';
import { renderHtml, renderMarkdown, SURROGATE_LABEL } from '../report/index.js';
import { tQuantile } from '../stats/index.js';
import { type RunCallSummary, RunStore } from '../store/index.js';
import { findExpectation } from './expectation.js';
import { scoreStoreInThreads } from './score-in-threads.js';
import { runToScore } from './score-thread.js';
import { createManifest, readManifest, writeFileAtomic, writeManifest } from './manifest.js';
import { assertRunFolderSound, markRunFolderSound } from './run-folder-health.js';
import { type ProgressReporter, type SimulateStudyOptions, type SimulationSummary, simulateStudy } from './simulate.js';
import {
  applyDeviations,
  LOCK_FILE,
  PREREGISTRATION_DOCUMENT,
  preregistrationResults,
  readLock,
  RUN_PREREG_DIRECTORY,
} from './preregistration.js';
import { type LoadedStudy, resolveStudy, studyDesign } from './study-file.js';

/**
 * The stages of `run`, each re-runnable on a run folder's stored data:
 *   simulate -> store.sqlite (events, calls)      score -> features      analyze -> results.json
 *   report -> report.html, report.md
 * A run folder holds one study: running the same resolved study into it resumes; another study is refused.
 */

export const STORE_FILE = 'store.sqlite';

/** Default run folder: runs/<study name>-<first 8 hex digits of the resolved study's hash>. */
export function defaultRunDirectory(loaded: LoadedStudy, root = 'runs'): string {
  return join(root, `${loaded.study.name}-${loaded.hash.slice(0, 8)}`);
}

/**
 * What a run's transcripts depend on: the study without its analysis side (hypotheses, exclusions,
 * metrics) and without its wording. Two studies with the same simulation identity make the same
 * transcripts from the same seeds.
 */
export function simulationIdentity(study: Study): string {
  const {
    analysis: _analysis,
    exclusions: _exclusions,
    metrics: _metrics,
    title: _title,
    description: _description,
    ...simulation
  } = studyDesign(study);
  return hashCanonical(simulation);
}

export interface CheckRunDirectoryOptions {
  /**
   * Accept a folder whose study differs from this one only on the analysis side (a deviation on
   * record allows re-analysing the same transcripts under a changed plan).
   */
  acceptAnalysisChange?: boolean;
}

/** Refuses a folder that holds another study (or something that is not a run folder). */
export function checkRunDirectory(
  directory: string,
  loaded: LoadedStudy,
  options: CheckRunDirectoryOptions = {},
): Manifest | undefined {
  if (!existsSync(directory)) return undefined;
  const manifest = readManifest(directory);
  if (manifest === undefined) {
    if (existsSync(join(directory, STORE_FILE))) {
      throw new UserInputError('holds a store but no manifest.json', {
        file: directory,
        fix: 'choose another --out folder, or delete this one to start over',
      });
    }
    return undefined;
  }
  const sameTranscripts = () => {
    const parsed = StudySchema.safeParse(manifest.study);
    return parsed.success && simulationIdentity(parsed.data) === simulationIdentity(loaded.study);
  };
  if (manifest.studyHash !== loaded.hash && !(options.acceptAnalysisChange === true && sameTranscripts())) {
    throw new UserInputError(
      `holds another study (${(manifest.study as { name?: string }).name ?? '?'}, hash ${manifest.studyHash.slice(0, 8)}), not this one (hash ${loaded.hash.slice(0, 8)})`,
      {
        file: directory,
        fix: 'use another --out folder (the default folder name includes the study hash), or delete this folder to start over',
      },
    );
  }
  return manifest;
}

/** The models of a study, built once the run folder's store is open (it holds their cache). */
export interface PreparedModels {
  models: ReadonlyMap<string, ChatModel>;
  /** What the manifest records per model (resolved versions are added from the stored calls). */
  describe(): Manifest['models'];
  close(): Promise<void>;
}

export interface SimulateStageOptions {
  loaded: LoadedStudy;
  directory: string;
  prepareModels: (store: RunStore) => Promise<PreparedModels>;
  progress?: ProgressReporter;
  shouldStop?: () => boolean;
  concurrency?: number;
  /** The verified preregistration (`run --prereg`): recorded in the manifest, its lock copied in. */
  preregistration?: RunPreregistration | undefined;
  /**
   * Who simulates the runs: the local scheduler by default; `run --queue` passes the queue's
   * coordinator, which commits the turns workers send into the same store.
   */
  simulate?: ((options: SimulateStudyOptions) => Promise<SimulationSummary>) | undefined;
}

export interface RunPreregistration {
  record: PreregistrationRecord;
  /** The lock file to copy into the run folder (with the preregistration document beside it, if any). */
  lockFile: string;
  /** The run may re-analyse this folder's transcripts under a changed analysis (a deviation allows it). */
  acceptAnalysisChange: boolean;
}

export interface SimulateStageSummary extends SimulationSummary {
  /** Why the stage stopped early (Ctrl-C, the budget), when it did. */
  stopReason: string | null;
}

export async function simulateStage(options: SimulateStageOptions): Promise<SimulateStageSummary> {
  const { loaded, directory } = options;
  const previous = checkRunDirectory(directory, loaded, {
    acceptAnalysisChange: options.preregistration?.acceptAnalysisChange === true,
  });
  // A resumed folder's store is checked before it is used: a damaged or emptied one stops here.
  if (previous !== undefined) assertRunFolderSound(directory, previous);
  mkdirSync(directory, { recursive: true });
  if (options.preregistration !== undefined) copyPreregistration(directory, options.preregistration.lockFile);
  snapshotPacks(directory, loaded, 'simulated');
  const store = RunStore.open(join(directory, STORE_FILE), { create: true });
  markRunFolderSound(directory);
  let prepared: PreparedModels | undefined;
  let manifest: Manifest | undefined;
  try {
    prepared = await options.prepareModels(store);
    const models = prepared;
    const describe = () => {
      const callSummaries = store.summariseCalls();
      const runModels = new Map(store.listRuns().map((run) => [run.runId, run.model]));
      return models.describe().map((model) => ({
        ...model,
        resolvedVersions: resolvedVersions(callSummaries, runModels, model.ref),
      }));
    };
    manifest = createManifest(loaded, models.describe(), previous, options.preregistration?.record);
    writeManifest(directory, manifest);
    let stopReason: string | null = null;
    let summary: SimulationSummary;
    try {
      summary = await (options.simulate ?? simulateStudy)({
        study: loaded.study,
        packs: loaded.packs,
        store,
        models: models.models,
        ...(options.progress === undefined ? {} : { progress: options.progress }),
        ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      });
      if (summary.stopped) stopReason = 'interrupted';
    } catch (error) {
      // The budget is a clean stop: every committed turn is kept and `run` resumes with more budget.
      if (!(error instanceof BudgetExceededError)) throw error;
      stopReason = error.message;
      summary = summariseStore(store);
    }
    manifest = {
      ...manifest,
      models: describe(),
      status: stopReason === null ? 'completed' : 'stopped',
      endedAt: new Date().toISOString(),
    };
    writeManifest(directory, manifest);
    return { ...summary, stopped: stopReason !== null, stopReason };
  } catch (error) {
    if (manifest !== undefined)
      writeManifest(directory, { ...manifest, status: 'failed', endedAt: new Date().toISOString() });
    throw error;
  } finally {
    await prepared?.close();
    store.close();
  }
}

/** Progress as the store records it (after a stop that interrupted the scheduler). */
function summariseStore(store: RunStore): SimulationSummary {
  const runs = store.listRuns();
  return {
    runs: runs.length,
    completedRuns: runs.filter((run) => run.status === 'completed').length,
    resumedRuns: 0,
    runsThisSession: 0,
    turnsThisSession: 0,
    callsThisSession: 0,
    stopped: true,
  };
}

/** Every model version that answered a call of this model's runs (the drift record). */
function resolvedVersions(
  callSummaries: ReadonlyMap<string, RunCallSummary>,
  runModels: ReadonlyMap<string, string>,
  ref: string,
): string[] {
  const versions = new Set<string>();
  for (const [runId, summary] of callSummaries) {
    if (runModels.get(runId) === ref) for (const version of summary.modelVersions) versions.add(version);
  }
  return [...versions].sort();
}

/** Opens a run folder for a later stage: its manifest, its study (re-validated), its store. */
export function openRunDirectory(
  directory: string,
  packSource: { directory?: string | undefined } = {},
): { loaded: LoadedStudy; manifest: Manifest; store: RunStore } {
  const absolute = resolve(directory);
  const manifest = readManifest(absolute);
  if (manifest === undefined) {
    throw new UserInputError('is not a run folder (no manifest.json)', {
      file: directory,
      fix: 'pass a folder made by `backfire run` or `backfire simulate`, e.g. runs/study1-1a2b3c4d',
    });
  }
  const loaded = resolveStudy(manifest.study, join(directory, 'manifest.json'), packSource);
  assertRunFolderSound(absolute, manifest);
  const store = RunStore.open(join(absolute, STORE_FILE), { create: false });
  return { loaded: { ...loaded, file: manifest.studyFile }, manifest, store };
}

export interface ScoreStageSummary {
  runs: number;
  scoredRuns: number;
  excludedRuns: number;
  actions: number;
  warnings: string[];
}

/** Scores every stored run; given the run folder, it also keeps a copy of the packs it scored with. */
export function scoreStage(store: RunStore, loaded: LoadedStudy, directory?: string): ScoreStageSummary {
  const events = store.loadAllEvents();
  const runs: RunToScore[] = store.listRuns().map((run) => runToScore(run, events.get(run.runId) ?? []));
  const scored = scoreRuns(runs, loaded.packs, loaded.study);
  store.replaceFeatures(scored);
  if (directory !== undefined) snapshotPacks(directory, loaded, 'scored');
  return {
    runs: runs.length,
    scoredRuns: scored.runs.filter((run) => !run.excluded).length,
    excludedRuns: scored.runs.filter((run) => run.excluded).length,
    actions: scored.actions.length,
    warnings: scored.warnings,
  };
}

/**
 * `scoreStage` with the runs scored in `threads` worker threads besides this one (score-in-threads.ts):
 * the same features, byte for byte, written in the same one transaction. `threads` 0 is `scoreStage`.
 */
export async function scoreStageInThreads(
  store: RunStore,
  loaded: LoadedStudy,
  directory: string | undefined,
  threads: number,
): Promise<ScoreStageSummary> {
  if (threads === 0) return scoreStage(store, loaded, directory);
  const scored = await scoreStoreInThreads(store, loaded.packs, loaded.study, threads);
  store.replaceFeatureRows(scored);
  if (directory !== undefined) snapshotPacks(directory, loaded, 'scored');
  return {
    runs: scored.runs.length,
    scoredRuns: scored.runs.filter((run) => !run.excluded).length,
    excludedRuns: scored.runs.filter((run) => run.excluded).length,
    actions: scored.actions.length,
    warnings: scored.warnings,
  };
}

/** Covariates per language: the pack's Hofstede values with the study's overrides on top. */
export function covariatesFor(loaded: LoadedStudy): Record<string, Record<string, number | null>> {
  const covariates: Record<string, Record<string, number | null>> = {};
  for (const language of loaded.study.languages) {
    const pack = loaded.packs.get(language);
    covariates[language] = { ...(pack?.covariates.hofstede ?? {}), ...(loaded.study.covariates[language] ?? {}) };
  }
  return covariates;
}

export function analyzeStage(
  store: RunStore,
  loaded: LoadedStudy,
  directory: string,
  surrogateRefs: ReadonlySet<string>,
): Results {
  if (!store.hasFeatures()) {
    throw new UserInputError('has no scored features', {
      file: directory,
      fix: `run \`backfire score ${directory}\` first`,
    });
  }
  const record = readManifest(directory)?.preregistration;
  const study: Study = applyDeviations(loaded.study, record);
  const runs = store.loadRunFeatures();
  const agents = store.loadAgentFeatures();
  const retriesByRun = new Map([...store.summariseCalls()].map(([runId, summary]) => [runId, summary.retries]));
  const covariates = covariatesFor(loaded);
  const analysis = analyseStudy({ study, runs, agents, covariates, retriesByRun });
  const surrogate = study.models.some((model) => surrogateRefs.has(model));
  const results: Results = ResultsSchema.parse({
    formatVersion: 1,
    study: study.name,
    studyTitle: study.title,
    studyHash: loaded.hash,
    surrogate,
    label: surrogate
      ? SURROGATE_LABEL
      : `Model output from ${study.models.join(', ')}; keyword indices as defined below.`,
    models: study.models,
    languages: study.languages,
    doseVariable: study.design.dose.variable,
    indices: Object.values(INDEX_DEFINITIONS),
    cells: analysis.cells,
    hypotheses: analysis.hypotheses,
    correction: study.analysis.correction,
    covariates,
    instrument: study.languages.map((language) =>
      parityRow(loaded.packs.get(language)!, loadValidationSet(language, { directory: loaded.packsDirectory })),
    ),
    measurement: measurementSection(study, loaded.packs),
    // Looked up, never simulated here: a stored expectation whose key is this design's, or a line
    // saying there is none and how to make it.
    expectation: findExpectation(loaded),
    trajectories: summariseTrajectories({
      study,
      runs,
      turns: store.loadTurnFeatures(),
      phases: store.loadPhaseFeatures(),
    }),
    ...(record === undefined
      ? {}
      : {
          preregistration: preregistrationResults(
            record,
            readLock(join(directory, RUN_PREREG_DIRECTORY, LOCK_FILE)),
            loaded.study,
            analysis.hypotheses,
          ),
        }),
  });
  store.saveResults(results);
  writeFileAtomic(join(directory, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

export function reportStage(
  directory: string,
  results: Results,
  manifest: Manifest,
  loaded: LoadedStudy,
): { html: string; markdown: string } {
  const languageNames = Object.fromEntries([...loaded.packs].map(([tag, pack]) => [tag, pack.meta.englishName]));
  const options = { tQuantile: (probability: number, df: number) => tQuantile(probability, df), languageNames };
  const html = join(directory, 'report.html');
  const markdown = join(directory, 'report.md');
  writeFileAtomic(html, renderHtml(results, manifest, options));
  writeFileAtomic(markdown, renderMarkdown(results, manifest, options));
  return { html, markdown };
}

/**
 * Copies the lock (and the preregistration document beside it, when there is one) into the run
 * folder byte for byte, so the folder and its bundle carry the plan they were checked against.
 */
function copyPreregistration(directory: string, lockFile: string): void {
  const target = join(directory, RUN_PREREG_DIRECTORY);
  mkdirSync(target, { recursive: true });
  copyFileAtomic(lockFile, join(target, LOCK_FILE));
  const document = join(dirname(lockFile), PREREGISTRATION_DOCUMENT);
  if (existsSync(document)) copyFileAtomic(document, join(target, PREREGISTRATION_DOCUMENT));
}

/** Run-folder copies of the pack files a stage used: `packs/simulated/<tag>/`, `packs/scored/<tag>/`. */
export const PACK_SNAPSHOT_DIRECTORY = 'packs';
export const PACK_FILES = ['pack.json', 'validation.json'] as const;

/**
 * Keeps the exact pack files (pack.json and validation.json) a stage used in the run folder: the
 * simulation's once (the first session's are the ones its transcripts came from), the scoring's
 * every time it scores (features follow the latest lexicons). A bundle ships them, so the numbers
 * can be re-derived after the installed packs have moved on.
 */
export function snapshotPacks(directory: string, loaded: LoadedStudy, stage: 'simulated' | 'scored'): void {
  const source = loaded.packsDirectory ?? languagesDirectory();
  for (const tag of loaded.study.languages) {
    const target = join(directory, PACK_SNAPSHOT_DIRECTORY, stage, tag);
    if (stage === 'simulated' && existsSync(join(target, 'pack.json'))) continue;
    mkdirSync(target, { recursive: true });
    for (const file of PACK_FILES) {
      const from = join(source, tag, file);
      if (existsSync(from)) copyFileAtomic(from, join(target, file));
      else rmSync(join(target, file), { force: true });
    }
  }
}

function copyFileAtomic(from: string, to: string): void {
  const temporary = `${to}.tmp-${process.pid}`;
  try {
    copyFileSync(from, temporary);
    renameSync(temporary, to);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The pack folder a run folder's `packs/<stage>/` snapshot gives, when it holds every language. */
export function packSnapshot(
  directory: string,
  stage: 'simulated' | 'scored',
  languages: readonly string[],
): string | undefined {
  const folder = join(directory, PACK_SNAPSHOT_DIRECTORY, stage);
  return languages.every((tag) => existsSync(join(folder, tag, 'pack.json'))) ? folder : undefined;
}
