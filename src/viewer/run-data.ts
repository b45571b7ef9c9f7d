import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  type ActionFeatures,
  ActionFeaturesSchema,
  type AgentFeatures,
  AgentFeaturesSchema,
  type Manifest,
  ManifestSchema,
  type Results,
  ResultsSchema,
  type RunFeatures,
  RunFeaturesSchema,
  StoreError,
  type TranscriptEvent,
  TranscriptEventSchema,
  type TurnFeatures,
  TurnFeaturesSchema,
  UserInputError,
} from '../contracts/index.js';
import { RunStore, type StoredRun } from '../store/index.js';

/**
 * The viewer's read-only window on one run folder: `manifest.json`, `results.json` and
 * `store.sqlite`. Everything is read per request in small, indexed pieces (one run's events, one
 * cell's runs), so a page never loads a study's transcripts and memory does not grow with requests.
 *
 * The store is opened through `RunStore` (read-only: no migration, no pragma that writes) for what it
 * already offers, plus a second read-only connection for the paged queries only a viewer needs. Both
 * see a running simulation's committed turns (WAL readers never block the writer).
 */

export const STORE_FILE = 'store.sqlite';

export interface CellCallTotals {
  cellId: string;
  calls: number;
  retries: number;
  cachedCalls: number;
  failedCalls: number;
  costUsd: number;
  /** Calls without a known price (their cost is not in costUsd). */
  unpricedCalls: number;
}

export interface StoredCall {
  callId: string;
  runId: string;
  turn: number;
  agentId: string;
  model: string;
  modelVersion: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number | null;
  latencyMs: number;
  attempts: { attempt: number; outcome: string; status?: number; waitMs?: number; message?: string }[];
  cached: boolean;
  finishReason: string;
  costUsd: number | null;
  warnings: string[];
  text: string;
  error: string | null;
}

export interface ActionSearchRow {
  runId: string;
  seq: number;
  turn: number;
  agent: string;
  channel: string;
  text: string;
}

export class RunData {
  readonly directory: string;
  private readonly store: RunStore;
  private readonly database: Database.Database;
  private readonly statements;
  private cachedResults: { mtimeMs: number; results: Results | undefined; problem: string | undefined } | undefined;
  private cachedManifest: { mtimeMs: number; manifest: Manifest | undefined } | undefined;
  private cachedTotals: { version: string; totals: Map<string, CellCallTotals> } | undefined;

  private constructor(directory: string, store: RunStore, database: Database.Database) {
    this.directory = directory;
    this.store = store;
    this.database = database;
    this.statements = {
      run: database.prepare(
        `SELECT run_id AS runId, cell_id AS cellId, language, model, dose, replicate, seed, schedule_order AS "order",
          status, turns_completed AS turnsCompleted FROM runs WHERE run_id = ?`,
      ),
      runsOfCell: database.prepare(
        `SELECT run_id AS runId, cell_id AS cellId, language, model, dose, replicate, seed, schedule_order AS "order",
          status, turns_completed AS turnsCompleted FROM runs WHERE cell_id = ? ORDER BY schedule_order`,
      ),
      events: database.prepare('SELECT body FROM events WHERE run_id = ? AND turn >= ? AND turn <= ? ORDER BY seq'),
      firstEvent: database.prepare('SELECT body FROM events WHERE run_id = ? AND seq = 0'),
      actionFeatures: database.prepare(
        'SELECT body FROM action_features WHERE run_id = ? AND seq >= ? AND seq <= ? ORDER BY seq',
      ),
      agentFeatures: database.prepare('SELECT body FROM agent_features WHERE run_id = ? AND agent = ?'),
      runFeatures: database.prepare('SELECT body FROM run_features WHERE run_id = ?'),
      // Stores written before per-turn features (schema 3) have no such table: no per-turn line then.
      turnFeatures: hasTable(database, 'turn_features')
        ? database.prepare('SELECT body FROM turn_features WHERE run_id = ? ORDER BY turn')
        : undefined,
      callsOfRun: database.prepare('SELECT * FROM calls WHERE run_id = ? AND turn >= ? AND turn <= ?'),
      call: database.prepare('SELECT * FROM calls WHERE call_id = ?'),
      progress: database.prepare(
        `SELECT COALESCE(SUM(turns_completed), 0) AS turns, COUNT(*) AS runs,
          (SELECT value FROM meta WHERE key = 'features-generation') AS generation FROM runs`,
      ),
      cellTotals: database.prepare(
        `SELECT r.cell_id AS cellId, COUNT(*) AS calls, SUM(c.retries) AS retries, SUM(c.cached) AS cachedCalls,
          SUM(CASE WHEN c.error IS NULL THEN 0 ELSE 1 END) AS failedCalls, COALESCE(SUM(c.cost_usd), 0) AS costUsd,
          SUM(CASE WHEN c.cost_usd IS NULL THEN 1 ELSE 0 END) AS unpricedCalls
         FROM calls c JOIN runs r ON r.run_id = c.run_id GROUP BY r.cell_id`,
      ),
    };
  }

