import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../src/models/mock-server/index.js';
import { parseQueueUrl } from '../src/queue/index.js';
import { Coordinator, CoordinatorBusyError } from '../src/queue/runtime.js';
import { loadStudyFile } from '../src/runner/index.js';
import { type CliResult, runCliAsync, spawnCli, temporaryDirectory } from './support/cli.js';
import { freePort, startRedis, type TestRedis } from './support/redis.js';

/**
 * Distributed runs against a real Redis (Debian's redis-server on a free loopback port): a study
 * simulated by three `backfire worker` processes (two after one is killed) through a `backfire run --queue` coordinator ends
 * byte for byte like a local run, through a worker killed with -9, a coordinator killed with -9 and
 * restarted, and a Redis restart that loses every key. Workers use short BullMQ lock and stall
 * settings so that a lost worker's run is taken over within about two seconds.
 */

const PASSWORD = 'queue-test-password-4711';
const PASSWORD_ENV = { BACKFIRE_REDIS_PASSWORD: PASSWORD };
const WORKER_FLAGS = [
  '--concurrency',
  '1',
  '--lock-duration',
  '1500',
  '--stalled-interval',
  '500',
  '--reply-timeout',
  '1500',
  '--quiet',
];

// Slow enough (a mock model answering in 30 ms) to kill things in the middle: 12 runs of 8 turns
// of 4 agents, three at a time.
function networkStudy(modelRef: string, seed: number): string {
  return `backfire: 1
name: queue-check
title: Queue check
seed: ${seed}
languages: [en]
agents: 4
turns: 8
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 6
models: ["${modelRef}"]
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0 }
`;
}
const NETWORK_TURNS = 2 * 6 * 8;
const NETWORK_AGENTS = 4;

let redis: TestRedis;
let server: MockServer;
let directory: string;
const workers: ChildProcess[] = [];
/** The network study, and its local run (the reference both network tests compare with). */
let networkStudyFile: string;
let networkLocal: string;
let networkReference: Promise<CliResult>;

function startWorker(): ChildProcess {
  const worker = spawnCli(['worker', '--queue', redis.url, ...WORKER_FLAGS], { env: PASSWORD_ENV });
  // Drained (a full pipe would block the worker) and shown: a quiet worker prints only problems.
  worker.stdout?.resume();
  worker.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  workers.push(worker);
  return worker;
}

function count(storeFile: string, sql: string): number {
  const database = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    return (database.prepare(sql).get() as { count: number }).count;
  } finally {
    database.close();
  }
}

const committedTurns = (folder: string) =>
  count(join(folder, 'store.sqlite'), "SELECT COUNT(*) AS count FROM events WHERE type = 'turn-end'");

function dumpEvents(folder: string): string {
  const database = new Database(join(folder, 'store.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return JSON.stringify(database.prepare('SELECT run_id, seq, body FROM events ORDER BY run_id, seq').all());
  } finally {
    database.close();
  }
}

async function waitForTurns(folder: string, atLeast: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const turns = committedTurns(folder);
      if (turns >= atLeast) return turns;
    } catch {
      // the store is not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`fewer than ${atLeast} turns committed in ${folder} after ${timeoutMs} ms`);
}

function killNow(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.kill('SIGKILL');
  return exited;
}

/** Every file of a run folder, as bytes: the password must be in none of them. */
function folderContains(folder: string, text: string): boolean {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .some((entry) => readFileSync(join(entry.parentPath, entry.name)).includes(text));
}

function expectSameResults(queued: string, local: string): void {
  const queuedResults = readFileSync(join(queued, 'results.json'));
  const localResults = readFileSync(join(local, 'results.json'));
  expect(queuedResults.equals(localResults)).toBe(true);
  expect(dumpEvents(queued)).toBe(dumpEvents(local));
}

beforeAll(async () => {
  redis = await startRedis(PASSWORD);
  server = await startMockServer({ latency: { kind: 'fixed', ms: 30 } });
  directory = temporaryDirectory('queue');
  for (let index = 0; index < 3; index += 1) startWorker();
  networkStudyFile = join(directory, 'network.yaml');
  writeFileSync(networkStudyFile, networkStudy(`openai-compatible:${server.url}#mock-model`, 11));
  networkLocal = join(directory, 'network-local');
  networkReference = runCliAsync(['run', networkStudyFile, '--out', networkLocal, '--quiet']);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => killNow(worker)));
  await server?.close();
  await redis?.stop();
});

