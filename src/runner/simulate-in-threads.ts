import type { RunPlan } from '../contracts/index.js';
import { TurnCommitBuffer } from '../store/index.js';
import { beginSimulation, type SimulateStudyOptions, type SimulationSummary, simulatePendingRun } from './simulate.js';
import {
  STOP_FLAG_INDEX,
  type SimulationThreadData,
  type ThreadMessage,
  type ThreadRequest,
} from './simulation-thread.js';
import { spawnWorkerThread } from './worker-thread-spawn.js';

/**
 * The scheduler of `simulate.ts` with runs simulated in worker threads too: a surrogate run is pure CPU
 * (prompt rendering, the surrogate's lexicon scoring, request hashing) and the orchestrator's one
 * thread left the machine's other cores idle. Each thread builds the study's models itself (the
 * entry module, given by the composition root) and simulates whole runs with the same engine; every
 * completed turn comes back as a message and is committed here, on the thread that owns the store,
 * through the same TurnCommitBuffer as a local run: whole turns with their run's progress, so a
 * killed process still leaves whole turns only and a resume continues from them, exactly once.
 *
 * Only for models whose answers depend on nothing but the run (the surrogate: seeded per run and
 * agent); the results are then byte for byte those of the in-process scheduler (test/simulation-threads.test.ts).
 * Scripted mocks count calls across runs, and remote models spend their time waiting, not computing:
 * both stay in process.
 */

export interface SimulationThreadsOptions {
  /** Worker threads to start beside the orchestrator's own (which simulates too); at most one per pending run but one. */
  threads: number;
  /** The module each thread runs: it calls `serveSimulationThread` with a way to build the study's runs. */
  entry: URL;
  /** Handed to the entry's `prepare` in every thread (structured-cloned: plain data, Maps). */
  setup: unknown;
}

/**
 * Runs handed to a thread ahead of what it has finished. More than one, so a thread never waits for
 * the orchestrator (busy committing) to give it its next run; few, so a stop leaves little unstarted
 * work assigned and the runs still go in schedule order (cells interleaved).
 */
const RUNS_AHEAD_PER_THREAD = 4;
/** How often a stop request (Ctrl-C) is looked for while the threads work. */
const STOP_POLL_MS = 20;

export async function simulateStudyInThreads(
  options: SimulateStudyOptions,
  threadOptions: SimulationThreadsOptions,
): Promise<SimulationSummary> {
  const { study, store } = options;
  const { pending, summary } = beginSimulation(options);
  if (pending.length === 0) {
    options.progress?.stop();
    return summary;
  }
  const commits = new TurnCommitBuffer(store);
  // One flag for every thread, read between turns (a message would wait behind a thread's busy loop).
  const stopFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
    Atomics.store(stopFlag, STOP_FLAG_INDEX, 1);
  };
  const stopRequested = (): boolean => {
    if (failure === undefined && options.shouldStop?.() === true) Atomics.store(stopFlag, STOP_FLAG_INDEX, 1);
    return Atomics.load(stopFlag, STOP_FLAG_INDEX) !== 0;
  };
  let next = 0;

  const runThread = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const data: SimulationThreadData = { setup: threadOptions.setup, stopFlag };
      const worker = spawnWorkerThread(threadOptions.entry, data);
      const assigned = new Set<string>();
      let ended = false;
      const send = (request: ThreadRequest): void => worker.postMessage(request);
      const refill = (): void => {
        while (assigned.size < RUNS_AHEAD_PER_THREAD && next < pending.length && !stopRequested()) {
          const run: RunPlan = pending[next++]!;
          assigned.add(run.id);
          // A partly simulated run continues from its stored turns, as in process.
          send({ kind: 'run', runId: run.id, storedEvents: store.loadEvents(run.id) });
        }
        if (assigned.size === 0 && !ended) {
          ended = true;
          send({ kind: 'end' });
        }
      };
      worker.on('message', (message: ThreadMessage) => {
        try {
          switch (message.kind) {
            case 'ready':
              refill();
              return;
            case 'turn':
              commits.add({
                runId: message.runId,
                turn: message.turn,
                events: message.events,
                calls: message.calls,
                status: message.events.some((event) => event.type === 'run-end') ? 'completed' : 'running',
              });
              summary.turnsThisSession += 1;
              summary.callsThisSession += message.calls.length;
              options.progress?.advance(study.agents);
              return;
            case 'run-done':
              assigned.delete(message.runId);
              if (message.status === 'completed') {
                summary.runsThisSession += 1;
                summary.completedRuns += 1;
              } else if (message.status === 'stopped') {
                // Its turns came before this message: commit them, then record where it stopped.
                commits.flush();
                store.setRunStatus(message.runId, 'stopped');
                summary.stopped = true;
              }
              refill();
              return;
            case 'failed':
              fail(message.error);
              if (message.runId !== undefined) assigned.delete(message.runId);
              refill();
              return;
          }
        } catch (error) {
          // A failing commit is the study's failure: the threads stop at their next turn boundary.
          fail(error);
        }
      });
      worker.on('error', (error) => fail(error));
      worker.on('exit', (code) => {
        if (!ended && failure === undefined)
          fail(new Error(`a simulation thread exited (code ${code}) before its runs were done`));
        resolve();
      });
    });

  // The orchestrator's thread simulates too, between commits, with the models it was given: it is
  // busy from the first moment (the other threads take a fraction of a second to load), and one
  // thread fewer is one start-up fewer (modules, lexicons, a cold JIT: about a second of CPU each).
  const simulateHere = async (): Promise<void> => {
    while (next < pending.length) {
      // Between runs the thread's messages (turns to commit, runs to hand out) are handled.
      await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
      if (next >= pending.length || stopRequested()) return;
      const run = pending[next++]!;
      if ((await simulatePendingRun(run, { options, commits, summary, stopRequested })) === 'stopped') return;
    }
  };

  const threads = Math.max(0, Math.min(threadOptions.threads, pending.length - 1));
  const poll = setInterval(stopRequested, STOP_POLL_MS);
  try {
    await store.withBackgroundCheckpoints(async () => {
      await Promise.all([simulateHere().catch(fail), ...Array.from({ length: threads }, () => runThread())]);
      // The turns completed before a failure are kept too; a failing commit is the failure.
      try {
        commits.flush();
      } catch (error) {
        failure ??= { error };
      }
    });
  } finally {
    clearInterval(poll);
    options.progress?.stop();
  }
  if (failure !== undefined) throw failure.error;
  if (next < pending.length) summary.stopped = true;
  return summary;
}
