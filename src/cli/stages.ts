import { type Manifest, type Results, UserInputError } from '../contracts/index.js';
import {
  analyzeStage,
  defaultRunDirectory,
  type LoadedStudy,
  loadStudyFile,
  openRunDirectory,
  readManifest,
  reportStage,
  scoreStage,
  simulateStage,
  type StudyOverrides,
} from '../runner/index.js';
import { renderTerminalSummary } from '../report/index.js';
import { createStudyModels, isSurrogateRef } from './model-factory.js';
import { createProgressReporter } from './progress.js';

/**
 * What the stage commands share: load a study with the command-line overrides, pick the run folder,
 * stop cleanly on Ctrl-C, and print short summaries.
 */

export interface StudyCommandOptions {
  out?: string;
  seed?: number;
  model?: string[];
  replicates?: number;
  concurrency?: number;
  quiet?: boolean;
}

export function loadStudyWithOverrides(file: string, options: StudyCommandOptions): LoadedStudy {
  const overrides: StudyOverrides = {
    seed: options.seed,
    models: options.model,
    replicates: options.replicates,
  };
  return loadStudyFile(file, overrides);
}

export function runDirectory(loaded: LoadedStudy, options: StudyCommandOptions): string {
  return options.out ?? defaultRunDirectory(loaded);
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

export async function runSimulateStage(loaded: LoadedStudy, directory: string, options: StudyCommandOptions): Promise<boolean> {
  const models = await createStudyModels(loaded);
  const stop = installStopHandler();
  try {
    const summary = await simulateStage({
      loaded,
      directory,
      models,
      shouldStop: stop.shouldStop,
      ...(options.quiet === true ? {} : { progress: createProgressReporter('simulate') }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
    if (options.quiet !== true) {
      const resumed = summary.resumedRuns > 0 ? `, ${summary.resumedRuns} resumed` : '';
      process.stderr.write(
        `simulate: ${summary.completedRuns}/${summary.runs} runs complete (${summary.runsThisSession} this session${resumed}; ${summary.callsThisSession} model calls)\n`,
      );
    }
    if (summary.stopped) {
      process.stderr.write(`stopped: run the same command again to resume from ${directory}\n`);
      return false;
    }
    return true;
  } finally {
    stop.dispose();
    await Promise.all([...models.values()].map((model) => model.close?.()));
  }
}

export function runScoreStage(directory: string, quiet: boolean): void {
  const { loaded, store } = openRunDirectory(directory);
  try {
    const summary = scoreStage(store, loaded);
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
  const { loaded, store } = openRunDirectory(directory);
  try {
    const surrogateRefs = new Set(loaded.study.models.filter(isSurrogateRef));
    return analyzeStage(store, loaded, directory, surrogateRefs);
  } finally {
    store.close();
  }
}

export function runReportStage(directory: string): { html: string; markdown: string; results: Results; manifest: Manifest } {
  const { loaded, store, manifest } = openRunDirectory(directory);
  try {
    const results = store.loadResults();
    if (results === undefined) {
      throw new UserInputError('has no results', { file: directory, fix: `run \`backfire analyze ${directory}\` first` });
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
  process.stdout.write(`\nrun folder: ${directory}\n  report.html, report.md, results.json, manifest.json, store.sqlite\n`);
}
