import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scoringThreadsFor } from '../src/cli/scoring-threads.js';
import { configuredSimulationThreads } from '../src/cli/simulation-threads.js';
import { loadStudyFile, planStudy } from '../src/runner/index.js';
import { ensureBuiltCli } from './startup.bench.js';

/**
 * Issue 14's target: the full four-study replication (1,610 runs, 241,500 agent turns) on the
 * surrogate, simulated, scored, analysed and reported, in under 30 s on a 2-core machine. Each study
 * is one `backfire run` of the built CLI (`dist/`, rebuilt first when a source file is newer), as a
 * user runs it: the surrogate's runs then go to worker threads beside the main one, which start in a
 * fraction of a second from JavaScript (from TypeScript through tsx, a thread's start-up costs
 * seconds and would be measured instead of the simulation). CPU time is the children's, every thread
 * (from /proc/self/stat; null where that is missing).
 */
export interface EngineBenchmarkResult {
  studies: { name: string; runs: number; agentTurns: number; seconds: number }[];
  runs: number;
  agentTurns: number;
  seconds: number;
  /** CPU time of the four `backfire run` processes, every thread's; null without /proc. */
  cpuSeconds: number | null;
  /** Worker threads beside the main one the simulations ran in (0: in process only; BACKFIRE_SIMULATION_THREADS sets it). */
  simulationThreads: number;
  /** Worker threads beside the main one the largest study was scored with (BACKFIRE_SCORING_THREADS sets it). */
  scoringThreads: number;
}

export const STUDY_FILES = ['studies/study1.yaml', 'studies/study2.yaml', 'studies/study3.yaml', 'studies/study4.yaml'];

const ROOT = resolve(import.meta.dirname, '..');

export async function benchmarkEngine(files: readonly string[] = STUDY_FILES): Promise<EngineBenchmarkResult> {
  const { cli } = ensureBuiltCli();
  const root = mkdtempSync(join(tmpdir(), 'backfire-bench-'));
  const studies: EngineBenchmarkResult['studies'] = [];
  let scoringThreads = 0;
  const started = performance.now();
  const cpuAtStart = childrenCpuSeconds();
  try {
    for (const file of files) {
      const loaded = loadStudyFile(join(ROOT, file));
      const runs = planStudy(loaded.study).runs.length;
      scoringThreads = Math.max(scoringThreads, scoringThreadsFor(loaded));
      const studyStarted = performance.now();
      const result = spawnSync(
        process.execPath,
        [cli, 'run', file, '--out', join(root, loaded.study.name), '--quiet'],
        { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const seconds = (performance.now() - studyStarted) / 1000;
      if (result.status !== 0) throw new Error(`backfire run ${file} exited ${result.status}: ${result.stderr}`);
      studies.push({
        name: loaded.study.name,
        runs,
        agentTurns: runs * loaded.study.agents * loaded.study.turns,
        seconds,
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const cpuAtEnd = childrenCpuSeconds();
  return {
    studies,
    runs: studies.reduce((total, study) => total + study.runs, 0),
    agentTurns: studies.reduce((total, study) => total + study.agentTurns, 0),
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuAtStart === null || cpuAtEnd === null ? null : cpuAtEnd - cpuAtStart,
    simulationThreads: configuredSimulationThreads(),
    scoringThreads,
  };
}

/** User and system time of this process's waited-for children (cutime + cstime of /proc/self/stat). */
function childrenCpuSeconds(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5), counted from the state field (3): indices 13 and 14 here; clock ticks of 1/100 s.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
