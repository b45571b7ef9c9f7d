import type { LanguagePack } from '../contracts/index.js';
import { createRunScorer, poolRunScores, type RunScore, type ScoringSettings } from '../metrics/index.js';
import { type ActionFeatureRow, type RunStore, StoreReader } from '../store/index.js';
import {
  type ScoringMessage,
  type ScoringRequest,
  type ScoringThreadData,
  type ScoringWork,
  scoreStoredRun,
} from './score-thread.js';
import { siblingEntry, spawnWorkerThread } from './worker-thread-spawn.js';

/**
 * The score stage on every core. What depends on one run alone (reading its events, language
 * detection, lexicon matching, its agents', turns' and phases' counts and rates, serialising its
 * action rows) is done in worker threads and in the main thread at once; what depends on the whole
 * study (the z-scores of CPI and DI) is done after, here, over the runs' scores in run order, exactly
 * as `scoreRuns` pools them in one thread, so the features are byte for byte the same
 * (test/scoring-threads.test.ts). Threads only read the store (their own read-only connection); the
 * caller writes the pooled rows in one transaction, as before.
 */

/** Pooled scores with the action rows already serialised (what `RunStore.replaceFeatureRows` takes). */
export type PooledRows = ReturnType<typeof poolRunScores<ActionFeatureRow>>;

/**
 * Runs handed to a thread at a time (at most; fewer in a small study, so that every thread gets some):
 * a thread holds two handouts, so it never waits for the main thread (busy scoring its own runs), and
 * a handout is short, so the threads finish together (a run takes a few milliseconds).
 */
const MAX_RUNS_PER_HANDOUT = 8;

export async function scoreStoreInThreads(
  store: RunStore,
  packs: ReadonlyMap<string, LanguagePack>,
  settings: ScoringSettings,
  threads: number,
  options: { mainThreadScores?: boolean } = {},
): Promise<PooledRows> {
  const runs = store.listRuns();
  const scores: (RunScore<ActionFeatureRow> | undefined)[] = new Array(runs.length).fill(undefined);
  // Work goes out grouped by language, run order within one: each thread then compiles the lexicons
  // of fewer languages, and its language detector's memo sees that language's repeated utterances.
  // The main thread takes from the front, the worker threads from the back.
  const work: ScoringWork[] = runs
    .map((run, index) => ({ index, run }))
    .sort((a, b) => (a.run.language === b.run.language ? a.index - b.index : a.run.language < b.run.language ? -1 : 1));
  let front = 0;
  let back = work.length;
  // The main thread scores too, unless told not to (tests: every run through the threads).
  const mainThreadScores = options.mainThreadScores !== false || threads === 0;
  const started = Math.max(0, Math.min(threads, mainThreadScores ? work.length - 1 : work.length));
  const runsPerHandout = Math.max(1, Math.min(MAX_RUNS_PER_HANDOUT, Math.ceil(work.length / ((started + 1) * 4))));
  let failure: { error: unknown } | undefined;
  const workers = new Set<ReturnType<typeof spawnWorkerThread>>();
  const fail = (error: unknown): void => {
    failure ??= { error };
    for (const worker of workers) void worker.terminate();
  };

  const data: ScoringThreadData = {
    storePath: store.path,
    packs,
    settings: { metrics: settings.metrics, exclusions: settings.exclusions },
  };
  const runThread = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const worker = spawnWorkerThread(siblingEntry('score-thread-entry', import.meta.url), data);
      workers.add(worker);
      let unscored = 0;
      let ended = false;
      const send = (request: ScoringRequest): void => worker.postMessage(request);
      const refill = (): void => {
        while (failure === undefined && unscored <= runsPerHandout && back > front) {
          const handout = work.slice(Math.max(front, back - runsPerHandout), back);
          back -= handout.length;
          unscored += handout.length;
          send({ kind: 'runs', work: handout });
        }
        if (unscored === 0 && !ended) {
          ended = true;
          send({ kind: 'end' });
        }
      };
      worker.on('message', (message: ScoringMessage) => {
        switch (message.kind) {
          case 'ready':
            refill();
            return;
          case 'scored':
            scores[message.index] = message.score;
            unscored -= 1;
            refill();
            return;
          case 'failed':
            fail(message.error);
            return;
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        workers.delete(worker);
        if (!ended && failure === undefined)
          fail(new Error(`a scoring thread exited (code ${code}) before its runs were scored`));
        resolve();
      });
    });

  // The main thread scores too, from the other end of the list, while the threads start (about a
  // fifth of a second each) and between their messages.
  const scoreHere = async (): Promise<void> => {
    if (!mainThreadScores) return;
    const reader = StoreReader.open(store.path);
    try {
      const scorer = createRunScorer(packs, settings);
      while (front < back && failure === undefined) {
        const { index, run } = work[front++]!;
        scores[index] = scoreStoredRun(scorer, reader, run);
        // Between runs the threads' messages (scores, requests for more runs) are handled.
        await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
      }
    } finally {
      reader.close();
    }
  };

  await Promise.all([scoreHere().catch(fail), ...Array.from({ length: started }, () => runThread())]);
  if (failure !== undefined) throw failure.error;
  const missing = scores.indexOf(undefined);
  if (missing !== -1) throw new Error(`run ${runs[missing]?.runId} was not scored`);
  return poolRunScores(scores as RunScore<ActionFeatureRow>[], settings);
}
