import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSimulateStage } from '../src/cli/stages.js';
import { type MockServerStats, OPENAI_COMPATIBLE_KEY_VARIABLE, type RecordedLatency } from '../src/models/index.js';
import { resolveStudy } from '../src/runner/index.js';
import {
  callListScheduleMs,
  chainsFromLatencies,
  quantile,
  referenceScheduleMs,
  runListScheduleMs,
  waveScheduleMs,
  workBoundMs,
} from './scheduler-support.js';

/**
 * bench/README.md targets, against the loopback mock server:
 * - scheduler efficiency = reference / achieved wall time >= 0.95 on a workload that can fail: more
 *   runs than slots (>= 4x), lognormal latency (p99 >= 5x median), so runs differ in length. The
 *   reference is the better of two greedy list schedules of the very latencies the server drew
 *   (scheduler-support.ts), not the work bound, which no schedule reaches on such a workload; a
 *   naive wave scheduler's score on the same draws is printed beside it;
 * - per-agent shared prompt prefix >= 90% of prompt tokens for consecutive calls of one agent.
 * The mock server runs in its own process (as a real endpoint would), so its work does not steal
 * the orchestrator's core; the orchestrator is the real thing, composed as `backfire run` composes
 * it: the scheduler, the engine, the OpenAI SDK adapter with retry, concurrency limiter, response
 * cache, usage meter and drift guard, and the SQLite store.
 */

const ROOT = resolve(import.meta.dirname, '..');
/** The study schema's limit on replicates per cell. */
const MAX_REPLICATES_PER_CELL = 10_000;

export type BenchLatency = { kind: 'fixed'; ms: number } | { kind: 'lognormal'; medianMs: number; sigma: number };

export interface SchedulerBenchmarkResult {
  slots: number;
  latency: BenchLatency;
  runs: number;
  calls: number;
  criticalPathCalls: number;
  /** Latency draws as served: median and p99 (ms). */
  medianLatencyMs: number;
  p99LatencyMs: number;
  workBoundMs: number;
  callListMs: number;
  runListMs: number;
  referenceMs: number;
  achievedMs: number;
  /** reference / achieved. */
  efficiency: number;
  /**
   * The scheduler's own policy (calls of the runs furthest behind first) simulated without overhead
   * on the same draws: reference / its time. Below 1 when another greedy schedule happens to fit the
   * draws better; efficiency / policyEfficiency is what orchestration overhead leaves of the policy.
   */
  policyEfficiency: number;
  /** The naive wave scheduler's reference / its (simulated, overhead-free) time. */
  naiveEfficiency: number;
  maxInFlight: number;
  prefixShare: number | null;
  minimumPrefixShare: number | null;
  /**
   * CPU time of the orchestrator's process (all its threads: the SQLite checkpointer's too) during
   * the study, per call made: what decides how many calls per second one core can keep in flight,
   * and the figure to compare across machines and loads (the mock server's process is not in it).
   */
  orchestratorCpuMsPerCall: number;
  /** One-minute load average before and after the study: the share of the cores the run could get. */
  loadAverage: [number, number];
}

async function startServerProcess(latency: BenchLatency): Promise<{
  url: string;
  stop: () => Promise<{ stats: MockServerStats; latencies: RecordedLatency[] }>;
  /** Ends the server process without reading its figures (after a failure; harmless after stop). */
  kill: () => void;
}> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
      join(ROOT, 'src/cli/main.ts'),
      'mock-server',
      '--record-latencies',
      ...(latency.kind === 'fixed'
        ? ['--latency-ms', String(latency.ms)]
        : ['--latency-lognormal', `${latency.medianMs},${latency.sigma}`]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /openai-compatible:(\S+)#any/.exec(output);
      if (found?.[1] !== undefined) resolveUrl(found[1]);
    });
    child.on('exit', () => reject(new Error(`mock server exited: ${output}`)));
  });
  return {
    url,
    stop: async () => {
      const origin = url.replace(/\/v1$/, '');
      const stats = (await (await fetch(`${origin}/__stats`)).json()) as MockServerStats;
      const latencies = (await (await fetch(`${origin}/__latencies`)).json()) as RecordedLatency[];
      child.kill('SIGTERM');
      return { stats, latencies };
    },
    kill: () => {
      child.kill('SIGTERM');
    },
  };
}

