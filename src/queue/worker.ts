import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { BackfireError, UserInputError } from '../contracts/index.js';
import { type RunSpec, simulateRun, type TurnBatch } from '../engine/index.js';
import type { QueueConnection } from './connection.js';
import { openClient } from './redis-client.js';
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from './settings.js';
import {
  type InboxMessage,
  JobDataSchema,
  keys,
  parseJson,
  QUEUE_NAME,
  type Reply,
  ReplySchema,
  type StudyPayload,
  StudyPayloadSchema,
  ThroughputWindow,
  type WorkerHeartbeat,
} from './protocol.js';

/**
 * `backfire worker`: takes run jobs from the queue, simulates them with its own models, and sends
 * each completed turn to the study's coordinator; a turn must be committed before the turn after
 * the next starts (so a worker is never more than one turn ahead of the store). A job starts, and after
 * any trouble resumes, by claiming the run from the coordinator, which answers with the committed
 * events to continue from. BullMQ does the rest: a job whose worker stops renewing its lock (kill
 * -9, a host gone) is moved back to the queue by another worker's stall check and claimed again.
 */

/** A study made ready on this worker: the engine's spec of each of its runs, with this worker's models. */
export interface PreparedStudy {
  specFor(runId: string): RunSpec;
  close(): Promise<void>;
}

export interface QueueWorkerOptions {
  connection: QueueConnection;
  settings?: Partial<WorkerSettings> | undefined;
  /** Builds this worker's side of a study (resolves it, checks packs and version, builds models); throws a user error if it cannot. */
  prepareStudy(payload: StudyPayload): Promise<PreparedStudy>;
  log(line: string): void;
}

const HEARTBEAT_INTERVAL_MS = 2_000;
/** How long a job given back waits before it is taken again (the coordinator may be starting). */
const GIVE_BACK_DELAY_MS = 2_000;

/** A turn the coordinator did not commit; the run continues only after a new claim. */
class TurnNotCommitted extends Error {
  readonly reason: 'superseded' | 'unknown-claim' | 'out-of-order' | 'no-answer';
  constructor(reason: TurnNotCommitted['reason']) {
    super(`turn not committed: ${reason}`);
    this.reason = reason;
  }
}

export class QueueWorker {
  readonly workerId: string;
  readonly #options: QueueWorkerOptions;
  readonly #settings: WorkerSettings;
  readonly #redis: Redis;
  readonly #replyReader: Redis;
  readonly #pending = new Map<string, (reply: Reply | undefined) => void>();
  readonly #studies = new Map<string, Promise<PreparedStudy>>();
  readonly #throughput = new ThroughputWindow();
  readonly #startedAt = new Date().toISOString();
  #bullWorker: Worker | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #activeRuns = 0;
  #turnsTotal = 0;
  #problem: string | null = null;
  #replyLoop: Promise<void> | undefined;

