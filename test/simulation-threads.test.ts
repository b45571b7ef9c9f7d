import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, spawnCli, temporaryDirectory } from './support/cli.js';
import { dumpStore } from './support/store-dump.js';

/**
 * Surrogate runs simulated in worker threads (src/runner/simulate-in-threads.ts) against the
 * in-process scheduler: the same run folder byte for byte (but each call's measured latency), and
 * the same guarantees when the process is stopped (Ctrl-C) or killed (-9) in the middle.
 */

const THREADS = 'BACKFIRE_SIMULATION_THREADS';
const IN_PROCESS = { [THREADS]: '0' };
const THREADS_TOO = { [THREADS]: '1' };

function committedTurns(folder: string): number {
  const database = new Database(join(folder, 'store.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (database.prepare("SELECT COUNT(*) AS count FROM events WHERE type = 'turn-end'").get() as { count: number })
      .count;
  } finally {
    database.close();
  }
}

/** report.md names the sessions a folder took (its manifest), so a resumed folder is compared without it. */
function expectSameFolders(threaded: string, inProcess: string, files = ['results.json', 'report.md']): void {
  for (const file of files) {
    expect(readFileSync(join(threaded, file)).equals(readFileSync(join(inProcess, file))), file).toBe(true);
  }
  const a = dumpStore(threaded);
  const b = dumpStore(inProcess);
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const table of Object.keys(a)) expect(a[table] === b[table], `store table ${table}`).toBe(true);
}

/** Starts `run` in threads and signals it once `turns` turns are committed; resolves with its exit code. */
async function interruptAfter(
  studyFile: string,
  out: string,
  turns: number,
  signal: NodeJS.Signals,
): Promise<number | null> {
  const child = spawnCli(['run', studyFile, '--out', out, '--quiet'], { env: THREADS_TOO });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
    try {
      if (committedTurns(out) >= turns) break;
    } catch {
      // the store is not created yet
    }
  }
  child.kill(signal);
  return exited;
}

// About 3,600 agent turns: long enough to be stopped and killed in the middle, small enough for CI.
const STUDY = `backfire: 1
name: threads-check
title: Threads check
seed: 41
languages: [en, ja]
agents: 8
turns: 15
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4, 8] }
replicates: 5
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 8, low: 0 }
`;
const TOTAL_TURNS = 2 * 3 * 5 * 15;

describe('simulation in worker threads', () => {
  it('gives the demo study byte for byte what the in-process scheduler gives', () => {
    const directory = temporaryDirectory('threads-demo');
    const demo = join(REPO_ROOT, 'studies', 'demo.yaml');
    const threaded = runCli(['run', demo, '--out', join(directory, 'threads'), '--quiet'], { env: THREADS_TOO });
    expect(threaded.status, threaded.stderr).toBe(0);
    const inProcess = runCli(['run', demo, '--out', join(directory, 'in-process'), '--quiet'], { env: IN_PROCESS });
    expect(inProcess.status, inProcess.stderr).toBe(0);
    expectSameFolders(join(directory, 'threads'), join(directory, 'in-process'));
  });

  it('stops on Ctrl-C and survives kill -9 with whole turns, each once, resuming to the in-process results', async () => {
    const directory = temporaryDirectory('threads-resume');
    const studyFile = join(directory, 'study.yaml');
    writeFileSync(studyFile, STUDY);
    const out = join(directory, 'threads');

    // Ctrl-C: the threads finish their turns in flight, the runs in progress are marked stopped.
    expect(await interruptAfter(studyFile, out, 60, 'SIGINT')).toBe(130);
    const afterStop = committedTurns(out);
    expect(afterStop).toBeGreaterThanOrEqual(60);
    expect(afterStop).toBeLessThan(TOTAL_TURNS);

    // kill -9 in the next session: only whole turns were committed.
    await interruptAfter(studyFile, out, afterStop + 60, 'SIGKILL');
    const afterKill = committedTurns(out);
    expect(afterKill).toBeGreaterThanOrEqual(afterStop + 60);
    expect(afterKill).toBeLessThan(TOTAL_TURNS);

    const resumed = runCli(['run', studyFile, '--out', out, '--quiet'], { env: THREADS_TOO });
    expect(resumed.status, resumed.stderr).toBe(0);
    const reference = runCli(['run', studyFile, '--out', join(directory, 'in-process'), '--quiet'], {
      env: IN_PROCESS,
    });
    expect(reference.status, reference.stderr).toBe(0);

    expect(committedTurns(out)).toBe(TOTAL_TURNS);
    const sessions = (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { sessions: number }).sessions;
    expect(sessions).toBe(3);
    expectSameFolders(out, join(directory, 'in-process'), ['results.json']);
  });
});
