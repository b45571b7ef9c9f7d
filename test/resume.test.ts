import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, temporaryDirectory } from './support/cli.js';

// Big enough to be killed in the middle (about 6,000 agent turns), small enough for CI.
const STUDY = `backfire: 1
name: resume-check
title: Resume check
seed: 99
languages: [en, ja]
agents: 10
turns: 15
design:
  dose: { variable: k, intervention: alignment, levels: [0, 5, 10] }
replicates: 7
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 10, low: 0 }
    - { id: H2, kind: trend, metric: di }
`;

function countRows(storeFile: string, sql: string): number {
  const database = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    return (database.prepare(sql).get() as { count: number }).count;
  } finally {
    database.close();
  }
}

function dumpEvents(storeFile: string): string {
  const database = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    const rows = database.prepare('SELECT run_id, seq, body FROM events ORDER BY run_id, seq').all();
    return JSON.stringify(rows);
  } finally {
    database.close();
  }
}

describe('kill -9 and resume', () => {
  it('keeps every completed turn, duplicates none, and ends with byte-identical results', async () => {
    const directory = temporaryDirectory('resume');
    const studyFile = join(directory, 'study.yaml');
    writeFileSync(studyFile, STUDY);
    const interrupted = join(directory, 'interrupted');
    const uninterrupted = join(directory, 'uninterrupted');
    const storeFile = join(interrupted, 'store.sqlite');

    // 1. Start a run and SIGKILL it once some (but not all) turns are committed.
    const child = spawnCli(['run', studyFile, '--out', interrupted, '--quiet']);
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    let turnsAtKill = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 25));
      try {
        turnsAtKill = countRows(storeFile, "SELECT COUNT(*) AS count FROM events WHERE type = 'turn-end'");
      } catch {
        continue; // the store is not created yet
      }
      if (turnsAtKill >= 60) break;
    }
    child.kill('SIGKILL');
    await exited;
    const totalTurns = 2 * 3 * 7 * 15;
    const committedAfterKill = countRows(storeFile, "SELECT COUNT(*) AS count FROM events WHERE type = 'turn-end'");
    expect(committedAfterKill).toBeGreaterThanOrEqual(60);
    expect(committedAfterKill).toBeLessThan(totalTurns);

    // 2. Run again into the same folder: it resumes and finishes.
    const resumed = runCli(['run', studyFile, '--out', interrupted, '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);

    // 3. An uninterrupted run with the same seed.
    const fresh = runCli(['run', studyFile, '--out', uninterrupted, '--quiet']);
    expect(fresh.status).toBe(0);

    // Every turn exactly once, and identical transcripts and results.
    expect(countRows(storeFile, "SELECT COUNT(*) AS count FROM events WHERE type = 'turn-end'")).toBe(totalTurns);
    expect(countRows(storeFile, 'SELECT COUNT(*) AS count FROM calls')).toBe(totalTurns * 10);
    expect(dumpEvents(storeFile)).toBe(dumpEvents(join(uninterrupted, 'store.sqlite')));
    const resultsInterrupted = readFileSync(join(interrupted, 'results.json'));
    const resultsUninterrupted = readFileSync(join(uninterrupted, 'results.json'));
    expect(resultsInterrupted.equals(resultsUninterrupted)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(interrupted, 'manifest.json'), 'utf8')) as {
      sessions: number;
      status: string;
    };
    expect(manifest.sessions).toBe(2);
    expect(manifest.status).toBe('completed');
  });

  it('refuses to mix another study into a run folder', () => {
    const directory = temporaryDirectory('mix');
    const studyFile = join(directory, 'study.yaml');
    writeFileSync(studyFile, STUDY.replace('replicates: 7', 'replicates: 1'));
    const out = join(directory, 'out');
    expect(runCli(['simulate', studyFile, '--out', out, '--quiet']).status).toBe(0);
    const other = runCli(['simulate', studyFile, '--out', out, '--quiet', '--seed', '5']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/holds another study/);
    expect(other.stderr).toMatch(/fix: use another --out folder/);
  });
});
