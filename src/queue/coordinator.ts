import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BackfireError,
  BudgetExceededError,
  type CallRecord,
  type RunPlan,
  type TranscriptEvent,
} from '../contracts/index.js';
import type { RunStore } from '../store/index.js';
import type { QueueConnection } from './connection.js';
import { openClient } from './redis-client.js';
import { type CoordinatorSettings, DEFAULT_COORDINATOR_SETTINGS } from './settings.js';
import {
  CoordinatorLockSchema,
  type InboxMessage,
  InboxMessageSchema,
  type JobData,
  jobIdFor,
  jobLockKey,
  keys,
  parseJson,
  QUEUE_NAME,
  type Reply,
  type StudyPayload,
  type StudyStatus,
  ThroughputWindow,
  type TurnMessage,
  type WorkerHeartbeat,
  WorkerHeartbeatSchema,
} from './protocol.js';

/**
 * The coordinator of a distributed study: the one process that owns the run folder and its store.
 * It queues one BullMQ job per unfinished run and commits each turn a worker streams back, exactly
 * once, in order. Ownership of a run is a *claim*: a worker taking up a job asks for one, and gets
 * the run's committed events with it; a later claim on the same run supersedes the earlier, whose
 * turns are refused from then on. Because the coordinator reads its inbox in order, a claim is
 * answered only after every turn sent before it was committed or refused: a worker taking over a
 * stalled job continues from the last committed turn, and no committed turn is called again.
 */

export class CoordinatorBusyError extends BackfireError {
  constructor(message: string) {
    super('queue-coordinator-busy', message, 2);
  }
}

export interface CoordinatorProgress {
  start(total: number, done: number): void;
  advance(by: number): void;
  stop(): void;
}

export interface DistributedSimulationOptions {
  store: RunStore;
  runs: readonly RunPlan[];
  agents: number;
  turns: number;
  progress?: CoordinatorProgress | undefined;
  shouldStop?: (() => boolean) | undefined;
  /** Spend still allowed (USD); the coordinator stops once the committed calls cost this much. */
  remainingBudgetUsd?: number | undefined;
  onStatus?: ((status: StudyStatus, workers: readonly WorkerHeartbeat[]) => void) | undefined;
  /** Something the user should know (a failed job and why). */
  onWarning?: ((message: string) => void) | undefined;
}

/** The same shape as the local scheduler's summary. */
export interface DistributedSimulationSummary {
  runs: number;
  completedRuns: number;
  resumedRuns: number;
  runsThisSession: number;
  turnsThisSession: number;
  callsThisSession: number;
  stopped: boolean;
}

interface RunState {
  plan: RunPlan;
  turnsCompleted: number;
  completed: boolean;
  owner: { claimId: string; workerId: string } | undefined;
  /** Times a failed job of this run was queued again in this session. */
  requeued: number;
}

const REPLY_TTL_MS = 60_000;
const READ_BLOCK_MS = 200;
/** Reconcile passes between two sweeps for unfinished runs without a live job. */
const ORPHAN_SWEEP_EVERY = 6;
/** Failed jobs of one run queued again before the study stops with the job's error. */
const MAX_REQUEUES = 3;

// Renew our lock if we hold it; take it again if it is gone (Redis lost its data); 0 if another holds it.
const RENEW_LOCK = `
local current = redis.call('get', KEYS[1])
if current == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if not current then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const REPLACE_LOCK = `
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;
const RELEASE_LOCK = `
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0`;

export class Coordinator {
  readonly #connection: QueueConnection;
  readonly #payload: StudyPayload;
  readonly #directory: string;
  readonly #settings: CoordinatorSettings;
  readonly #redis: Redis;
  readonly #reader: Redis;
  readonly #queue: Queue;
  readonly #lockValue: string;
  #lockTimer: NodeJS.Timeout | undefined;
  #lockLost = false;
  #reconcilePasses = 0;

