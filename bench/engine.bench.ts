import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudyModels } from '../src/cli/model-factory.js';
import { configuredSimulationThreads, simulationThreadsFor } from '../src/cli/simulation-threads.js';
import { isSurrogateRef } from '../src/models/index.js';
import {
  analyzeStage,
  loadStudyFile,
  openRunDirectory,
  reportStage,
  scoreStage,
  simulateStage,
} from '../src/runner/index.js';

/**
 * Issue 14's target: the full four-study replication (1,610 runs, 241,500 agent turns) on the surrogate,
 * simulated, scored, analysed and reported, in under 30 s on a 2-core machine. Runs the four study
 * files through the same stages as `backfire run`, in this process, into temporary run folders.
 */
export interface EngineBenchmarkResult {
  studies: { name: string; runs: number; agentTurns: number; seconds: number }[];
  runs: number;
  agentTurns: number;
  seconds: number;
  /** CPU time of the process, every thread's (process.cpuUsage). */
  cpuSeconds: number;
  /** Worker threads beside the main one the simulations ran in (0: in process only; BACKFIRE_SIMULATION_THREADS sets it). */
  simulationThreads: number;
}

export const STUDY_FILES = ['studies/study1.yaml', 'studies/study2.yaml', 'studies/study3.yaml', 'studies/study4.yaml'];

export async function benchmarkEngine(files: readonly string[] = STUDY_FILES): Promise<EngineBenchmarkResult> {
  const root = mkdtempSync(join(tmpdir(), 'backfire-bench-'));
  const studies: EngineBenchmarkResult['studies'] = [];
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  try {
    for (const file of files) {
      const studyStarted = performance.now();
      const loaded = loadStudyFile(file);
      const directory = join(root, loaded.study.name);
      // As `backfire run` simulates: the surrogate's runs on every core (worker threads beside this one).
      const summary = await simulateStage({
        loaded,
        directory,
        prepareModels: () => createStudyModels(loaded),
        simulate: simulationThreadsFor(loaded),
      });
      const { store, manifest } = openRunDirectory(directory);
      try {
        scoreStage(store, loaded);
        const results = analyzeStage(store, loaded, directory, new Set(loaded.study.models.filter(isSurrogateRef)));
        reportStage(directory, results, manifest, loaded);
      } finally {
        store.close();
      }
      studies.push({
        name: loaded.study.name,
        runs: summary.runs,
        agentTurns: summary.runs * loaded.study.agents * loaded.study.turns,
        seconds: (performance.now() - studyStarted) / 1000,
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    studies,
    runs: studies.reduce((total, study) => total + study.runs, 0),
    agentTurns: studies.reduce((total, study) => total + study.agentTurns, 0),
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsSince(cpuAtStart),
    simulationThreads: configuredSimulationThreads(),
  };
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}
