import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  type ActionFeatures,
  ActionFeaturesSchema,
  type AgentFeatures,
  AgentFeaturesSchema,
  type CallRecord,
  type PhaseFeatures,
  PhaseFeaturesSchema,
  type Results,
  ResultsSchema,
  type RunFeatures,
  RunFeaturesSchema,
  type RunPlan,
  StoreError,
  type TranscriptEvent,
  TranscriptEventSchema,
  type TurnFeatures,
  TurnFeaturesSchema,
} from '../contracts/index.js';
import { callFromRow, callRowValues, INSERT_CALL_SQL } from './call-rows.js';
import { BACKSTOP_CHECKPOINT_PAGES, startCheckpointer } from './checkpointer.js';
import { MIGRATIONS } from './migrations.js';

/**
 * The SQLite store of one run folder (better-sqlite3, WAL). Transcripts are append-only; each turn
 * is committed in one transaction, so after a crash a run holds only whole turns and resumes from the
 * last one. Features and results are derived data, replaced wholesale by their stage.
 */

export interface StoredRun {
  runId: string;
  cellId: string;
  language: string;
  model: string;
  dose: number;
  replicate: number;
  seed: number;
  order: number;
  status: 'pending' | 'running' | 'completed' | 'stopped' | 'failed';
  turnsCompleted: number;
}

export interface RunCallSummary {
  runId: string;
  calls: number;
  retries: number;
  cachedCalls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  costUsd: number;
  latencyMsTotal: number;
  modelVersions: string[];
}

/** An action's features as the store keeps them: its key and its JSON body. */
export interface ActionFeatureRow {
  runId: string;
  seq: number;
  body: string;
}

/** The one serialisation of an action's features, wherever it is made (a scoring thread or here). */
export function actionFeatureRow(action: ActionFeatures): ActionFeatureRow {
  return { runId: action.runId, seq: action.seq, body: JSON.stringify(action) };
}

export interface TurnCommit {
  runId: string;
  turn: number;
  events: readonly TranscriptEvent[];
  calls: readonly CallRecord[];
  /** Run status after this turn. */
  status: StoredRun['status'];
}

/** SQLite's default automatic checkpoint threshold, in pages. */
const DEFAULT_CHECKPOINT_PAGES = 1000;

export class RunStore {
  private readonly database: Database.Database;
  private readonly statements;
  /** Row ids of the calls by request hash, built on the first replay lookup (see `callsFor`). */
  private rowIdsByRequestHash: Map<string, number[]> | undefined;
  /** Response-cache entries not yet written (see `cachePut`), readable by `cacheGet` already. */
  private readonly pendingCacheEntries = new Map<string, string>();
  private cacheFlushScheduled: NodeJS.Immediate | undefined;

  private constructor(database: Database.Database) {
    this.database = database;
    this.statements = {
      insertEvent: database.prepare('INSERT INTO events (run_id, seq, turn, type, body) VALUES (?, ?, ?, ?, ?)'),
      insertCall: database.prepare(INSERT_CALL_SQL),
      updateRun: database.prepare('UPDATE runs SET status = ?, turns_completed = ? WHERE run_id = ?'),
      selectEvents: database.prepare('SELECT body FROM events WHERE run_id = ? ORDER BY seq'),
      getMeta: database.prepare('SELECT value FROM meta WHERE key = ?'),
      setMeta: database.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      cacheGet: database.prepare('SELECT body FROM response_cache WHERE key = ?'),
      cachePut: database.prepare('INSERT OR REPLACE INTO response_cache (key, body) VALUES (?, ?)'),
    };
  }