  /** Opens a run folder read-only; a folder without a store is a user error naming the fix. */
  static open(directory: string): RunData {
    const folder = resolve(directory);
    const storeFile = join(folder, STORE_FILE);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new UserInputError('is not a run folder', {
        file: directory,
        fix: 'give the folder `backfire run` printed, e.g. runs/study1-1a2b3c4d',
      });
    }
    if (!existsSync(storeFile)) {
      throw new UserInputError(`holds no ${STORE_FILE}`, {
        file: directory,
        fix: 'give a run folder written by `backfire run` or `backfire simulate`',
      });
    }
    let database: Database.Database;
    try {
      database = new Database(storeFile, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new StoreError(`cannot open the store at ${storeFile}: ${(error as Error).message}`, { cause: error });
    }
    // An emptied or foreign file is named here, not met later as an SQL error on some page. (A file
    // that is not a database at all fails here too, with SQLite's own error, which the CLI names.)
    let store: RunStore | undefined;
    try {
      const missing = ['runs', 'events', 'calls', 'action_features', 'run_features'].filter(
        (table) => !hasTable(database, table),
      );
      if (missing.length > 0) {
        throw new StoreError(
          `${storeFile} is not a complete backfire store (no table ${missing.join(', ')}): it is damaged or was not written by backfire; re-run the study into a new folder`,
        );
      }
      store = RunStore.open(storeFile, { create: false, readonly: true });
      return new RunData(folder, store, database);
    } catch (error) {
      store?.close();
      database.close();
      throw error;
    }
  }

  close(): void {
    this.database.close();
    this.store.close();
  }

  /** The store's file, for the search index (which reads it through its own connection). */
  get storeFile(): string {
    return join(this.directory, STORE_FILE);
  }