  private constructor(
    connection: QueueConnection,
    payload: StudyPayload,
    directory: string,
    settings: CoordinatorSettings,
  ) {
    this.#connection = connection;
    this.#payload = payload;
    this.#directory = directory;
    this.#settings = settings;
    this.#redis = openClient(connection, 'coordinator');
    this.#reader = openClient(connection, 'coordinator-inbox');
    this.#queue = new Queue(QUEUE_NAME, { connection: connection.options });
    this.#queue.on('error', () => {
      // Connection trouble: ioredis reconnects; the reconcile pass repairs what Redis lost.
    });
    this.#lockValue = JSON.stringify(
      CoordinatorLockSchema.parse({ token: randomUUID(), host: hostname(), pid: process.pid, directory }),
    );
  }

  /**
   * Becomes the study's coordinator, or refuses: another live coordinator holds the lock. A lock left
   * by a coordinator that died on this host is taken over at once; one from another host expires
   * after `lockTtlMs`.
   */
  static async start(options: {
    connection: QueueConnection;
    payload: StudyPayload;
    directory: string;
    settings?: Partial<CoordinatorSettings> | undefined;
  }): Promise<Coordinator> {
    const settings = { ...DEFAULT_COORDINATOR_SETTINGS, ...options.settings };
    const coordinator = new Coordinator(options.connection, options.payload, options.directory, settings);
    try {
      await coordinator.#acquireLock();
    } catch (error) {
      await coordinator.close();
      throw error;
    }
    return coordinator;
  }

  async #acquireLock(): Promise<void> {
    const key = keys.coordinator(this.#payload.studyHash);
    const ttl = this.#settings.lockTtlMs;
    const acquired = await this.#redis.set(key, this.#lockValue, 'PX', ttl, 'NX');
    if (acquired !== 'OK') {
      const currentText = await this.#redis.get(key);
      const holder = currentText === null ? undefined : parseJson(CoordinatorLockSchema, currentText);
      const deadHere = holder !== undefined && holder.host === hostname() && !processAlive(holder.pid);
      const replaced =
        currentText === null
          ? await this.#redis.set(key, this.#lockValue, 'PX', ttl, 'NX')
          : deadHere
            ? await this.#redis.eval(REPLACE_LOCK, 1, key, currentText, this.#lockValue, String(ttl))
            : 0;
      if (replaced !== 'OK' && replaced !== 1) {
        const who =
          holder === undefined
            ? 'another process'
            : `pid ${holder.pid} on ${holder.host}, run folder ${holder.directory}`;
        throw new CoordinatorBusyError(
          `another coordinator (${who}) is running study ${this.#payload.study.name} (${this.#payload.studyHash.slice(0, 8)}) on ${this.#connection.display}: wait for it to finish, or stop it and run again`,
        );
      }
    }
    this.#lockTimer = setInterval(
      () => {
        this.#redis
          .eval(RENEW_LOCK, 1, key, this.#lockValue, String(ttl))
          .then((renewed) => {
            if (renewed === 0) this.#lockLost = true;
          })
          .catch(() => {
            // Redis unreachable for a moment: the next renewal retries.
          });
      },
      Math.max(100, Math.floor(ttl / 3)),
    );
    this.#lockTimer.unref();
  }

  /** Queues the unfinished runs and commits their turns as workers send them, until done or stopped. */
  async simulate(options: DistributedSimulationOptions): Promise<DistributedSimulationSummary> {
    const { store } = options;
    const studyHash = this.#payload.studyHash;
    store.planRuns(options.runs);
    const stored = new Map(store.listRuns().map((run) => [run.runId, run]));
    const runs = new Map<string, RunState>(
      options.runs.map((plan) => {
        const row = stored.get(plan.id);
        return [
          plan.id,
          {
            plan,
            turnsCompleted: row?.turnsCompleted ?? 0,
            completed: row?.status === 'completed',
            owner: undefined,
            requeued: 0,
          },
        ];
      }),
    );
    const pending = () => [...runs.values()].filter((run) => !run.completed);
    const summary: DistributedSimulationSummary = {
      runs: runs.size,
      completedRuns: runs.size - pending().length,
      resumedRuns: pending().filter((run) => run.turnsCompleted > 0).length,
      runsThisSession: 0,
      turnsThisSession: 0,
      callsThisSession: 0,
      stopped: false,
    };
    const alreadyDone = [...runs.values()].reduce((total, run) => total + run.turnsCompleted * options.agents, 0);
    options.progress?.start(runs.size * options.turns * options.agents, alreadyDone);

    // Messages sent before this session started belong to claims this coordinator never granted.
    let lastId = await this.#lastInboxId();
    await this.#redis.del(keys.done(studyHash));
    await this.#publishStudy();
    await this.#queueRuns(pending());

    const claimsOfThisSession = new Set<string>();
    const throughput = new ThroughputWindow();
    let spentUsd = 0;
    let lastCommitAt = Date.now();
    let turnsCommitted = alreadyDone / Math.max(1, options.agents);
    let nextReconcile = Date.now() + this.#settings.reconcileIntervalMs;
    let nextStatus = Date.now();

    const handleClaim = async (
      message: Extract<InboxMessage, { kind: 'claim' }>,
      stopping: boolean,
    ): Promise<Reply> => {
      const run = runs.get(message.runId);
      if (run === undefined || run.completed) return { status: 'complete', requestId: message.requestId };
      if (stopping) return { status: 'stop', requestId: message.requestId };
      // A worker that lost its job's lock (presumed dead, the job taken over) must not take the run back.
      if (
        message.jobId !== jobIdFor(studyHash, run.plan.id) ||
        (await this.#redis.get(jobLockKey(message.jobId))) !== message.lockToken
      ) {
        return { status: 'not-holder', requestId: message.requestId };
      }
      const claimId = randomUUID();
      claimsOfThisSession.add(claimId);
      run.owner = { claimId, workerId: message.workerId };
      return { status: 'granted', requestId: message.requestId, claimId, events: store.loadEvents(run.plan.id) };
    };

    const handleTurn = (message: TurnMessage): Reply => {
      const run = runs.get(message.runId);
      if (run === undefined || run.owner?.claimId !== message.claimId) {
        const reason = claimsOfThisSession.has(message.claimId) ? 'superseded' : 'unknown-claim';
        return { status: 'rejected', requestId: message.requestId, reason };
      }
      if (message.turn !== run.turnsCompleted + 1 || run.completed) {
        // Cannot happen with a well-behaved worker; refusing the claim keeps the store whole.
        run.owner = undefined;
        return { status: 'rejected', requestId: message.requestId, reason: 'out-of-order' };
      }
      // Once the budget is spent no further turn is committed, even one already in this batch.
      const budget = options.remainingBudgetUsd;
      if (budget !== undefined && spentUsd >= budget) return { status: 'stop', requestId: message.requestId };
      const events = message.events as TranscriptEvent[];
      const calls = message.calls as CallRecord[];
      const ended = events.some((event) => event.type === 'run-end');
      store.commitTurn({
        runId: run.plan.id,
        turn: message.turn,
        events,
        calls,
        status: ended ? 'completed' : 'running',
      });
      run.turnsCompleted = message.turn;
      summary.turnsThisSession += 1;
      summary.callsThisSession += calls.length;
      turnsCommitted += 1;
      throughput.record();
      lastCommitAt = Date.now();
      spentUsd += calls.reduce((total, call) => total + (call.costUsd ?? 0), 0);
      options.progress?.advance(options.agents);
      if (ended) {
        run.completed = true;
        run.owner = undefined;
        summary.completedRuns += 1;
        summary.runsThisSession += 1;
      }
      return { status: 'committed', requestId: message.requestId };
    };

    const publishStatus = async (): Promise<void> => {
      const status: StudyStatus = {
        studyHash,
        name: this.#payload.study.name,
        directory: this.#directory,
        coordinator: { host: hostname(), pid: process.pid },
        runs: runs.size,
        completedRuns: summary.completedRuns,
        turnsCommitted,
        turnsPerSecond: throughput.perSecond(),
        inFlight: [...runs.values()]
          .filter((run) => run.owner !== undefined && !run.completed)
          .map((run) => ({ runId: run.plan.id, workerId: run.owner!.workerId, turn: run.turnsCompleted + 1 })),
        updatedAt: new Date().toISOString(),
      };
      await this.#redis.set(keys.status(studyHash), JSON.stringify(status), 'PX', this.#settings.statusIntervalMs * 5);
      const workers = await readWorkers(this.#redis);
      options.onStatus?.(status, workers);
      // Workers that all refuse this study (other packs or version, a model they cannot build) would
      // leave it waiting for ever: after a grace period without a commit, say why and stop.
      const refusal = `study ${this.#payload.study.name}:`;
      if (
        workers.length > 0 &&
        workers.every((worker) => worker.problem?.startsWith(refusal) === true) &&
        Date.now() - lastCommitAt > this.#settings.refusalGraceMs
      ) {
        throw new BackfireError(
          'queue-workers-refuse',
          `every worker on ${this.#connection.display} refuses this study; one says: ${workers[0]!.problem}`,
          2,
        );
      }
    };

    try {
      while (summary.completedRuns < runs.size) {
        if (this.#lockLost) {
          throw new CoordinatorBusyError(
            `another coordinator took over study ${this.#payload.study.name} on ${this.#connection.display}: this one stops (every committed turn is kept)`,
          );
        }
        if (options.shouldStop?.() === true) {
          summary.stopped = true;
          break;
        }
        const budget = options.remainingBudgetUsd;
        if (budget !== undefined && spentUsd >= budget) {
          throw new BudgetExceededError(
            `spend reached the budget (${spentUsd.toFixed(4)} USD this session, ${budget.toFixed(4)} USD were left): every committed turn is kept; raise the budget and run again to resume`,
          );
        }
        const batch = await this.#reader.xread(
          'COUNT',
          500,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          keys.inbox(studyHash),
          lastId,
        );
        const replies: { workerId: string; reply: Reply }[] = [];
        for (const [id, fields] of batch?.[0]?.[1] ?? []) {
          lastId = id;
          const message = parseInbox(fields);
          if (message === undefined) continue;
          const reply =
            message.kind === 'claim'
              ? await handleClaim(message, options.shouldStop?.() === true)
              : handleTurn(message);
          replies.push({ workerId: message.workerId, reply });
        }
        if (replies.length > 0) await this.#sendReplies(replies);
        const now = Date.now();
        if (now >= nextStatus) {
          nextStatus = now + this.#settings.statusIntervalMs;
          await publishStatus();
        }
        if (now >= nextReconcile) {
          nextReconcile = now + this.#settings.reconcileIntervalMs;
          await this.#reconcile(runs, options.onWarning);
        }
      }
      if (summary.completedRuns === runs.size) {
        await this.#redis.set(keys.done(studyHash), '1', 'PX', 24 * 3600 * 1000);
        await this.#removeLeftoverJobs([...runs.keys()]);
      }
      await publishStatus();
      return summary;
    } finally {
      options.progress?.stop();
    }
  }

  async close(): Promise<void> {
    if (this.#lockTimer !== undefined) clearInterval(this.#lockTimer);
    const studyHash = this.#payload.studyHash;
    try {
      if (this.#redis.status === 'ready') {
        await this.#redis.eval(RELEASE_LOCK, 1, keys.coordinator(studyHash), this.#lockValue);
        await this.#redis.del(keys.status(studyHash));
      }
    } catch {
      // The lock expires by itself.
    }
    await this.#queue.close().catch(() => undefined);
    this.#reader.disconnect();
    this.#redis.disconnect();
  }

  async #lastInboxId(): Promise<string> {
    const last = await this.#redis.xrevrange(keys.inbox(this.#payload.studyHash), '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0';
  }

  async #publishStudy(): Promise<void> {
    await this.#redis.set(keys.study(this.#payload.studyHash), JSON.stringify(this.#payload));
  }

  async #sendReplies(replies: readonly { workerId: string; reply: Reply }[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    for (const { workerId, reply } of replies) {
      pipeline.rpush(keys.replies(workerId), JSON.stringify(reply));
      pipeline.pexpire(keys.replies(workerId), REPLY_TTL_MS);
    }
    await pipeline.exec();
  }

  /**
   * Adds a job for every run that has none; a finished or failed job of an unfinished run is
   * replaced. Returns the runs that were queued.
   */
  async #queueRuns(runs: readonly RunState[]): Promise<RunState[]> {
    const studyHash = this.#payload.studyHash;
    const missing: RunState[] = [];
    // In slices, so a study of thousands of runs costs a few round trips, not one per run.
    for (let start = 0; start < runs.length; start += 200) {
      const slice = runs.slice(start, start + 200);
      const states = await Promise.all(
        slice.map(async (run) => {
          const job = await this.#queue.getJob(jobIdFor(studyHash, run.plan.id));
          if (job === undefined) return 'missing';
          const state = await job.getState();
          if (state === 'completed' || state === 'failed' || state === 'unknown') {
            await job.remove().catch(() => undefined);
            return 'missing';
          }
          return state;
        }),
      );
      slice.forEach((run, index) => {
        if (states[index] === 'missing') missing.push(run);
      });
    }
    await this.#queue.addBulk(
      missing.map((run) => ({
        name: 'run',
        data: { studyHash, runId: run.plan.id } satisfies JobData,
        opts: {
          jobId: jobIdFor(studyHash, run.plan.id),
          attempts: 3,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: false,
        },
      })),
    );
    return missing;
  }

  /**
   * Repairs what Redis may have lost (restarted without persistence: the study, the jobs),
   * requeues runs whose job failed, saying why (a run that keeps failing stops the study), and
   * gives every unfinished run without a live job a new one.
   */
  async #reconcile(runs: ReadonlyMap<string, RunState>, onWarning: ((message: string) => void) | undefined) {
    const studyHash = this.#payload.studyHash;
    const pending = [...runs.values()].filter((run) => !run.completed);
    if ((await this.#redis.exists(keys.study(studyHash))) === 0) {
      onWarning?.(
        `Redis at ${this.#connection.display} lost the queue's state (restarted?): queuing the unfinished runs again`,
      );
      await this.#publishStudy();
      await this.#queueRuns(pending);
      return;
    }
    const failed = await this.#queue.getJobs(['failed']);
    const requeue: RunState[] = [];
    for (const job of failed) {
      const data = job.data as Partial<JobData>;
      if (data.studyHash !== studyHash || data.runId === undefined) continue;
      const run = runs.get(data.runId);
      if (run === undefined || run.completed) continue;
      run.requeued += 1;
      if (run.requeued > MAX_REQUEUES) {
        throw new BackfireError(
          'queue-job-failed',
          `run ${run.plan.id} failed on the workers ${MAX_REQUEUES + 1} times; last error: ${job.failedReason}`,
        );
      }
      onWarning?.(`run ${run.plan.id} failed on a worker (${job.failedReason}); queued again`);
      requeue.push(run);
    }
    if (requeue.length > 0) await this.#queueRuns(requeue);
    // Every unfinished run must have a live job: one whose job ended without finishing the run
    // (its worker was told another holds it, or a job was lost) is queued again. This looks at every
    // job of the study, so it runs on every sixth pass only.
    this.#reconcilePasses += 1;
    if (this.#reconcilePasses % ORPHAN_SWEEP_EVERY !== 0) return;
    const orphans = await this.#queueRuns(pending.filter((run) => !requeue.includes(run)));
    for (const run of orphans) onWarning?.(`run ${run.plan.id} had no job in the queue; queued again`);
  }

  async #removeLeftoverJobs(runIds: readonly string[]): Promise<void> {
    for (const runId of runIds) {
      await this.#queue.remove(jobIdFor(this.#payload.studyHash, runId)).catch(() => undefined);
    }
  }
}

function parseInbox(fields: readonly string[]): InboxMessage | undefined {
  const text = fields[fields.indexOf('message') + 1];
  if (text === undefined) return undefined;
  try {
    const raw: unknown = JSON.parse(text);
    // Validated, but the raw objects are what gets stored: their key order is the engine's, so the
    // stored events are byte for byte those of a local run.
    return InboxMessageSchema.safeParse(raw).success ? (raw as InboxMessage) : undefined;
  } catch {
    return undefined;
  }
}

/** Live workers (their heartbeat has not expired), by id. */
export async function readWorkers(redis: Redis): Promise<WorkerHeartbeat[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.workerPattern, 'COUNT', 500);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  if (found.length === 0) return [];
  const values = await redis.mget(...found);
  return values
    .map((value) => (value === null ? undefined : parseJson(WorkerHeartbeatSchema, value)))
    .filter((worker): worker is WorkerHeartbeat => worker !== undefined)
    .sort((a, b) => a.workerId.localeCompare(b.workerId));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
