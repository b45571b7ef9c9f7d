import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StudySchema } from '../src/contracts/index.js';
import { loadLanguagePack } from '../src/languages/index.js';
import { createModel, type MockServerStats } from '../src/models/index.js';
import { simulateStudy } from '../src/runner/index.js';
import { RunStore } from '../src/store/index.js';
import { idealDurationMs } from './scheduler-support.js';

/**
 * DESIGN.md targets, against the loopback mock server with a fixed latency:
 * - scheduler efficiency = ideal / achieved wall time >= 0.95, with
 *   ideal = max(critical path, calls x latency / slots);
 * - per-agent shared prompt prefix >= 90% of prompt tokens for consecutive calls of one agent.
 * The mock server runs in its own process (as a real endpoint would), so its work does not steal
 * the orchestrator's core; the orchestrator is the real thing: the scheduler, the engine, the
 * OpenAI SDK adapter with retry, concurrency limiter, meter and the SQLite store.
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
}): Promise<SchedulerBenchmarkResult> {
  const { slots, latencyMs, agents, turns } = options;
  const server = await startServerProcess(latencyMs);
  const directory = mkdtempSync(join(tmpdir(), 'backfire-scheduler-'));
  const ref = `openai-compatible:${server.url}#mock-model`;
  const study = StudySchema.parse({
    name: 'scheduler-bench',
    title: 'Scheduler benchmark',
    seed: 1,
    languages: ['en'],
    agents,
    turns,
    design: { dose: { intervention: 'alignment', levels: [0] } },
    replicates: slots,
    models: [ref],
    analysis: { hypotheses: [{ id: 'H', kind: 'trend', metric: 'cpi' }] },
  });
  const store = RunStore.open(join(directory, 'store.sqlite'), { create: true });
  const model = await createModel(ref, {
    env: { OPENAI_COMPATIBLE_API_KEY: 'bench' },
    concurrency: { maxConcurrency: slots, initialConcurrency: slots },
  });
  try {
    const started = performance.now();
    const summary = await simulateStudy({
      study,
      packs: new Map([['en', loadLanguagePack('en')]]),
      store,
      models: new Map([[ref, model]]),
      concurrency: slots,
    });
    const achievedMs = performance.now() - started;
    const calls = summary.callsThisSession;
    const criticalPathCalls = agents * turns;
    const idealMs = idealDurationMs({ calls, latencyMs, slots, criticalPathCalls });
    const stats = await server.stop();
    return {
      slots,
      latencyMs,
      runs: summary.runs,
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
    await model.close?.();
    store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
