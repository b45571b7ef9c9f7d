/**
 * The queue's tunable settings and their defaults. Kept apart from the coordinator and the worker so
 * that the CLI can print the defaults in its help without loading BullMQ and ioredis, which are
 * optional peer dependencies (src/models/optional-peers.ts) loaded only when a queue is used.
 */

export interface WorkerSettings {
  /** Runs simulated at once by this process. */
  concurrency: number;
  /** BullMQ's job lock: a worker silent this long loses its jobs to others. */
  lockDurationMs: number;
  /** How often this worker looks for stalled jobs (of any worker) to move back to the queue. */
  stalledIntervalMs: number;
  /** How long to wait for the coordinator's answer to one claim or turn before asking again. */
  replyTimeoutMs: number;
  /** How long a job waits for an absent coordinator before it is given back to the queue. */
  coordinatorWaitMs: number;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  concurrency: 16,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  replyTimeoutMs: 10_000,
  coordinatorWaitMs: 30_000,
};

export interface CoordinatorSettings {
  /** How long the coordinator lock outlives a coordinator that stops renewing it (kill -9). */
  lockTtlMs: number;
  /** How often Redis is checked for lost state (a restarted Redis without persistence) and failed jobs. */
  reconcileIntervalMs: number;
  /** How often progress is published for `backfire queue status` (and `onStatus` called). */
  statusIntervalMs: number;
  /** How long every live worker may refuse the study, with nothing committed, before the study stops. */
  refusalGraceMs: number;
}

export const DEFAULT_COORDINATOR_SETTINGS: CoordinatorSettings = {
  lockTtlMs: 15_000,
  reconcileIntervalMs: 5_000,
  statusIntervalMs: 2_000,
  refusalGraceMs: 30_000,
};
