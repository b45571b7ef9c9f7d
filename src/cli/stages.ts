import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BudgetExceededError, canonicalJson, type Manifest, type Results, UserInputError } from '../contracts/index.js';
import { RunStore } from '../store/index.js';
import {
  analyzeStage,
  asRunFolderWriter,
  asRunFolderWriterAsync,
  checkRunFolderPath,
  formatChange,
  LOCK_FILE,
  RUN_PREREG_DIRECTORY,
  type RunPreregistration,
  verifyPreregistration,
  writeManifest,
  DEFAULT_RUNS_IN_FLIGHT,
  defaultRunDirectory,
  type LoadedStudy,
  openRunDirectory,
  isBundleFile,
  openBundleReplaySource,
  projectStudyCost,
  readManifest,
  STORE_FILE,
  reportStage,
  scoreStageInThreads,
  simulateStage,
} from '../runner/index.js';
import { renderTerminalSummary, summaryWarnings } from '../report/index.js';
import { isBuiltinModelRef, isSurrogateRef } from '../models/index.js';
import { createStudyModels } from './model-factory.js';
import { createProgressReporter } from './progress.js';
import { startQueueCoordination } from './queue-coordinator.js';
import { scoringThreadsFor } from './scoring-threads.js';
import { simulationThreadsFor } from './simulation-threads.js';

/**
 * What the stage commands share: load a study with the command-line overrides, pick the run folder,
 * stop cleanly on Ctrl-C, and print short summaries.
 */

// Declared in study-options.ts, light enough for commands that only read a study (validate).
export { loadStudyWithOverrides, type StudyCommandOptions } from './study-options.js';
import type { StudyCommandOptions } from './study-options.js';

export function runDirectory(loaded: LoadedStudy, options: StudyCommandOptions): string {
  const directory = options.out ?? defaultRunDirectory(loaded);
  checkRunFolderPath(directory, '--out');
  return directory;
}

/**
 * The preregistration check before the first model call: with `--prereg <lock>`, or when the run
 * folder was already run under a lock (its copy is used, so a resumed run cannot skip the check).
 * A difference not on record needs `--deviation`; nothing is written here.
 */
export function preregistrationFor(
  loaded: LoadedStudy,
  directory: string,
  options: { prereg?: string | undefined; deviation?: string | undefined; quiet?: boolean | undefined },
): RunPreregistration | undefined {
  const onRecord = existsSync(join(directory, 'manifest.json')) ? readManifest(directory)?.preregistration : undefined;
  const lockFile =
    options.prereg ?? (onRecord === undefined ? undefined : join(directory, RUN_PREREG_DIRECTORY, LOCK_FILE));
  if (lockFile === undefined) {
    if (options.deviation !== undefined) {
      throw new UserInputError('--deviation is recorded against a preregistration, and there is none', {
        path: '--deviation',
        fix: 'pass the lock with --prereg <folder>/prereg.lock.json (made by `backfire prereg`), or drop --deviation',
      });
    }
    return undefined;
  }
  const verified = verifyPreregistration({ loaded, lockFile, deviation: options.deviation, directory });
  if (options.quiet !== true) {
    const lock = verified.lock.hash.slice(0, 12);
    if (verified.recorded !== null) {
      const deviation = verified.recorded;
      process.stderr.write(
        `preregistration ${lock}: deviation ${deviation.id} recorded (${deviation.phase}): ${deviation.reason}
`,
      );
      for (const change of deviation.changes) process.stderr.write(`  ${formatChange(change)}\n`);
      if (deviation.exploratory.length > 0) {
        process.stderr.write(`  moved to exploratory (changed after data): ${deviation.exploratory.join(', ')}\n`);
      }
    } else if (verified.changes.length > 0) {
      process.stderr.write(`preregistration ${lock}: every difference is on record as a deviation\n`);
    } else {
      process.stderr.write(`preregistration ${lock}: the run matches its lock\n`);
    }
  }
  return { record: verified.record, lockFile, acceptAnalysisChange: verified.changes.length > 0 };
}

