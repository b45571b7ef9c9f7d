import { availableParallelism } from 'node:os';
import { isSurrogateRef } from '../models/index.js';
import {
  type LoadedStudy,
  type SimulateStudyOptions,
  type SimulationSummary,
  simulateStudyInThreads,
} from '../runner/index.js';
import { parseThreadCount, plannedAgentTurns } from './thread-count.js';

/**
 * Whether a local simulation also runs in worker threads, and in how many besides the main thread
 * (which simulates too, between its commits). Only studies whose every model is the surrogate: its
 * answers depend on the run's seed alone, so threads give the in-process results byte for byte, and
 * it is CPU-bound, so the other cores were idle. Scripted mocks count calls across runs (their answers
 * would depend on which thread made them) and remote models wait on the network, where the
 * in-process scheduler's concurrency is what matters.
 *
 * `BACKFIRE_SIMULATION_THREADS=0` forces the in-process scheduler (the fallback, and the reference
 * the threaded path is tested against); `=N` forces N worker threads, however small the study. Unset:
 * one per core but one, when the study is large enough to repay a thread's start-up (it loads the
 * modules, builds the models and compiles lexicons with a cold JIT: about a second of CPU).
 */
export const SIMULATION_THREADS_VARIABLE = 'BACKFIRE_SIMULATION_THREADS';

/**
 * Agent turns of a study below which it stays in process by default. A thread costs one to two
 * seconds of CPU (start-up, a second heap, its own JIT warm-up and lexicons): on a study of a few
 * seconds (Studies 1, 3, 4: 12,000-27,000 agent turns) that was more CPU than it took off the main
 * thread, and on a shared machine CPU is the wall time; on Study 2 (180,000) it takes about 40% off
 * the main thread for about 10-15% more CPU in all (bench/RESULTS.md).
 */
const MIN_AGENT_TURNS_FOR_THREADS = 50_000;

export type StudySimulator = (options: SimulateStudyOptions) => Promise<SimulationSummary>;

export function simulationThreadsFor(
  loaded: LoadedStudy,
  env: Readonly<Record<string, string | undefined>> = process.env,
): StudySimulator | undefined {
  if (!loaded.study.models.every(isSurrogateRef)) return undefined;
  const threads = configuredSimulationThreads(env);
  if (threads === 0) return undefined;
  if (forcedSimulationThreads(env) === undefined) {
    if (plannedAgentTurns(loaded) < MIN_AGENT_TURNS_FOR_THREADS) return undefined;
  }
  const setup: LoadedStudy = {
    file: loaded.file,
    study: loaded.study,
    hash: loaded.hash,
    packs: loaded.packs,
    packsDirectory: loaded.packsDirectory,
  };
  // The entry has this module's extension: .js in the built CLI, .ts from source (tests, tsx).
  const entry = new URL(`./simulation-thread-entry${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  return (options) => simulateStudyInThreads(options, { threads, entry, setup });
}

/** Worker threads beside the main one for a large surrogate study: the variable's count, else one per core but one. */
export function configuredSimulationThreads(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const forced = forcedSimulationThreads(env);
  if (forced !== undefined) return forced;
  return availableParallelism() - 1;
}

function forcedSimulationThreads(env: Readonly<Record<string, string | undefined>>): number | undefined {
  return parseThreadCount(
    SIMULATION_THREADS_VARIABLE,
    env,
    'unset it (surrogate studies use every core), or set 0 to simulate in process',
  );
}
