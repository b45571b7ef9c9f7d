import { parentPort, workerData } from 'node:worker_threads';
import type { LanguagePack, TranscriptEvent } from '../contracts/index.js';
import { createRunScorer, type RunScore, type RunToScore, type ScoringSettings } from '../metrics/index.js';
import { type ActionFeatureRow, actionFeatureRow, type StoredRun, StoreReader } from '../store/index.js';

/**
 * The inside of a scoring thread (see score-in-threads.ts; its entry module is score-thread-entry.ts): it reads the runs
 * it is handed from the store (read-only, its own connection), scores each with the same per-run
 * scorer as in process, serialises the action rows (nine in ten of the bytes the stage writes) and
 * posts every run's score back. It writes nothing: the main thread pools the scores and writes them.
 */

export interface ScoringThreadData {
  storePath: string;
  packs: ReadonlyMap<string, LanguagePack>;
  settings: ScoringSettings;
}

/** One run to score and its position in the stage's run order. */
export interface ScoringWork {
  index: number;
  run: StoredRun;
}

/** Orchestrator -> thread. */
export type ScoringRequest = { kind: 'runs'; work: ScoringWork[] } | { kind: 'end' };

/** Thread -> orchestrator. */
export type ScoringMessage =
  | { kind: 'ready' }
  | { kind: 'scored'; index: number; score: RunScore<ActionFeatureRow> }
  | { kind: 'failed'; error: unknown };

/** A stored run and its events as the scorer takes them (the in-process stage builds the same). */
export function runToScore(run: StoredRun, events: readonly TranscriptEvent[]): RunToScore {
  return {
    runId: run.runId,
    cellId: run.cellId,
    language: run.language,
    model: run.model,
    dose: run.dose,
    replicate: run.replicate,
    complete: events.some((event) => event.type === 'run-end'),
    events,
  };
}

/** Scores one stored run; the same in a thread and in process (score-in-threads.ts). */
export function scoreStoredRun(
  scorer: ReturnType<typeof createRunScorer>,
  reader: StoreReader,
  run: StoredRun,
): RunScore<ActionFeatureRow> {
  const score = scorer.score(runToScore(run, reader.runEvents(run.runId)));
  return { ...score, actions: score.actions.map(actionFeatureRow) };
}

export function serveScoringThread(): void {
  const port = parentPort;
  if (port === null) throw new Error('serveScoringThread runs only inside a worker thread');
  const data = workerData as ScoringThreadData;
  const post = (message: ScoringMessage): void => port.postMessage(message);
  let reader: StoreReader;
  let scorer: ReturnType<typeof createRunScorer>;
  try {
    reader = StoreReader.open(data.storePath);
    scorer = createRunScorer(data.packs, data.settings);
  } catch (error) {
    post({ kind: 'failed', error });
    port.close();
    return;
  }
  port.on('message', (request: ScoringRequest) => {
    if (request.kind === 'end') {
      reader.close();
      port.close();
      return;
    }
    try {
      for (const { index, run } of request.work)
        post({ kind: 'scored', index, score: scoreStoredRun(scorer, reader, run) });
    } catch (error) {
      post({ kind: 'failed', error });
    }
  });
  post({ kind: 'ready' });
}
