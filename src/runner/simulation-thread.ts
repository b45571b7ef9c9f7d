import { parentPort, workerData } from 'node:worker_threads';
import type { CallRecord, TranscriptEvent } from '../contracts/index.js';
import { type RunSpec, simulateRun } from '../engine/index.js';

/**
 * The inside of a simulation thread (see simulate-in-threads.ts): runs handed over by the
 * orchestrator are simulated with the engine, and every completed turn is posted back to be
 * committed there. The thread owns no storage. An entry module (the composition root's) calls
 * `serveSimulationThread` with a way to build the study's runs from the setup it was given.
 */

/** The one slot of the shared stop flag: non-zero stops every thread's runs at their next turn boundary. */
export const STOP_FLAG_INDEX = 0;

export interface SimulationThreadData {
  setup: unknown;
  stopFlag: Int32Array;
}

/** Orchestrator -> thread. */
export type ThreadRequest =
  /** Simulate (or continue, from its stored events) this run. */
  | { kind: 'run'; runId: string; storedEvents: TranscriptEvent[] }
  /** No more runs: finish those handed over, then end. */
  | { kind: 'end' };

/** Thread -> orchestrator. */
export type ThreadMessage =
  | { kind: 'ready' }
  | { kind: 'turn'; runId: string; turn: number; events: TranscriptEvent[]; calls: CallRecord[] }
  /** After the run's last turn message. `skipped`: never started (a stop came first). */
  | { kind: 'run-done'; runId: string; status: 'completed' | 'stopped' | 'skipped' }
  | { kind: 'failed'; runId?: string | undefined; error: unknown };

export interface ThreadStudy {
  specFor(runId: string): RunSpec;
  close(): Promise<void>;
}

/** Runs simulated at once in one thread; CPU-bound, so more would only interleave them. */
const RUNS_IN_FLIGHT_PER_THREAD = 1;

export async function serveSimulationThread(prepare: (setup: unknown) => Promise<ThreadStudy>): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('serveSimulationThread runs only inside a worker thread');
  const data = workerData as SimulationThreadData;
  const post = (message: ThreadMessage): void => port.postMessage(message);
  const stopped = (): boolean => Atomics.load(data.stopFlag, STOP_FLAG_INDEX) !== 0;

  let study: ThreadStudy;
  try {
    study = await prepare(data.setup);
  } catch (error) {
    post({ kind: 'failed', error });
    port.close();
    return;
  }
  const queue: { runId: string; storedEvents: TranscriptEvent[] }[] = [];
  let running = 0;
  let ending = false;
  const finishIfDone = async (): Promise<void> => {
    if (!ending || running > 0 || queue.length > 0) return;
    await study.close();
    port.close();
  };
  const pump = (): void => {
    while (running < RUNS_IN_FLIGHT_PER_THREAD && queue.length > 0) {
      const { runId, storedEvents } = queue.shift()!;
      if (stopped()) {
        post({ kind: 'run-done', runId, status: 'skipped' });
        continue;
      }
      running += 1;
      simulate(runId, storedEvents)
        .catch((error: unknown) => post({ kind: 'failed', runId, error }))
        .finally(() => {
          running -= 1;
          pump();
        });
    }
    void finishIfDone();
  };
  const simulate = async (runId: string, storedEvents: TranscriptEvent[]): Promise<void> => {
    const outcome = await simulateRun(
      study.specFor(runId),
      {
        commitTurn: (batch) =>
          post({ kind: 'turn', runId, turn: batch.turn, events: batch.events, calls: batch.calls }),
      },
      storedEvents,
      { shouldStop: stopped },
    );
    post({ kind: 'run-done', runId, status: outcome.status });
  };
  port.on('message', (request: ThreadRequest) => {
    if (request.kind === 'end') ending = true;
    else queue.push({ runId: request.runId, storedEvents: request.storedEvents });
    pump();
  });
  post({ kind: 'ready' });
}
