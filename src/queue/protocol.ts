import { z } from 'zod';
import { CallRecordSchema, StudySchema, TranscriptEventSchema } from '../contracts/index.js';

/**
 * What coordinator and workers say to each other through Redis, and where. BullMQ carries the jobs
 * (one per run); everything about turns goes through the study's inbox (a Redis stream the
 * coordinator alone reads, in order) and each worker's reply list. Every message is parsed through a
 * schema on arrival: a worker on another host is another program.
 */

/** The BullMQ queue every study's runs go through (a worker serves whichever study has work). */
export const QUEUE_NAME = 'backfire-runs';
const ROOT = 'backfire';

export const keys = {
  /** The study a worker needs to simulate its runs (`StudyPayload`). */
  study: (studyHash: string) => `${ROOT}:study:${studyHash}`,
  /** Claims and turns from workers; read by the coordinator only. */
  inbox: (studyHash: string) => `${ROOT}:study:${studyHash}:inbox`,
  /** Held by the one live coordinator of a study (`CoordinatorLock`). */
  coordinator: (studyHash: string) => `${ROOT}:study:${studyHash}:coordinator`,
  /** Set when every run of the study is committed: a worker holding a leftover job just completes it. */
  done: (studyHash: string) => `${ROOT}:study:${studyHash}:done`,
  /** The coordinator's latest progress (`StudyStatus`), for `backfire queue status`. */
  status: (studyHash: string) => `${ROOT}:study:${studyHash}:status`,
  statusPattern: `${ROOT}:study:*:status`,
  /** A worker's heartbeat (`WorkerHeartbeat`); expires when the worker is gone. */
  worker: (workerId: string) => `${ROOT}:worker:${workerId}`,
  workerPattern: `${ROOT}:worker:*`,
  /** Answers to one worker's claims and turns. */
  replies: (workerId: string) => `${ROOT}:replies:${workerId}`,
};

/** A job: which study, which run. The job id is derived from both, so queuing a run twice is a no-op. */
export const JobDataSchema = z.object({ studyHash: z.string(), runId: z.string() }).strict();
export type JobData = z.infer<typeof JobDataSchema>;

/** BullMQ's lock of an active job holds the token of the worker processing it (BullMQ's key layout). */
export function jobLockKey(jobId: string): string {
  return `bull:${QUEUE_NAME}:${jobId}:lock`;
}

export function jobIdFor(studyHash: string, runId: string): string {
  // BullMQ refuses ':' in custom ids; run ids never contain '~'.
  return `${studyHash.slice(0, 16)}~${runId}`;
}

export const StudyPayloadSchema = z
  .object({
    studyHash: z.string(),
    /** The resolved study, exactly as the coordinator's manifest holds it. */
    study: StudySchema,
    /** Canonical hash of each language pack the coordinator loaded: a worker with other packs refuses. */
    packHashes: z.record(z.string(), z.string()),
    /** backfire's version on the coordinator: a worker with another version refuses. */
    version: z.string(),
  })
  .strict();
export type StudyPayload = z.infer<typeof StudyPayloadSchema>;

const ClaimSchema = z
  .object({
    kind: z.literal('claim'),
    requestId: z.string(),
    workerId: z.string(),
    runId: z.string(),
    /** The run's job and the lock token BullMQ gave this worker for it: only the job's holder may claim. */
    jobId: z.string(),
    lockToken: z.string(),
  })
  .strict();

const TurnSchema = z
  .object({
    kind: z.literal('turn'),
    requestId: z.string(),
    workerId: z.string(),
    runId: z.string(),
    claimId: z.string(),
    turn: z.number().int().min(1),
    events: z.array(TranscriptEventSchema),
    calls: z.array(CallRecordSchema),
  })
  .strict();

export const InboxMessageSchema = z.discriminatedUnion('kind', [ClaimSchema, TurnSchema]);
export type InboxMessage = z.infer<typeof InboxMessageSchema>;
export type TurnMessage = z.infer<typeof TurnSchema>;

export const ReplySchema = z.discriminatedUnion('status', [
  /** The run is this claim's: continue after these committed events (empty: start it). */
  z
    .object({
      status: z.literal('granted'),
      requestId: z.string(),
      claimId: z.string(),
      events: z.array(TranscriptEventSchema),
    })
    .strict(),
  /** Nothing to do: the run is complete in the store. */
  z.object({ status: z.literal('complete'), requestId: z.string() }).strict(),
  /** The claimant does not hold the run's job (its lock went to another worker): leave the run. */
  z.object({ status: z.literal('not-holder'), requestId: z.string() }).strict(),
  /** The coordinator is stopping (Ctrl-C, budget): give the job back. */
  z.object({ status: z.literal('stop'), requestId: z.string() }).strict(),
  z.object({ status: z.literal('committed'), requestId: z.string() }).strict(),
  /** The turn was not committed: another claim owns the run, or this claim is unknown to this coordinator. */
  z
    .object({
      status: z.literal('rejected'),
      requestId: z.string(),
      reason: z.enum(['superseded', 'unknown-claim', 'out-of-order']),
    })
    .strict(),
]);
export type Reply = z.infer<typeof ReplySchema>;

export const CoordinatorLockSchema = z
  .object({ token: z.string(), host: z.string(), pid: z.number().int(), directory: z.string() })
  .strict();
export type CoordinatorLock = z.infer<typeof CoordinatorLockSchema>;

export const WorkerHeartbeatSchema = z
  .object({
    workerId: z.string(),
    host: z.string(),
    pid: z.number().int(),
    concurrency: z.number().int(),
    activeRuns: z.number().int(),
    turnsTotal: z.number().int(),
    /** Committed turns per second over the last `THROUGHPUT_WINDOW_MS`. */
    turnsPerSecond: z.number(),
    startedAt: z.string(),
    /** Why this worker cannot take a study's runs (its packs or version differ, a model cannot be built). */
    problem: z.string().nullable(),
  })
  .strict();
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

export const StudyStatusSchema = z
  .object({
    studyHash: z.string(),
    name: z.string(),
    directory: z.string(),
    coordinator: z.object({ host: z.string(), pid: z.number().int() }).strict(),
    runs: z.number().int(),
    completedRuns: z.number().int(),
    turnsCommitted: z.number().int(),
    turnsPerSecond: z.number(),
    inFlight: z.array(z.object({ runId: z.string(), workerId: z.string(), turn: z.number().int() }).strict()),
    updatedAt: z.string(),
  })
  .strict();
export type StudyStatus = z.infer<typeof StudyStatusSchema>;

export const THROUGHPUT_WINDOW_MS = 10_000;

/** Turns per second over a sliding window of completion times (milliseconds). */
export class ThroughputWindow {
  readonly #times: number[] = [];
  readonly #windowMs: number;

  constructor(windowMs = THROUGHPUT_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  record(now = Date.now()): void {
    this.#times.push(now);
  }

  perSecond(now = Date.now()): number {
    while (this.#times.length > 0 && this.#times[0]! < now - this.#windowMs) this.#times.shift();
    return this.#times.length / (this.#windowMs / 1000);
  }
}

export function parseJson<T>(schema: z.ZodType<T>, text: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