describe('backfire run --queue with backfire worker', () => {
  it('runs the demo study over three workers, byte for byte like a local run, and never shows the password', async () => {
    const queued = join(directory, 'demo-queued');
    const local = join(directory, 'demo-local');
    const [distributed, reference] = await Promise.all([
      runCliAsync(['run', 'studies/demo.yaml', '--queue', redis.url, '--out', queued, '--quiet'], {
        env: PASSWORD_ENV,
      }),
      runCliAsync(['run', 'studies/demo.yaml', '--out', local, '--quiet']),
    ]);
    expect(distributed.stderr).toBe('');
    expect(distributed.status).toBe(0);
    expect(reference.status).toBe(0);
    expectSameResults(queued, local);
    expect(folderContains(queued, PASSWORD)).toBe(false);
    expect(distributed.stdout).not.toContain(PASSWORD);

    const status = await runCliAsync(['queue', 'status', '--queue', redis.url], { env: PASSWORD_ENV });
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/workers: 3\n/);
    expect(status.stdout).toMatch(/turns\/s/);
    expect(status.stdout).not.toContain(PASSWORD);
  }, 180_000);

  it('survives a worker and then the coordinator killed with -9, and refuses a second coordinator', async () => {
    const studyFile = networkStudyFile;
    const queued = join(directory, 'network-queued');

    const coordinator = spawnCli(['run', studyFile, '--queue', redis.url, '--out', queued, '--quiet'], {
      env: PASSWORD_ENV,
    });
    await waitForTurns(queued, 6);
    // A second coordinator of the same study (here in this process, with its own folder) is refused.
    const loaded = loadStudyFile(studyFile);
    const second = Coordinator.start({
      connection: parseQueueUrl(redis.url, PASSWORD_ENV),
      payload: { studyHash: loaded.hash, study: loaded.study, packHashes: {}, version: 'test' },
      directory: join(directory, 'other'),
    });
    await expect(second).rejects.toThrow(CoordinatorBusyError);
    await expect(second).rejects.toThrow(/^another coordinator \(pid \d+ on .+, run folder .*network-queued\)/);

    // A worker dies in the middle of a run: after its lock expires another worker claims the run
    // and continues from the last committed turn.
    await killNow(workers[0]!);
    const afterWorkerKill = committedTurns(queued);
    await waitForTurns(queued, afterWorkerKill + 12);
    await killNow(coordinator);
    const afterCoordinatorKill = committedTurns(queued);
    expect(afterCoordinatorKill).toBeLessThan(NETWORK_TURNS);

    const resumed = await runCliAsync(['run', studyFile, '--queue', redis.url, '--out', queued, '--quiet'], {
      env: PASSWORD_ENV,
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect((await networkReference).status).toBe(0);

    const storeFile = join(queued, 'store.sqlite');
    expect(committedTurns(queued)).toBe(NETWORK_TURNS);
    expect(count(storeFile, 'SELECT COUNT(*) AS count FROM calls')).toBe(NETWORK_TURNS * NETWORK_AGENTS);
    expectSameResults(queued, networkLocal);
    const manifest = JSON.parse(readFileSync(join(queued, 'manifest.json'), 'utf8')) as { sessions: number };
    expect(manifest.sessions).toBe(2);
  }, 180_000);

  it('completes a study through a Redis restart that loses every key', async () => {
    const queued = join(directory, 'restart-queued');
    const coordinator = runCliAsync(['run', networkStudyFile, '--queue', redis.url, '--out', queued, '--quiet'], {
      env: PASSWORD_ENV,
    });
    await waitForTurns(queued, 10);
    await redis.restart({ downMs: 1000 });
    const finished = await coordinator;
    expect(finished.status).toBe(0);
    expect((await networkReference).status).toBe(0);
    expect(committedTurns(queued)).toBe(NETWORK_TURNS);
    expectSameResults(queued, networkLocal);
  }, 180_000);

  it('says in one line, exit code 2, when Redis refuses the password or cannot be reached', async () => {
    const wrongPassword = 'not-the-password-9182';
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    const [refused, away, worker] = await Promise.all([
      runCliAsync([
        'run',
        'studies/demo.yaml',
        '--queue',
        `redis://:${wrongPassword}@127.0.0.1:${redis.port}`,
        '--out',
        join(directory, 'refused'),
      ]),
      runCliAsync(['run', 'studies/demo.yaml', '--queue', unreachable, '--out', join(directory, 'away')]),
      runCliAsync(['worker', '--queue', redis.url], { env: { BACKFIRE_REDIS_PASSWORD: wrongPassword } }),
    ]);
    for (const result of [refused, away, worker]) {
      expect(result.status).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr).not.toContain(wrongPassword);
    }
    expect(refused.stderr).toMatch(/refused the password in the URL/);
    expect(worker.stderr).toMatch(/refused the password in BACKFIRE_REDIS_PASSWORD/);
    expect(away.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0/);
    expect(existsSync(join(directory, 'refused'))).toBe(false);
    expect(existsSync(join(directory, 'away'))).toBe(false);
  }, 120_000);
});