/** First Ctrl-C: finish the turns in flight and stop; a second one exits at once. */
export function installStopHandler(): { shouldStop: () => boolean; dispose: () => void } {
  let stopRequested = false;
  const onSignal = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\nstopping after the turns in flight (press Ctrl-C again to quit now)...\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    shouldStop: () => stopRequested,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Simulates into the run folder as its one writer (see runner/writer-lock.ts). */
export async function runSimulateStage(
  loaded: LoadedStudy,
  directory: string,
  options: StudyCommandOptions,
  preregistration?: RunPreregistration | undefined,
): Promise<boolean> {
  return asRunFolderWriterAsync(directory, () => simulateAsWriter(loaded, directory, options, preregistration));
}

async function simulateAsWriter(
  loaded: LoadedStudy,
  directory: string,
  options: StudyCommandOptions,
  preregistration: RunPreregistration | undefined,
): Promise<boolean> {
  // Before anything is written: the queue answers, and no other coordinator runs this study.
  const queue =
    options.queue === undefined
      ? undefined
      : await startQueueCoordination(loaded, directory, options.queue, {
          quiet: options.quiet === true,
          replay: options.replay !== undefined,
        });
  const stop = installStopHandler();
  const replay = await openReplaySource(options.replay);
  const replaySource = replay?.store;
  try {
    const budget = loaded.study.budget?.usd;
    const summary = await simulateStage({
      loaded,
      directory,
      prepareModels:
        queue?.prepareModels ??
        ((store) =>
          createStudyModels(loaded, {
            store,
            noCache: options.cache === false,
            replayFrom: replaySource,
            remainingBudgetUsd: budget === undefined ? undefined : Math.max(0, budget - store.totalCostUsd()),
          })),
      // With a queue its workers simulate; a surrogate-only study uses this machine's other cores.
      simulate: queue?.simulate ?? simulationThreadsFor(loaded),
      shouldStop: stop.shouldStop,
      preregistration,
      ...(options.quiet === true ? {} : { progress: createProgressReporter('simulate') }),
      concurrency: options.concurrency ?? defaultRunsInFlight(loaded),
    });
    if (options.quiet !== true) {
      const resumed = summary.resumedRuns > 0 ? `, ${summary.resumedRuns} resumed` : '';
      process.stderr.write(
        `simulate: ${summary.completedRuns}/${summary.runs} runs complete (${summary.runsThisSession} this session${resumed}; ${summary.callsThisSession} model calls)\n`,
      );
    }
    if (summary.stopReason !== null) {
      process.stderr.write(`stopped (${summary.stopReason}): run the same command again to resume from ${directory}\n`);
      return false;
    }
    return true;
  } finally {
    stop.dispose();
    replay?.close();
    await queue?.close();
  }
}

/** `--replay`: a run folder's recorded calls, or a bundle's (checked first, its store rebuilt in a temporary folder). */
async function openReplaySource(path: string | undefined): Promise<{ store: RunStore; close(): void } | undefined> {
  if (path === undefined) return undefined;
  if (isBundleFile(path)) return openBundleReplaySource(path);
  const { store } = openRunDirectory(path);
  return { store, close: () => store.close() };
}

/**
 * With a budget, refuse before the first call when the projected cost of the runs still to do
 * exceeds what is left of it (spend already recorded in the run folder counts against it).
 */
export async function refuseOverBudget(
  loaded: LoadedStudy,
  directory: string,
  options: StudyCommandOptions,
): Promise<void> {
  const budget = loaded.study.budget?.usd;
  if (budget === undefined || options.replay !== undefined) return;
  const { remainingRunIds, spentUsd } = progressOf(directory);
  const projection = await projectStudyCost(loaded, remainingRunIds === undefined ? {} : { remainingRunIds });
  if (projection.costUsd === null) {
    const unpriced = projection.models.filter((model) => model.costUsd === null).map((model) => model.ref);
    throw new UserInputError(`cannot check the budget: no price is known for ${unpriced.join(', ')}`, {
      path: '--budget / budget.usd',
      fix: 'add a row for the model to src/models/prices.json, or run without a budget',
    });
  }
  const left = budget - spentUsd;
  if (projection.costUsd > left) {
    throw new BudgetExceededError(
      `the projected cost of the ${projection.runs} runs still to do is ${projection.costUsd.toFixed(2)} USD, over the ${left.toFixed(2)} USD left of the budget (${budget} USD); nothing was called. See \`backfire plan\` for the details.`,
    );
  }
}

function progressOf(directory: string): { remainingRunIds: Set<string> | undefined; spentUsd: number } {
  if (!existsSync(join(directory, STORE_FILE))) return { remainingRunIds: undefined, spentUsd: 0 };
  const store = RunStore.open(join(directory, STORE_FILE), { create: false, readonly: true });
  try {
    const runs = store.listRuns();
    return {
      remainingRunIds:
        runs.length === 0
          ? undefined
          : new Set(runs.filter((run) => run.status !== 'completed').map((run) => run.runId)),
      spentUsd: store.totalCostUsd(),
    };
  } finally {
    store.close();
  }
}

/**
 * Runs in flight: RUNS_PER_SLOT times the request slots of the study's network models (a run has one
 * call in flight at a time under the sequential turn policies), so a freed slot always finds a call
 * waiting; the limiter serves the runs furthest behind first, which keeps the study's tail short
 * (bench/RESULTS.md: one run per slot left slots idle between a run's calls and ended on the slowest
 * runs). Built-in models are CPU-bound.
 */
const RUNS_PER_SLOT = 4;

function defaultRunsInFlight(loaded: LoadedStudy): number {
  const network = loaded.study.models.filter((ref) => !isBuiltinModelRef(ref));
  if (network.length === 0) return DEFAULT_RUNS_IN_FLIGHT;
  return (
    RUNS_PER_SLOT * network.reduce((total, ref) => total + (loaded.study.modelOptions[ref]?.maxConcurrency ?? 64), 0)
  );
}

export async function runScoreStage(directory: string, quiet: boolean, deviation?: string): Promise<void> {
  await asRunFolderWriterAsync(directory, () => scoreAsWriter(directory, quiet, deviation));
}

async function scoreAsWriter(directory: string, quiet: boolean, deviation: string | undefined): Promise<void> {
  const { loaded, store, manifest } = openRunDirectory(directory);
  try {
    // Re-scoring a preregistered folder with other lexicons is a deviation like any other.
    if (manifest.preregistration !== undefined || deviation !== undefined) {
      const preregistration = preregistrationFor(loaded, directory, { deviation, quiet });
      if (
        preregistration !== undefined &&
        canonicalJson(preregistration.record) !== canonicalJson(manifest.preregistration)
      ) {
        writeManifest(directory, { ...manifest, preregistration: preregistration.record });
      }
    }
    const summary = await scoreStageInThreads(store, loaded, directory, scoringThreadsFor(loaded));
    if (!quiet) {
      process.stderr.write(
        `score: ${summary.actions} actions in ${summary.runs} runs (${summary.excludedRuns} excluded)\n`,
      );
      for (const warning of summary.warnings) process.stderr.write(`warning: ${warning}\n`);
    }
  } finally {
    store.close();
  }
}

export function runAnalyzeStage(directory: string): Results {
  return asRunFolderWriter(directory, () => analyzeAsWriter(directory));
}

function analyzeAsWriter(directory: string): Results {
  const { loaded, store } = openRunDirectory(directory);
  try {
    const surrogateRefs = new Set(loaded.study.models.filter(isSurrogateRef));
    return analyzeStage(store, loaded, directory, surrogateRefs);
  } finally {
    store.close();
  }
}

export function runReportStage(directory: string): {
  html: string;
  markdown: string;
  results: Results;
  manifest: Manifest;
} {
  return asRunFolderWriter(directory, () => reportAsWriter(directory));
}

function reportAsWriter(directory: string): { html: string; markdown: string; results: Results; manifest: Manifest } {
  const { loaded, store, manifest } = openRunDirectory(directory);
  try {
    const results = store.loadResults();
    if (results === undefined) {
      throw new UserInputError('has no results', {
        file: directory,
        fix: `run \`backfire analyze ${directory}\` first`,
      });
    }
    const paths = reportStage(directory, results, readManifest(directory) ?? manifest, loaded);
    return { ...paths, results, manifest };
  } finally {
    store.close();
  }
}

export function printSummary(results: Results, directory: string, loaded: LoadedStudy): void {
  const languageNames = Object.fromEntries([...loaded.packs].map(([tag, pack]) => [tag, pack.meta.englishName]));
  process.stdout.write(
    `${renderTerminalSummary(results, { color: process.stdout.isTTY === true, width: Math.min(100, process.stdout.columns ?? 100), languageNames })}\n`,
  );
  process.stdout.write(
    `\nrun folder: ${directory}\n  report.html, report.md, results.json, manifest.json, store.sqlite\n`,
  );
  // Data-quality problems are said here too, not only in report.md.
  for (const warning of summaryWarnings(results, loaded.study.exclusions))
    process.stderr.write(`warning: ${warning}\n`);
}