  /** Opens (creating if asked) the store at `path` and brings its schema up to date. */
  static open(path: string, options: { create: boolean; readonly?: boolean }): RunStore {
    if (!options.create && !existsSync(path)) {
      throw new StoreError(`no store at ${path}: run \`backfire simulate\` or \`backfire run\` first`);
    }
    let database: Database.Database;
    try {
      database = new Database(path, { readonly: options.readonly === true, fileMustExist: !options.create });
    } catch (error) {
      throw new StoreError(`cannot open the store at ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (options.readonly !== true) {
      database.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a killed process (not a power cut) and keeps commits cheap.
      database.pragma('synchronous = NORMAL');
      database.pragma('foreign_keys = ON');
      migrate(database);
    }
    return new RunStore(database);
  }

  /** The database file (what a scoring thread opens read-only). */
  get path(): string {
    return this.database.name;
  }

  close(): void {
    try {
      this.flushCache();
    } finally {
      this.database.close();
    }
  }

  /**
   * Runs a write-heavy phase (a simulation) with WAL checkpoints moved to a worker thread, so that
   * commits on this thread only append to the log (see checkpointer.ts).
   */
  async withBackgroundCheckpoints<T>(work: () => Promise<T>): Promise<T> {
    if (this.database.memory || this.database.readonly) {
      return work();
    }
    this.database.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    const checkpointer = startCheckpointer(this.database.name);
    try {
      return await work();
    } finally {
      await checkpointer.stop();
      this.database.pragma(`wal_autocheckpoint = ${DEFAULT_CHECKPOINT_PAGES}`);
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.statements.getMeta.get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }

  /** Records the planned runs; runs already present keep their progress. */
  planRuns(plans: readonly RunPlan[]): void {
    const insert = this.database.prepare(
      `INSERT INTO runs (run_id, cell_id, language, model, dose, replicate, seed, schedule_order)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO NOTHING`,
    );
    this.database.transaction(() => {
      for (const plan of plans) {
        insert.run(
          plan.id,
          plan.cell.id,
          plan.cell.language,
          plan.cell.model,
          plan.cell.dose,
          plan.replicate,
          plan.seed,
          plan.order,
        );
      }
    })();
  }

  listRuns(): StoredRun[] {
    const rows = this.database
      .prepare(
        `SELECT run_id AS runId, cell_id AS cellId, language, model, dose, replicate, seed, schedule_order AS "order",
          status, turns_completed AS turnsCompleted FROM runs ORDER BY schedule_order`,
      )
      .all() as StoredRun[];
    return rows;
  }

  /** Commits one turn: its events, its calls and the run's progress, all or nothing. */
  commitTurn(commit: TurnCommit): void {
    this.commitTurns([commit]);
  }

  /**
   * Commits several whole turns (of one or many runs, each run's in order) in one transaction, all
   * or nothing. A commit writes every page it touched to the log, so one commit per turn rewrote the
   * same index pages thousands of times in a large study; a batch writes each page once.
   */
  commitTurns(commits: readonly TurnCommit[]): void {
    this.database.transaction(() => {
      this.writePendingCacheEntries();
      for (const commit of commits) {
        for (const event of commit.events) {
          this.statements.insertEvent.run(event.runId, event.seq, event.turn, event.type, JSON.stringify(event));
        }
        for (const call of commit.calls) {
          this.statements.insertCall.run(...callRowValues(call));
        }
        this.statements.updateRun.run(commit.status, commit.turn, commit.runId);
      }
    })();
    this.pendingCacheEntries.clear();
  }

  setRunStatus(runId: string, status: StoredRun['status']): void {
    this.database.prepare('UPDATE runs SET status = ? WHERE run_id = ?').run(status, runId);
  }

  loadEvents(runId: string): TranscriptEvent[] {
    const rows = this.statements.selectEvents.all(runId) as { body: string }[];
    return rows.map((row) => TranscriptEventSchema.parse(JSON.parse(row.body)));
  }

  /** Every run's events, grouped by run, in schedule order (one pass over the table). */
  loadAllEvents(): Map<string, TranscriptEvent[]> {
    const byRun = new Map<string, TranscriptEvent[]>();
    for (const run of this.listRuns()) byRun.set(run.runId, []);
    const rows = this.database
      .prepare('SELECT run_id AS runId, body FROM events ORDER BY run_id, seq')
      .iterate() as Iterable<{
      runId: string;
      body: string;
    }>;
    for (const row of rows) {
      const event = JSON.parse(row.body) as TranscriptEvent;
      const list = byRun.get(row.runId);
      if (list === undefined) byRun.set(row.runId, [event]);
      else list.push(event);
    }
    return byRun;
  }

  loadCalls(runId?: string): CallRecord[] {
    const rows = (
      runId === undefined
        ? this.database.prepare('SELECT * FROM calls ORDER BY run_id, turn, call_id').all()
        : this.database.prepare('SELECT * FROM calls WHERE run_id = ? ORDER BY turn, call_id').all(runId)
    ) as Record<string, unknown>[];
    return rows.map(callFromRow);
  }

  /** Per-run totals of calls, retries, tokens and cost (for failure rates and cost reports). */
  summariseCalls(): Map<string, RunCallSummary> {
    const rows = this.database
      .prepare(
        `SELECT run_id AS runId, COUNT(*) AS calls, SUM(retries) AS retries, SUM(cached) AS cachedCalls,
          SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END) AS failedCalls, SUM(prompt_tokens) AS promptTokens,
          SUM(completion_tokens) AS completionTokens, COALESCE(SUM(cached_prompt_tokens), 0) AS cachedPromptTokens,
          COALESCE(SUM(cost_usd), 0) AS costUsd, SUM(latency_ms) AS latencyMsTotal,
          GROUP_CONCAT(DISTINCT model_version) AS versions
         FROM calls GROUP BY run_id`,
      )
      .all() as (Omit<RunCallSummary, 'modelVersions'> & { versions: string | null })[];
    return new Map(
      rows.map(({ versions, ...row }) => [
        row.runId,
        { ...row, modelVersions: versions === null ? [] : versions.split(',').sort() },
      ]),
    );
  }

  /** Total spend so far (USD), for the budget guard on resume. */
  totalCostUsd(): number {
    const row = this.database.prepare('SELECT COALESCE(SUM(cost_usd), 0) AS total FROM calls').get() as {
      total: number;
    };
    return row.total;
  }

  /**
   * Replaces every feature table in one transaction. `meta.features-lexicons` records which lexicon
   * version scored each language (what the viewer's highlights and the counts come from), and
   * `meta.features-generation` changes with every scoring, so readers can tell derived data is new.
   */
  replaceFeatures(features: {
    actions: readonly ActionFeatures[];
    agents: readonly AgentFeatures[];
    runs: readonly RunFeatures[];
    turns?: readonly TurnFeatures[];
    phases?: readonly PhaseFeatures[];
    lexiconVersions?: Readonly<Record<string, string>>;
  }): void {
    this.replaceFeatureRows({
      actions: features.actions.map(actionFeatureRow),
      agents: features.agents,
      runs: features.runs,
      turns: features.turns ?? [],
      phases: features.phases ?? [],
      lexiconVersions: features.lexiconVersions ?? {},
    });
  }

  /**
   * `replaceFeatures` with the action rows already serialised (by `actionFeatureRow`, in the scoring
   * threads, which made them): those are nine in ten of the bytes written.
   */
  replaceFeatureRows(features: {
    actions: readonly ActionFeatureRow[];
    agents: readonly AgentFeatures[];
    runs: readonly RunFeatures[];
    turns: readonly TurnFeatures[];
    phases: readonly PhaseFeatures[];
    lexiconVersions: Readonly<Record<string, string>>;
  }): void {
    const insertAction = this.database.prepare('INSERT INTO action_features (run_id, seq, body) VALUES (?, ?, ?)');
    const insertAgent = this.database.prepare('INSERT INTO agent_features (run_id, agent, body) VALUES (?, ?, ?)');
    const insertRun = this.database.prepare('INSERT INTO run_features (run_id, body) VALUES (?, ?)');
    const insertTurn = this.database.prepare('INSERT INTO turn_features (run_id, turn, body) VALUES (?, ?, ?)');
    const insertPhase = this.database.prepare('INSERT INTO phase_features (run_id, first_turn, body) VALUES (?, ?, ?)');
    this.database.transaction(() => {
      this.database.exec(
        'DELETE FROM action_features; DELETE FROM agent_features; DELETE FROM run_features; DELETE FROM turn_features; DELETE FROM phase_features;',
      );
      for (const action of features.actions) insertAction.run(action.runId, action.seq, action.body);
      for (const agent of features.agents) insertAgent.run(agent.runId, agent.agent, JSON.stringify(agent));
      for (const run of features.runs) insertRun.run(run.runId, JSON.stringify(run));
      for (const turn of features.turns) insertTurn.run(turn.runId, turn.turn, JSON.stringify(turn));
      for (const phase of features.phases) insertPhase.run(phase.runId, phase.firstTurn, JSON.stringify(phase));
      this.statements.setMeta.run('features-lexicons', JSON.stringify(features.lexiconVersions));
      const generation = Number(this.getMeta('features-generation') ?? '0') + 1;
      this.statements.setMeta.run('features-generation', String(generation));
    })();
  }

  loadTurnFeatures(): TurnFeatures[] {
    const rows = this.database.prepare('SELECT body FROM turn_features ORDER BY run_id, turn').all() as {
      body: string;
    }[];
    return rows.map((row) => TurnFeaturesSchema.parse(JSON.parse(row.body)));
  }

  loadPhaseFeatures(): PhaseFeatures[] {
    const rows = this.database.prepare('SELECT body FROM phase_features ORDER BY run_id, first_turn').all() as {
      body: string;
    }[];
    return rows.map((row) => PhaseFeaturesSchema.parse(JSON.parse(row.body)));
  }

  loadRunFeatures(): RunFeatures[] {
    const rows = this.database.prepare('SELECT body FROM run_features ORDER BY run_id').all() as { body: string }[];
    return rows.map((row) => RunFeaturesSchema.parse(JSON.parse(row.body)));
  }

  loadAgentFeatures(): AgentFeatures[] {
    const rows = this.database.prepare('SELECT body FROM agent_features ORDER BY run_id, agent').all() as {
      body: string;
    }[];
    return rows.map((row) => AgentFeaturesSchema.parse(JSON.parse(row.body)));
  }

  loadActionFeatures(): ActionFeatures[] {
    const rows = this.database.prepare('SELECT body FROM action_features ORDER BY run_id, seq').all() as {
      body: string;
    }[];
    return rows.map((row) => ActionFeaturesSchema.parse(JSON.parse(row.body)));
  }

  hasFeatures(): boolean {
    return (this.database.prepare('SELECT COUNT(*) AS count FROM run_features').get() as { count: number }).count > 0;
  }

  saveResults(results: Results): void {
    this.database
      .prepare('INSERT OR REPLACE INTO results (name, body) VALUES (?, ?)')
      .run('results', JSON.stringify(results));
  }

  loadResults(): Results | undefined {
    const row = this.database.prepare('SELECT body FROM results WHERE name = ?').get('results') as
      | { body: string }
      | undefined;
    return row === undefined ? undefined : ResultsSchema.parse(JSON.parse(row.body));
  }

  /**
   * Recorded calls with this request hash, in recorded order (what replay answers from). The calls
   * table has no index on the hash (migration 4: its random keys made every turn's commit write
   * pages all over the index), so the first lookup reads every call's hash and row id once.
   */
  callsFor(requestHash: string): CallRecord[] {
    this.rowIdsByRequestHash ??= this.indexRequestHashes();
    const rowIds = this.rowIdsByRequestHash.get(requestHash) ?? [];
    const select = this.database.prepare('SELECT * FROM calls WHERE rowid = ?');
    return rowIds.map((rowId) => callFromRow(select.get(rowId) as Record<string, unknown>));
  }

  private indexRequestHashes(): Map<string, number[]> {
    const byHash = new Map<string, number[]>();
    const rows = this.database
      .prepare('SELECT rowid AS rowId, request_hash AS requestHash FROM calls ORDER BY rowid')
      .iterate() as Iterable<{ rowId: number; requestHash: string }>;
    for (const { rowId, requestHash } of rows) {
      const list = byHash.get(requestHash);
      if (list === undefined) byHash.set(requestHash, [rowId]);
      else list.push(rowId);
    }
    return byHash;
  }

  /** The response cache (a key-value table; see the cache wrapper for what a key covers). */
  cacheGet(key: string): string | undefined {
    return (
      this.pendingCacheEntries.get(key) ?? (this.statements.cacheGet.get(key) as { body: string } | undefined)?.body
    );
  }

  /**
   * Stores a response-cache entry, readable by `cacheGet` at once and written with the next turn
   * commit or at the end of the current event-loop turn, whichever comes first (and by `close`).
   * A commit of its own per call was about a tenth of the orchestrator's CPU at hundreds of calls in
   * flight. A killed process loses at most the entries of its last event-loop turn: those calls are
   * made again, as a call in progress always was.
   */
  cachePut(key: string, body: string): void {
    this.pendingCacheEntries.set(key, body);
    this.cacheFlushScheduled ??= setImmediate(() => {
      this.cacheFlushScheduled = undefined;
      try {
        this.flushCache();
      } catch {
        // The entries stay pending: the next turn commit writes them or reports why it cannot.
      }
    });
  }

  /** Writes the pending response-cache entries now, in one transaction. */
  flushCache(): void {
    if (this.cacheFlushScheduled !== undefined) {
      clearImmediate(this.cacheFlushScheduled);
      this.cacheFlushScheduled = undefined;
    }
    if (this.pendingCacheEntries.size === 0 || !this.database.open) return;
    this.database.transaction(() => this.writePendingCacheEntries())();
    this.pendingCacheEntries.clear();
  }

  private writePendingCacheEntries(): void {
    for (const [key, body] of this.pendingCacheEntries) this.statements.cachePut.run(key, body);
  }
}

function migrate(database: Database.Database): void {
  const applied = database.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new StoreError(
      `this store was written by a newer backfire (schema ${applied}, this version knows ${MIGRATIONS.length}); upgrade backfire`,
    );
  }
  for (let index = applied; index < MIGRATIONS.length; index += 1) {
    database.transaction(() => {
      database.exec(MIGRATIONS[index]!);
      database.pragma(`user_version = ${index + 1}`);
    })();
  }
}
