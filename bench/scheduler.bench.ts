import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSimulateStage } from '../src/cli/stages.js';
import { type MockServerStats, OPENAI_COMPATIBLE_KEY_VARIABLE } from '../src/models/index.js';
import { resolveStudy } from '../src/runner/index.js';
import { idealDurationMs } from './scheduler-support.js';

/**
 * DESIGN.md targets, against the loopback mock server with a fixed latency:
 * - scheduler efficiency = ideal / achieved wall time >= 0.95, with
 *   ideal = max(critical path, calls x latency / slots);
 * - per-agent shared prompt prefix >= 90% of prompt tokens for consecutive calls of one agent.
 * The mock server runs in its own process (as a real endpoint would), so its work does not steal
 * the orchestrator's core; the orchestrator is the real thing, composed as `backfire run` composes
 * it: the scheduler, the engine, the OpenAI SDK adapter with retry, concurrency limiter, response
 * cache, usage meter and drift guard, and the SQLite store.
 */

const ROOT = resolve(import.meta.dirname, '..');

export interface SchedulerBenchmarkResult {
  slots: number;
  latencyMs: number;
  runs: number;
  calls: number;
  criticalPathCalls: number;
  idealMs: number;
  achievedMs: number;
  efficiency: number;
  maxInFlight: number;
  prefixShare: number | null;
  minimumPrefixShare: number | null;
}

async function startServerProcess(latencyMs: number): Promise<{ url: string; stop: () => Promise<MockServerStats> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
      join(ROOT, 'src/cli/main.ts'),
      'mock-server',
      '--latency-ms',
      String(latencyMs),
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
      const response = await fetch(`${url.replace(/\/v1$/, '')}/__stats`);
      const stats = (await response.json()) as MockServerStats;
      child.kill('SIGTERM');
      return stats;
    },
  };
}

export async function benchmarkScheduler(options: {
  slots: number;
  latencyMs: number;
  agents: number;
  turns: number;
  /** Study design (default: English, no intervention, `slots` replicates: one run per slot). */
  languages?: string[];
  doses?: number[];
  replicates?: number;
}): Promise<SchedulerBenchmarkResult> {
  const { slots, latencyMs, agents, turns } = options;
  const languages = options.languages ?? ['en'];
  const doses = options.doses ?? [0];
  const replicates = options.replicates ?? slots;
  const server = await startServerProcess(latencyMs);
  const directory = mkdtempSync(join(tmpdir(), 'backfire-scheduler-'));
  const ref = `openai-compatible:${server.url}#mock-model`;
  // The study goes through the same path as `backfire run`: study resolution, the CLI's model
  // composition (store cache, usage meter, drift guard, retry, concurrency limiter, SDK adapter) and
  // the simulate stage with its default runs in flight (the model's slots).
  const loaded = resolveStudy(
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
  );
  const previousKey = process.env[OPENAI_COMPATIBLE_KEY_VARIABLE];
  process.env[OPENAI_COMPATIBLE_KEY_VARIABLE] = 'bench';
  try {
    const started = performance.now();
    const completed = await runSimulateStage(loaded, join(directory, 'run'), { quiet: true });
    const achievedMs = performance.now() - started;
    const stats = await server.stop();
    if (!completed || stats.outcomes.ok !== stats.requests) {
      throw new Error(`scheduler benchmark: the study did not complete cleanly (${JSON.stringify(stats.outcomes)})`);
    }
    const calls = stats.requests;
    const criticalPathCalls = agents * turns;
    const idealMs = idealDurationMs({ calls, latencyMs, slots, criticalPathCalls });
    return {
      slots,
      latencyMs,
      runs: languages.length * doses.length * replicates,
      calls,
      criticalPathCalls,
      idealMs,
      achievedMs,
      efficiency: idealMs / achievedMs,
      maxInFlight: stats.maxInFlight,
      prefixShare: stats.prefix.share,
      minimumPrefixShare: stats.prefix.minimumShare,
    };
  } finally {
    if (previousKey === undefined) delete process.env[OPENAI_COMPATIBLE_KEY_VARIABLE];
    else process.env[OPENAI_COMPATIBLE_KEY_VARIABLE] = previousKey;
    rmSync(directory, { recursive: true, force: true });
  }
}
