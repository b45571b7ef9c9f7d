import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BudgetExceededError,
  type Manifest,
  type Results,
  ResultsSchema,
  type Study,
  UserInputError,
} from '../contracts/index.js';
import { analyseStudy, summariseTrajectories } from '../analysis/index.js';
import { loadValidationSet } from '../languages/index.js';
import { INDEX_DEFINITIONS, parityRow, type RunToScore, scoreRuns } from '../metrics/index.js';
import type { ChatModel } from '../models/index.js';
import { renderHtml, renderMarkdown, SURROGATE_LABEL } from '../report/index.js';
import { tQuantile } from '../stats/index.js';
import { type RunCallSummary, RunStore } from '../store/index.js';
import { createManifest, readManifest, writeFileAtomic, writeManifest } from './manifest.js';
import { type ProgressReporter, type SimulationSummary, simulateStudy } from './simulate.js';
import { type LoadedStudy, resolveStudy } from './study-file.js';

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

/** Refuses a folder that holds another study (or something that is not a run folder). */
export function checkRunDirectory(directory: string, loaded: LoadedStudy): Manifest | undefined {
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
  if (manifest.studyHash !== loaded.hash) {
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
}

export interface SimulateStageSummary extends SimulationSummary {
  /** Why the stage stopped early (Ctrl-C, the budget), when it did. */
  stopReason: string | null;
}

export async function simulateStage(options: SimulateStageOptions): Promise<SimulateStageSummary> {
  const { loaded, directory } = options;
  const previous = checkRunDirectory(directory, loaded);
  mkdirSync(directory, { recursive: true });
  const store = RunStore.open(join(directory, STORE_FILE), { create: true });
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
    manifest = createManifest(loaded, models.describe(), previous);
    writeManifest(directory, manifest);
    let stopReason: string | null = null;
    let summary: SimulationSummary;
    try {
      summary = await simulateStudy({
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
export function openRunDirectory(directory: string): { loaded: LoadedStudy; manifest: Manifest; store: RunStore } {
  const absolute = resolve(directory);
  const manifest = readManifest(absolute);
  if (manifest === undefined) {
    throw new UserInputError('is not a run folder (no manifest.json)', {
      file: directory,
      fix: 'pass a folder made by `backfire run` or `backfire simulate`, e.g. runs/study1-1a2b3c4d',
    });
  }
  const loaded = resolveStudy(manifest.study, join(directory, 'manifest.json'));
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

export function scoreStage(store: RunStore, loaded: LoadedStudy): ScoreStageSummary {
  const events = store.loadAllEvents();
  const runs: RunToScore[] = store.listRuns().map((run) => {
    const runEvents = events.get(run.runId) ?? [];
    return {
      runId: run.runId,
      cellId: run.cellId,
      language: run.language,
      model: run.model,
      dose: run.dose,
      replicate: run.replicate,
      complete: runEvents.some((event) => event.type === 'run-end'),
      events: runEvents,
    };
  });
  const scored = scoreRuns(runs, loaded.packs, loaded.study);
  store.replaceFeatures(scored);
  return {
    runs: runs.length,
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
  const study: Study = loaded.study;
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
    instrument: study.languages.map((language) => parityRow(loaded.packs.get(language)!, loadValidationSet(language))),
    trajectories: summariseTrajectories({
      study,
      runs,
      turns: store.loadTurnFeatures(),
      phases: store.loadPhaseFeatures(),
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
