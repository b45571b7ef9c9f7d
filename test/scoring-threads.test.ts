import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { actionFeatureRow, RunStore } from '../src/store/index.js';
import { scoreRuns } from '../src/metrics/index.js';
import { loadStudyFile } from '../src/runner/index.js';
import { scoreStoreInThreads } from '../src/runner/score-in-threads.js';
import { runToScore } from '../src/runner/score-thread.js';
import { REPO_ROOT, runCli, temporaryDirectory } from './support/cli.js';
import { dumpStore } from './support/store-dump.js';

/**
 * The score stage in worker threads (src/runner/score-in-threads.ts) against the in-process stage:
 * the same run folder byte for byte, and a thread's failure is the stage's failure.
 */

const SCORING = 'BACKFIRE_SCORING_THREADS';
// Simulated in process both times, so that only the score stage differs.
const IN_PROCESS = { [SCORING]: '0', BACKFIRE_SIMULATION_THREADS: '0' };
const THREADS_TOO = { [SCORING]: '1', BACKFIRE_SIMULATION_THREADS: '0' };

/** What the in-process stage gives for a store: its runs read as `scoreStage` reads them, scored in one thread. */
function scoredInProcess(store: RunStore, loaded: ReturnType<typeof loadStudyFile>) {
  const events = store.loadAllEvents();
  const runs = store.listRuns().map((run) => runToScore(run, events.get(run.runId) ?? []));
  return scoreRuns(runs, loaded.packs, loaded.study);
}

describe('scoring in worker threads', () => {
  const directory = temporaryDirectory('scoring-threads');
  const demo = join(REPO_ROOT, 'studies', 'demo.yaml');
  const threaded = join(directory, 'threads');
  const inProcess = join(directory, 'in-process');

  it('gives the demo study byte for byte what the in-process stage gives (results.json, report.md, every table)', () => {
    const a = runCli(['run', demo, '--out', threaded, '--quiet'], { env: THREADS_TOO });
    expect(a.status, a.stderr).toBe(0);
    const b = runCli(['run', demo, '--out', inProcess, '--quiet'], { env: IN_PROCESS });
    expect(b.status, b.stderr).toBe(0);
    for (const file of ['results.json', 'report.md']) {
      expect(readFileSync(join(threaded, file)).equals(readFileSync(join(inProcess, file))), file).toBe(true);
    }
    const threadedTables = dumpStore(threaded);
    const inProcessTables = dumpStore(inProcess);
    expect(Object.keys(threadedTables)).toEqual(Object.keys(inProcessTables));
    expect(threadedTables.action_features?.length).toBeGreaterThan(1000);
    for (const table of Object.keys(threadedTables)) {
      expect(threadedTables[table] === inProcessTables[table], `store table ${table}`).toBe(true);
    }
  });

  it('scores every run in the threads alone to the in-process features, and fails with a thread', async () => {
    const loaded = loadStudyFile(demo);
    const store = RunStore.open(join(inProcess, 'store.sqlite'), { create: false });
    try {
      const expected = scoredInProcess(store, loaded);
      const pooled = await scoreStoreInThreads(store, loaded.packs, loaded.study, 2, { mainThreadScores: false });
      expect(pooled.actions).toEqual(expected.actions.map(actionFeatureRow));
      for (const table of ['agents', 'runs', 'turns', 'phases'] as const) {
        expect(JSON.stringify(pooled[table]), table).toBe(JSON.stringify(expected[table]));
      }
      expect(JSON.stringify(pooled.lexiconVersions)).toBe(JSON.stringify(expected.lexiconVersions));
      expect(pooled.warnings).toEqual(expected.warnings);

      // A thread that cannot score a run (no pack for its language) fails the stage; nothing hangs.
      const withoutJapanese = new Map([...loaded.packs].filter(([language]) => language !== 'ja'));
      await expect(
        scoreStoreInThreads(store, withoutJapanese, loaded.study, 1, { mainThreadScores: false }),
      ).rejects.toThrow('no language pack loaded for "ja"');
    } finally {
      store.close();
    }
  });

  it('leaves the features untouched when the threaded stage fails', () => {
    const copy = join(directory, 'broken');
    cpSync(inProcess, copy, { recursive: true });
    const before = dumpStore(copy);
    // A study whose stored runs name a language without a pack: the scoring thread's error ends the stage.
    const database = new Database(join(copy, 'store.sqlite'));
    database.prepare("UPDATE runs SET language = 'xx' WHERE rowid = (SELECT MAX(rowid) FROM runs)").run();
    database.close();
    const result = runCli(['score', copy], { env: { [SCORING]: '1' } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('no language pack loaded for "xx"');
    const after = dumpStore(copy);
    for (const table of [
      'action_features',
      'agent_features',
      'run_features',
      'turn_features',
      'phase_features',
      'meta',
    ]) {
      expect(after[table] === before[table], table).toBe(true);
    }
  });
});