  /** results.json, re-read when the file changes (analyze rewrites it); undefined before analysis. */
  results(): Results | undefined {
    const file = join(this.directory, 'results.json');
    if (!existsSync(file)) return undefined;
    const mtimeMs = statSync(file).mtimeMs;
    if (this.cachedResults?.mtimeMs !== mtimeMs) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        this.cachedResults = { mtimeMs, results: undefined, problem: `not valid JSON (${(error as Error).message})` };
        return undefined;
      }
      const parsed = ResultsSchema.safeParse(raw);
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      this.cachedResults = {
        mtimeMs,
        results: parsed.success ? parsed.data : undefined,
        problem: issue === undefined ? undefined : `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
      };
    }
    return this.cachedResults.results;
  }

  /**
   * Why results.json could not be read (written by another version of backfire, or damaged), so a
   * page can say so instead of looking as if the study was never analysed.
   */
  resultsProblem(): string | undefined {
    this.results();
    return this.cachedResults?.problem;
  }

  manifest(): Manifest | undefined {
    const file = join(this.directory, 'manifest.json');
    if (!existsSync(file)) return undefined;
    const mtimeMs = statSync(file).mtimeMs;
    if (this.cachedManifest?.mtimeMs !== mtimeMs) {
      const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      this.cachedManifest = { mtimeMs, manifest: parsed.success ? parsed.data : undefined };
    }
    return this.cachedManifest.manifest;
  }

  /** True when any model of the run is the surrogate: every page then carries the surrogate label. */
  usesSurrogate(): boolean {
    const results = this.results();
    if (results?.surrogate === true) return true;
    const manifest = this.manifest();
    if (manifest?.models.some((model) => model.surrogate)) return true;
    return this.listRuns().some((run) => run.model === 'surrogate' || run.model.startsWith('surrogate:'));
  }

  /**
   * A number that changes whenever the store gains turns or is re-scored: pages poll it and fetch
   * only what is new.
   */
  version(): string {
    const row = this.statements.progress.get() as { turns: number; runs: number; generation: string | null };
    return `${row.runs}.${row.turns}.${row.generation ?? '0'}`;
  }

  listRuns(): StoredRun[] {
    return this.store.listRuns();
  }

  run(runId: string): StoredRun | undefined {
    return this.statements.run.get(runId) as StoredRun | undefined;
  }

  runsOfCell(cellId: string): StoredRun[] {
    return this.statements.runsOfCell.all(cellId) as StoredRun[];
  }

  /** Per-cell call totals: one pass over the calls table, kept until the store's version changes. */
  cellCallTotals(): Map<string, CellCallTotals> {
    const version = this.version();
    if (this.cachedTotals?.version !== version) {
      const rows = this.statements.cellTotals.all() as CellCallTotals[];
      this.cachedTotals = { version, totals: new Map(rows.map((row) => [row.cellId, row])) };
    }
    return this.cachedTotals.totals;
  }

  runStart(runId: string): Extract<TranscriptEvent, { type: 'run-start' }> | undefined {
    const row = this.statements.firstEvent.get(runId) as { body: string } | undefined;
    if (row === undefined) return undefined;
    const event = TranscriptEventSchema.parse(JSON.parse(row.body));
    return event.type === 'run-start' ? event : undefined;
  }

  /** One run's events of turns firstTurn..lastTurn (turn 0 holds the run-start). */
  events(runId: string, firstTurn: number, lastTurn: number): TranscriptEvent[] {
    const rows = this.statements.events.all(runId, firstTurn, lastTurn) as { body: string }[];
    return rows.map((row) => TranscriptEventSchema.parse(JSON.parse(row.body)));
  }

  actionFeatures(runId: string, firstSeq: number, lastSeq: number): Map<number, ActionFeatures> {
    const rows = this.statements.actionFeatures.all(runId, firstSeq, lastSeq) as { body: string }[];
    const features = rows.map((row) => ActionFeaturesSchema.parse(JSON.parse(row.body)));
    return new Map(features.map((feature) => [feature.seq, feature]));
  }

  runFeatures(runId: string): RunFeatures | undefined {
    const row = this.statements.runFeatures.get(runId) as { body: string } | undefined;
    return row === undefined ? undefined : RunFeaturesSchema.parse(JSON.parse(row.body));
  }

  agentFeatures(runId: string, agent: string): AgentFeatures | undefined {
    const row = this.statements.agentFeatures.get(runId, agent) as { body: string } | undefined;
    return row === undefined ? undefined : AgentFeaturesSchema.parse(JSON.parse(row.body));
  }

  turnFeatures(runId: string): TurnFeatures[] {
    const rows = (this.statements.turnFeatures?.all(runId) ?? []) as { body: string }[];
    return rows.map((row) => TurnFeaturesSchema.parse(JSON.parse(row.body)));
  }

  /** Run features of many runs at once (a cell's table), keyed by run id. */
  runFeaturesOf(runIds: readonly string[]): Map<string, RunFeatures> {
    const result = new Map<string, RunFeatures>();
    for (const runId of runIds) {
      const features = this.runFeatures(runId);
      if (features !== undefined) result.set(runId, features);
    }
    return result;
  }

  callsOfRun(runId: string, firstTurn: number, lastTurn: number): Map<string, StoredCall> {
    const rows = this.statements.callsOfRun.all(runId, firstTurn, lastTurn) as Record<string, unknown>[];
    return new Map(rows.map((row) => [String(row.call_id), callFromRow(row)]));
  }

  call(callId: string): StoredCall | undefined {
    const row = this.statements.call.get(callId) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : callFromRow(row);
  }
}

function hasTable(database: Database.Database, name: string): boolean {
  return database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function callFromRow(row: Record<string, unknown>): StoredCall {
  return {
    callId: String(row.call_id),
    runId: String(row.run_id),
    turn: Number(row.turn),
    agentId: String(row.agent_id),
    model: String(row.model),
    modelVersion: row.model_version === null ? null : String(row.model_version),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedPromptTokens: row.cached_prompt_tokens === null ? null : Number(row.cached_prompt_tokens),
    latencyMs: Number(row.latency_ms),
    attempts: JSON.parse(String(row.attempts)) as StoredCall['attempts'],
    cached: Number(row.cached) === 1,
    finishReason: String(row.finish_reason),
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    warnings: JSON.parse(String(row.warnings)) as string[],
    text: String(row.text),
    error: row.error === null ? null : String(row.error),
  };
}