  private constructor(options: QueueWorkerOptions) {
    this.#options = options;
    this.#settings = { ...DEFAULT_WORKER_SETTINGS, ...options.settings };
    this.workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#redis = openClient(options.connection, `worker-${this.workerId}`);
    this.#replyReader = openClient(options.connection, `worker-${this.workerId}-replies`);
  }

  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const worker = new QueueWorker(options);
    await worker.#heartbeat();
    worker.#heartbeatTimer = setInterval(() => {
      worker.#heartbeat().catch(() => undefined);
    }, HEARTBEAT_INTERVAL_MS);
    worker.#replyLoop = worker.#readReplies();
    const settings = worker.#settings;
    worker.#bullWorker = new Worker(QUEUE_NAME, (job, token) => worker.#process(job, token), {
      connection: options.connection.options,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      // Taking over a stalled job is routine here (the claim protocol makes it safe), not a fault.
      maxStalledCount: 1_000,
      name: worker.workerId,
    });
    worker.#bullWorker.on('error', () => {
      // Connection trouble (ioredis reconnects), or a lock lost to a takeover: nothing to do here.
    });
    worker.#bullWorker.on('failed', (job, error) => {
      if (job !== undefined) options.log(`run ${String(job.data?.runId)} failed: ${error.message}`);
    });
    return worker;
  }

  /** Stops taking jobs; runs in progress stop at their next turn boundary and go back to the queue. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    // Runs waiting for an answer give their jobs back now rather than after the reply timeout.
    for (const resolve of this.#pending.values()) resolve(undefined);
    await this.#bullWorker?.close();
    await Promise.all(
      [...this.#studies.values()].map((study) => study.then((ready) => ready.close()).catch(() => undefined)),
    );
    await this.#redis.del(keys.worker(this.workerId)).catch(() => undefined);
    this.#replyReader.disconnect();
    await this.#replyLoop?.catch(() => undefined);
    this.#redis.disconnect();
  }

  async #process(job: Job, token: string | undefined): Promise<string> {
    const data = JobDataSchema.parse(job.data);
    const giveBack = async (delayMs = GIVE_BACK_DELAY_MS): Promise<never> => {
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    };
    if (await this.#studyDone(data.studyHash)) return 'complete';
    const study = await this.#prepare(data.studyHash);
    if (study === undefined) return giveBack();
    this.#activeRuns += 1;
    try {
      let waitingSince = Date.now();
      while (true) {
        if (this.#closing) return giveBack(0);
        const reply = await this.#request(data.studyHash, {
          kind: 'claim',
          requestId: randomUUID(),
          workerId: this.workerId,
          runId: data.runId,
          jobId: String(job.id),
          lockToken: token ?? '',
        });
        if (reply === undefined) {
          if (await this.#studyDone(data.studyHash)) return 'complete';
          if (Date.now() - waitingSince > this.#settings.coordinatorWaitMs) return giveBack();
          continue;
        }
        if (reply.status === 'complete') return 'complete';
        // The job went to another worker meanwhile; finishing it is that worker's business.
        if (reply.status === 'not-holder') return 'not-holder';
        if (reply.status !== 'granted') return giveBack();
        const claimId = reply.claimId;
        // A turn's commit is awaited while the next turn is in progress (its round trip hidden behind
        // that turn's calls) and before the one after starts: at most one turn awaits its commit.
        let committing: Promise<void> | undefined;
        const sink = {
          commitTurn: async (batch: TurnBatch): Promise<void> => {
            const previous = committing;
            committing = this.#sendTurn(data.studyHash, data.runId, claimId, batch);
            // Marked as handled now; awaiting it later still throws its error.
            committing.catch(() => undefined);
            await previous;
          },
        };
        try {
          const outcome = await simulateRun(study.specFor(data.runId), sink, reply.events, {
            shouldStop: () => this.#closing,
          });
          await committing;
          if (outcome.status === 'stopped') return giveBack(0);
          return 'complete';
        } catch (error) {
          if (!(error instanceof TurnNotCommitted)) throw error;
          // Another worker holds the run now (this one was presumed dead): its job is that worker's.
          if (error.reason === 'superseded') return 'superseded';
          // A new coordinator, or an answer lost: claim again and continue from what it committed.
          waitingSince = Date.now();
        }
      }
    } finally {
      this.#activeRuns -= 1;
    }
  }

  async #sendTurn(studyHash: string, runId: string, claimId: string, batch: TurnBatch): Promise<void> {
    const reply = await this.#request(studyHash, {
      kind: 'turn',
      requestId: randomUUID(),
      workerId: this.workerId,
      runId,
      claimId,
      turn: batch.turn,
      events: batch.events,
      calls: batch.calls,
    });
    if (reply === undefined) throw new TurnNotCommitted('no-answer');
    if (reply.status === 'rejected') throw new TurnNotCommitted(reply.reason);
    if (reply.status !== 'committed') throw new TurnNotCommitted('unknown-claim');
    this.#turnsTotal += 1;
    this.#throughput.record();
  }

  /** Sends one message to the study's coordinator and waits for its answer (undefined: none in time). */
  async #request(studyHash: string, message: InboxMessage): Promise<Reply | undefined> {
    if (this.#closing) return undefined;
    const answered = new Promise<Reply | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(message.requestId);
        resolve(undefined);
      }, this.#settings.replyTimeoutMs);
      this.#pending.set(message.requestId, (reply) => {
        clearTimeout(timer);
        this.#pending.delete(message.requestId);
        resolve(reply);
      });
    });
    await this.#redis.xadd(keys.inbox(studyHash), 'MAXLEN', '~', '100000', '*', 'message', JSON.stringify(message));
    return answered;
  }

  async #readReplies(): Promise<void> {
    const key = keys.replies(this.workerId);
    while (!this.#closing) {
      let popped: [string, string] | null;
      try {
        popped = await this.#replyReader.blpop(key, 1);
      } catch {
        if (this.#closing) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (popped === null) continue;
      const reply = parseJson(ReplySchema, popped[1]);
      if (reply !== undefined) this.#pending.get(reply.requestId)?.(reply);
    }
  }

  async #studyDone(studyHash: string): Promise<boolean> {
    return (await this.#redis.exists(keys.done(studyHash))) === 1;
  }

  /** This worker's side of a study, built once; undefined while the coordinator has not published it. */
  async #prepare(studyHash: string): Promise<PreparedStudy | undefined> {
    let prepared = this.#studies.get(studyHash);
    if (prepared === undefined) {
      const text = await this.#redis.get(keys.study(studyHash));
      if (text === null) return undefined;
      const payload = parseJson(StudyPayloadSchema, text);
      if (payload === undefined) throw new Error(`the study ${studyHash.slice(0, 8)} in the queue is not readable`);
      prepared = this.#options.prepareStudy(payload);
      this.#studies.set(studyHash, prepared);
      prepared.catch((error: unknown) => {
        // Forget it so that a fixed setup (or another version) can try again, and say why once.
        this.#studies.delete(studyHash);
        const message =
          error instanceof UserInputError
            ? error.format().replace(/\n\s*/g, '; ')
            : error instanceof BackfireError
              ? error.message
              : String(error);
        const problem = `study ${payload.study.name}: ${message}`;
        if (problem !== this.#problem) this.#options.log(`cannot take runs of ${problem}`);
        this.#problem = problem;
      });
    }
    try {
      const ready = await prepared;
      this.#problem = null;
      return ready;
    } catch {
      return undefined;
    }
  }

  async #heartbeat(): Promise<void> {
    const heartbeat: WorkerHeartbeat = {
      workerId: this.workerId,
      host: hostname(),
      pid: process.pid,
      concurrency: this.#settings.concurrency,
      activeRuns: this.#activeRuns,
      turnsTotal: this.#turnsTotal,
      turnsPerSecond: this.#throughput.perSecond(),
      startedAt: this.#startedAt,
      problem: this.#problem,
    };
    await this.#redis.set(keys.worker(this.workerId), JSON.stringify(heartbeat), 'PX', HEARTBEAT_INTERVAL_MS * 3);
  }
}