export async function benchmarkScheduler(options: {
  slots: number;
  latency: BenchLatency;
  agents: number;
  turns: number;
  /**
   * Study design (default: English, no intervention, `slots` replicates: one run per slot). More
   * runs than a study allows replicates per cell (10,000: the 4,096-slot row has 16,384) are spread
   * over dose levels 0, 1, ... (the same runs for the mock server, which answers every prompt alike).
   */
  languages?: string[];
  doses?: number[];
  replicates?: number;
}): Promise<SchedulerBenchmarkResult> {
  const { slots, latency, agents, turns } = options;
  const languages = options.languages ?? ['en'];
  const runsWanted = options.replicates ?? slots;
  const doses =
    options.doses ?? Array.from({ length: Math.ceil(runsWanted / MAX_REPLICATES_PER_CELL) }, (_, level) => level);
  const replicates = options.doses === undefined ? Math.ceil(runsWanted / doses.length) : runsWanted;
  const server = await startServerProcess(latency);
  const directory = mkdtempSync(join(tmpdir(), 'backfire-scheduler-'));
  const ref = `openai-compatible:${server.url}#mock-model`;
  // The study goes through the same path as `backfire run`: study resolution, the CLI's model
  // composition (store cache, usage meter, drift guard, retry, concurrency limiter, SDK adapter) and
  // the simulate stage with its default runs in flight (the model's slots).
  const loaded = resolveOrStopServer(server, () =>
    resolveStudy(
      {
        name: 'scheduler-bench',
        title: 'Scheduler benchmark',
        seed: 1,
        languages,
        agents,
        turns,
        design: { dose: { intervention: 'alignment', levels: doses } },
        replicates,
        models: [ref],
        modelOptions: { [ref]: { maxConcurrency: slots } },
        analysis: { hypotheses: [{ id: 'H', kind: 'trend', metric: 'cpi' }] },
      },
      join(directory, 'study.yaml'),
    ),
  );
  const previousKey = process.env[OPENAI_COMPATIBLE_KEY_VARIABLE];
  process.env[OPENAI_COMPATIBLE_KEY_VARIABLE] = 'bench';
  try {
    const loadBefore = loadavg()[0] ?? 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const completed = await runSimulateStage(loaded, join(directory, 'run'), { quiet: true });
    const achievedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const loadAfter = loadavg()[0] ?? 0;
    const { stats, latencies } = await server.stop();
    if (!completed || stats.outcomes.ok !== stats.requests) {
      throw new Error(`scheduler benchmark: the study did not complete cleanly (${JSON.stringify(stats.outcomes)})`);
    }
    const chains = chainsFromLatencies(latencies);
    const delays = latencies.map((entry) => entry.delayMs);
    const referenceMs = referenceScheduleMs(chains, slots);
    return {
      slots,
      latency,
      runs: chains.length,
      calls: stats.requests,
      criticalPathCalls: agents * turns,
      medianLatencyMs: quantile(delays, 0.5),
      p99LatencyMs: quantile(delays, 0.99),
      workBoundMs: workBoundMs(chains, slots),
      callListMs: callListScheduleMs(chains, slots),
      policyEfficiency: referenceMs / callListScheduleMs(chains, slots, 'most-remaining-first'),
      runListMs: runListScheduleMs(chains, slots),
      referenceMs,
      achievedMs,
      efficiency: referenceMs / achievedMs,
      naiveEfficiency: referenceMs / waveScheduleMs(chains, slots),
      maxInFlight: stats.maxInFlight,
      prefixShare: stats.prefix.share,
      minimumPrefixShare: stats.prefix.minimumShare,
      orchestratorCpuMsPerCall: (cpu.user + cpu.system) / 1000 / stats.requests,
      loadAverage: [loadBefore, loadAfter],
    };
  } finally {
    if (previousKey === undefined) delete process.env[OPENAI_COMPATIBLE_KEY_VARIABLE];
    else process.env[OPENAI_COMPATIBLE_KEY_VARIABLE] = previousKey;
    rmSync(directory, { recursive: true, force: true });
    // A benchmark that failed (e.g. a study the schema refuses) must not leave its server running.
    server.kill();
  }
}

/** A study the schema refuses ends the benchmark before its `try`: its server must not outlive it. */
function resolveOrStopServer<T>(server: { kill: () => void }, resolveIt: () => T): T {
  try {
    return resolveIt();
  } catch (error) {
    server.kill();
    throw error;
  }
}
