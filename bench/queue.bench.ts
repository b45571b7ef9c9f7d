import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { studyPayload } from '../src/cli/queue-coordinator.js';
import { parseQueueUrl } from '../src/queue/index.js';
import { Coordinator, readQueueStatus } from '../src/queue/runtime.js';
import { createStudyModels } from '../src/cli/model-factory.js';
import { loadStudyFile, planStudy, simulateStudy } from '../src/runner/index.js';
import { RunStore } from '../src/store/index.js';
import { REDIS_SERVER, startRedis } from '../test/support/redis.js';

/**
 * Distributed throughput (bench/README.md: >= 0.90 with 4 worker processes): a study against the mock
 * server with a fixed latency, simulated by 1, 2 and 4 `backfire worker` processes (real processes,
 * through the CLI) coordinated by a `Coordinator` in this process that commits into a real store.
 * Every configuration gets three runs per request slot, all runs of equal length, so the ideal wall
 * time is exactly three run lengths (each slot runs three runs one after another); efficiency is
 * ideal / achieved, from the first job queued to the last turn committed. What it costs: the turn
 * round trip to the coordinator (one stream entry and one reply per turn), claims, BullMQ's hand-over
 * between jobs, and the coordinator's commits, all on this machine's cores.
 */

const ROOT = resolve(import.meta.dirname, '..');
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CLI_ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
const PASSWORD = 'bench-queue-password';

export interface QueueBenchmarkSetting {
  workers: number;
  /** Runs in flight per worker. */
  concurrency: number;
  latencyMs: number;
  agents: number;
  turns: number;
}

export interface QueueBenchmarkResult extends QueueBenchmarkSetting {
  /** The same study by the local scheduler in one process with as many runs in flight (the yardstick of this machine's load). */
  localEfficiency: number;
  runs: number;
  calls: number;
  idealMs: number;
  achievedMs: number;
  efficiency: number;
  turnsPerSecond: number;
}

