import type { LanguagePack, RunPlan, Study } from '../contracts/index.js';
import { type RunSpec, simulateRun } from '../engine/index.js';
import type { ChatModel } from '../models/index.js';
import { type RunStore, TurnCommitBuffer } from '../store/index.js';
import { planStudy } from './plan.js';

/**
 * The scheduler: many runs proceed concurrently, turns within a run in order. `concurrency` runs are
 * in flight at once; each worker takes the next unfinished run in schedule order (cells interleaved),
 * resumes it from its stored turns, and commits every turn as it completes.
 */

/** Runs in flight when the caller does not say (built-in models are CPU-bound: more would not help). */
export const DEFAULT_RUNS_IN_FLIGHT = 16;

export interface ProgressReporter {
  start(total: number, done: number): void;
  advance(by: number): void;
  stop(): void;
}

export interface SimulateStudyOptions {
  study: Study;
  packs: ReadonlyMap<string, LanguagePack>;
  store: RunStore;
  models: ReadonlyMap<string, ChatModel>;
  concurrency?: number;
  progress?: ProgressReporter;
  /** Polled between turns: true stops cleanly (each run keeps its completed turns). */
  shouldStop?: () => boolean;
}

export interface SimulationSummary {
  runs: number;
  completedRuns: number;
  resumedRuns: number;
  runsThisSession: number;
  turnsThisSession: number;
  callsThisSession: number;
  stopped: boolean;
}

/** What the engine needs to simulate one planned run (the same for a local run and a queue worker's). */
export function runSpecFor(study: Study, run: RunPlan, pack: LanguagePack, model: ChatModel): RunSpec {
  return {
    runId: run.id,
    cellId: run.cell.id,
    pack,
    modelRef: run.cell.model,
    model,
    agents: study.agents,
    turns: study.turns,
    dose: run.cell.dose,
    doseIntervention: study.design.dose.intervention,
    background: study.design.background,
    placement: study.design.placement,
    seed: run.seed,
    replicate: run.replicate,
    sampling: study.sampling,
    memoryWindow: study.memory.window,
    turnPolicy: study.turnPolicy,
  };
}

/**
 * What every scheduler does first (this one and the worker threads' in simulate-in-threads.ts):
 * records the plan, finds the runs still to do, and starts the progress display.
 */
export function beginSimulation(options: SimulateStudyOptions): { pending: RunPlan[]; summary: SimulationSummary } {
  const { study, store } = options;
  const plan = planStudy(study);
  store.planRuns(plan.runs);
  const stored = new Map(store.listRuns().map((run) => [run.runId, run]));
  const pending = plan.runs.filter((run) => stored.get(run.id)?.status !== 'completed');
  const agentTurnsPerRun = study.agents * study.turns;
  const alreadyDone = plan.runs.reduce(
    (total, run) => total + (stored.get(run.id)?.turnsCompleted ?? 0) * study.agents,
    0,
  );
  options.progress?.start(plan.runs.length * agentTurnsPerRun, alreadyDone);

  const summary: SimulationSummary = {
    runs: plan.runs.length,
    completedRuns: plan.runs.length - pending.length,
    resumedRuns: pending.filter((run) => (stored.get(run.id)?.turnsCompleted ?? 0) > 0).length,
    runsThisSession: 0,
    turnsThisSession: 0,
    callsThisSession: 0,
    stopped: false,
  };
  return { pending, summary };
}

export async function simulateStudy(options: SimulateStudyOptions): Promise<SimulationSummary> {
  const { store } = options;
  const { pending, summary } = beginSimulation(options);

  // Turns are committed in groups (see TurnCommitBuffer): whole turns still, far fewer commits.
  const commits = new TurnCommitBuffer(store);
  let next = 0;
  // The first failure stops the other workers at their next turn boundary, then is rethrown.
  let failure: { error: unknown } | undefined;
  const stopRequested = (): boolean => failure !== undefined || options.shouldStop?.() === true;
  const worker = async (): Promise<void> => {
    try {
      await work();
    } catch (error) {
      failure ??= { error };
    }
  };
  // Runs are set up one per event-loop turn, so I/O proceeds in between: at the start every worker
  // sets one up, and otherwise no request would leave (connections open asynchronously) until all
  // had, which delays the whole first wave by the set-up time of every run.
  let admission = Promise.resolve();
  const admit = (): Promise<void> => {
    admission = admission.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    return admission;
  };
  const work = async (): Promise<void> => {
    while (next < pending.length) {
      await admit();
      if (next >= pending.length) {
        return;
      }
      if (stopRequested()) {
        summary.stopped = true;
        return;
      }
      const run = pending[next++]!;
      if ((await simulatePendingRun(run, { options, commits, summary, stopRequested })) === 'stopped') return;
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_RUNS_IN_FLIGHT, pending.length));
  try {
    await store.withBackgroundCheckpoints(async () => {
      await Promise.all(Array.from({ length: workers }, () => worker()));
      // The turns completed before a failure are kept too; a failing commit is the failure.
      try {
        commits.flush();
      } catch (error) {
        failure ??= { error };
      }
    });
  } finally {
    options.progress?.stop();
  }
  if (failure !== undefined) throw failure.error;
  return summary;
}

/** What simulating one run in the committing thread needs from its study's simulation. */
export interface PendingRunContext {
  options: SimulateStudyOptions;
  commits: TurnCommitBuffer;
  summary: SimulationSummary;
  stopRequested: () => boolean;
}

/**
 * Simulates one run in this thread from its stored events on, handing each finished turn to the
 * commit buffer (whole turns, committed in one transaction with the run's progress) and counting it
 * in the summary. Shared by the in-process scheduler and the threaded simulation's main thread.
 */
export async function simulatePendingRun(run: RunPlan, context: PendingRunContext): Promise<'completed' | 'stopped'> {
  const { options, commits, summary, stopRequested } = context;
  const { study, store } = options;
  const pack = options.packs.get(run.cell.language);
  const model = options.models.get(run.cell.model);
  if (pack === undefined || model === undefined) {
    throw new Error(`run ${run.id}: no language pack or model prepared for ${run.cell.language} / ${run.cell.model}`);
  }
  const outcome = await simulateRun(
    runSpecFor(study, run, pack, model),
    {
      commitTurn(batch) {
        const ended = batch.events.some((event) => event.type === 'run-end');
        commits.add({
          runId: run.id,
          turn: batch.turn,
          events: batch.events,
          calls: batch.calls,
          status: ended ? 'completed' : 'running',
        });
      },
    },
    store.loadEvents(run.id),
    {
      onTurn: (_turn, calls) => {
        summary.turnsThisSession += 1;
        summary.callsThisSession += calls;
        options.progress?.advance(study.agents);
      },
      shouldStop: stopRequested,
    },
  );
  if (outcome.status === 'stopped') {
    commits.flush();
    store.setRunStatus(run.id, 'stopped');
    summary.stopped = true;
    return 'stopped';
  }
  summary.runsThisSession += 1;
  summary.completedRuns += 1;
  return 'completed';
}