/** undefined when this machine has no redis-server (the figure is then not measured). */
export async function benchmarkQueue(
  settings: readonly QueueBenchmarkSetting[],
): Promise<QueueBenchmarkResult[] | undefined> {
  if (!existsSync(REDIS_SERVER)) return undefined;
  const redis = await startRedis(PASSWORD);
  const latencies = new Set(settings.map((setting) => setting.latencyMs));
  if (latencies.size !== 1) throw new Error('queue benchmark: one latency for every setting');
  // In its own process, as in the scheduler benchmark: the coordinator's commits do not delay its answers.
  const server = await startServerProcess(settings[0]!.latencyMs);
  const directory = mkdtempSync(join(tmpdir(), 'backfire-queue-bench-'));
  const connection = parseQueueUrl(redis.url, { BACKFIRE_REDIS_PASSWORD: PASSWORD });
  const results: QueueBenchmarkResult[] = [];
  try {
    for (const [index, setting] of settings.entries()) {
      const workers = Array.from({ length: setting.workers }, () => startWorker(redis.url, setting.concurrency));
      try {
        await waitForWorkers(connection, setting.workers);
        const slots = setting.workers * setting.concurrency;
        // Warm-up: the workers build the study's models and compile the call path on a first small study.
        await coordinate(connection, directory, `warm-${index}`, server.url, setting, slots, 1000 + index);
        const started = performance.now();
        const runs = await coordinate(
          connection,
          directory,
          `measured-${index}`,
          server.url,
          setting,
          3 * slots,
          index,
        );
        const achievedMs = performance.now() - started;
        const runMs = setting.agents * setting.turns * setting.latencyMs;
        const idealMs = 3 * runMs;
        const localMs = await simulateLocally(
          directory,
          `local-${index}`,
          server.url,
          setting,
          3 * slots,
          index,
          slots,
        );
        results.push({
          ...setting,
          runs,
          calls: runs * setting.agents * setting.turns,
          idealMs,
          achievedMs,
          efficiency: idealMs / achievedMs,
          localEfficiency: idealMs / localMs,
          turnsPerSecond: (runs * setting.turns) / (achievedMs / 1000),
        });
      } finally {
        await Promise.all(workers.map((worker) => stop(worker)));
      }
    }
    return results;
  } finally {
    await stop(server.child);
    await redis.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The same study through the local scheduler (`slots` runs in flight); returns its wall time in ms. */
async function simulateLocally(
  directory: string,
  name: string,
  serverUrl: string,
  setting: QueueBenchmarkSetting,
  runs: number,
  seed: number,
  slots: number,
): Promise<number> {
  const loaded = loadStudyFile(writeStudy(directory, name, serverUrl, setting, runs, seed));
  const store = RunStore.open(join(directory, `${name}.sqlite`), { create: true });
  const models = await createStudyModels(loaded, { store });
  try {
    const started = performance.now();
    await simulateStudy({ study: loaded.study, packs: loaded.packs, store, models: models.models, concurrency: slots });
    return performance.now() - started;
  } finally {
    await models.close();
    store.close();
  }
}

function writeStudy(
  directory: string,
  name: string,
  serverUrl: string,
  setting: QueueBenchmarkSetting,
  runs: number,
  seed: number,
): string {
  const studyFile = join(directory, `${name}.yaml`);
  // Two cells (dose 0 and 1) of runs / 2 replicates each.
  writeFileSync(
    studyFile,
    `backfire: 1
name: ${name}
title: Queue benchmark
seed: ${seed}
languages: [en]
agents: ${setting.agents}
turns: ${setting.turns}
design:
  dose: { variable: k, intervention: alignment, levels: [0, 1] }
replicates: ${Math.ceil(runs / 2)}
models: ["openai-compatible:${serverUrl}#mock-model"]
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 1, low: 0 }
`,
  );
  return studyFile;
}

/** Queues a study of `runs` equal runs and waits until every turn is committed; returns the number of runs. */
async function coordinate(
  connection: ReturnType<typeof parseQueueUrl>,
  directory: string,
  name: string,
  serverUrl: string,
  setting: QueueBenchmarkSetting,
  runs: number,
  seed: number,
): Promise<number> {
  const studyFile = writeStudy(directory, name, serverUrl, setting, runs, seed);
  const loaded = loadStudyFile(studyFile);
  const folder = join(directory, name);
  const store = RunStore.open(join(directory, `${name}.sqlite`), { create: true });
  const coordinator = await Coordinator.start({ connection, payload: studyPayload(loaded), directory: folder });
  try {
    const plan = planStudy(loaded.study);
    const summary = await coordinator.simulate({
      store,
      runs: plan.runs,
      agents: loaded.study.agents,
      turns: loaded.study.turns,
      onWarning: (message) => process.stderr.write(`queue benchmark: ${message}\n`),
    });
    if (summary.completedRuns !== plan.runs.length) throw new Error(`queue benchmark: ${name} did not complete`);
    return plan.runs.length;
  } finally {
    await coordinator.close();
    store.close();
  }
}

async function startServerProcess(latencyMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, CLI_ENTRY, 'mock-server', '--latency-ms', String(latencyMs)],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /openai-compatible:(\S+)#any/.exec(output);
      if (found?.[1] !== undefined) resolveUrl(found[1]);
    });
    child.on('exit', () => reject(new Error(`mock server exited: ${output}`)));
  });
  return { url, child };
}

function startWorker(url: string, concurrency: number): ChildProcess {
  return spawn(
    process.execPath,
    ['--import', TSX_LOADER, CLI_ENTRY, 'worker', '--queue', url, '--concurrency', String(concurrency), '--quiet'],
    { env: { ...process.env, BACKFIRE_REDIS_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

async function waitForWorkers(connection: ReturnType<typeof parseQueueUrl>, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await readQueueStatus(connection)).workers.length >= count) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  throw new Error(`queue benchmark: ${count} workers did not start`);
}

function stop(worker: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (worker.exitCode !== null || worker.signalCode !== null) return resolveStop();
    worker.once('exit', () => resolveStop());
    worker.kill('SIGTERM');
  });
}
