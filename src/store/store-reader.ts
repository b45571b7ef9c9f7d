import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type CallRecord, StoreError, type TranscriptEvent } from '../contracts/index.js';
import { callFromRow } from './call-rows.js';
import { MIGRATIONS } from './migrations.js';
import type { StoredRun } from './run-store.js';

/**
 * A read-only view of a run folder's store for the readers (bundle, export): it opens the database
 * read-only, never migrates, never takes the run folder's write lock, and hands rows out through
 * better-sqlite3's `.iterate()`, so a reader of Study 2's 180,000 actions holds one row at a time.
 * A store written by a newer backfire, or one that is not a store at all, is named and refused.
 */

/**
 * The oldest schema a reader can read: migration 4 only dropped an index (calls by request hash), so
 * stores written before it are read as they are.
 */
const READABLE_FROM_SCHEMA = 3;

/** The derived tables a reader can stream, with the key order the score stage wrote them in. */
export const FEATURE_TABLES = {
  actions: { table: 'action_features', order: 'run_id, seq' },
  agents: { table: 'agent_features', order: 'run_id, agent' },
  runs: { table: 'run_features', order: 'run_id' },
  turns: { table: 'turn_features', order: 'run_id, turn' },
  phases: { table: 'phase_features', order: 'run_id, first_turn' },
} as const;
export type FeatureTable = keyof typeof FEATURE_TABLES;

export class StoreReader {
  private readonly database: Database.Database;
  private selectRunEvents: Database.Statement | undefined;

  private constructor(database: Database.Database) {
    this.database = database;
  }

  static open(path: string): StoreReader {
    if (!existsSync(path)) {
      throw new StoreError(`no store at ${path}: run \`backfire simulate\` or \`backfire run\` first`);
    }
    let database: Database.Database;
    try {
      database = new Database(path, { readonly: true, fileMustExist: true });
      const version = database.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        database.close();
        throw new StoreError(
          `the store at ${path} was written by a newer backfire (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade backfire`,
        );
      }
      if (version < READABLE_FROM_SCHEMA) {
        // A reader never migrates (it must not write); any writing stage brings the schema up to date.
        database.close();
        throw new StoreError(
          `the store at ${path} has an older schema (${version}, readable from ${READABLE_FROM_SCHEMA}); run \`backfire score\` on its run folder once to update it`,
        );
      }
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot read the store at ${path}: ${(error as Error).message}`, { cause: error });
    }
    return new StoreReader(database);
  }

  close(): void {
    this.database.close();
  }

  listRuns(): StoredRun[] {
    return this.database
      .prepare(
        `SELECT run_id AS runId, cell_id AS cellId, language, model, dose, replicate, seed, schedule_order AS "order",
          status, turns_completed AS turnsCompleted FROM runs ORDER BY schedule_order`,
      )
      .all() as StoredRun[];
  }

  count(table: 'runs' | 'events' | 'calls'): number {
    return (this.database.prepare(`SELECT COUNT(*) AS count FROM ${table}`).get() as { count: number }).count;
  }

  /** Every event as stored (the JSON text the engine committed), by run and position. */
  iterateEventBodies(): IterableIterator<{ runId: string; type: string; body: string }> {
    return this.database
      .prepare('SELECT run_id AS runId, type, body FROM events ORDER BY run_id, seq')
      .iterate() as IterableIterator<{ runId: string; type: string; body: string }>;
  }

  /**
   * One run's events in order, parsed as `RunStore.loadAllEvents` parses them (no schema: the engine
   * wrote them through it). What a scoring thread reads its runs from.
   */
  runEvents(runId: string): TranscriptEvent[] {
    this.selectRunEvents ??= this.database.prepare('SELECT body FROM events WHERE run_id = ? ORDER BY seq').pluck();
    return (this.selectRunEvents.all(runId) as string[]).map((body) => JSON.parse(body) as TranscriptEvent);
  }

  /** Action events joined to their scored features (null before scoring), by run and position. */
  iterateActions(): IterableIterator<{ body: string; features: string | null }> {
    return this.database
      .prepare(
        `SELECT e.body AS body, f.body AS features FROM events e
         LEFT JOIN action_features f ON f.run_id = e.run_id AND f.seq = e.seq
         WHERE e.type = 'action' ORDER BY e.run_id, e.seq`,
      )
      .iterate() as IterableIterator<{ body: string; features: string | null }>;
  }

  /** Each run's `run-start` event (who the agents are), by run. */
  iterateRunStarts(): IterableIterator<{ runId: string; body: string }> {
    return this.database
      .prepare("SELECT run_id AS runId, body FROM events WHERE type = 'run-start' ORDER BY run_id")
      .iterate() as IterableIterator<{ runId: string; body: string }>;
  }

  iterateCalls(): Generator<CallRecord> {
    const rows = this.database
      .prepare('SELECT * FROM calls ORDER BY run_id, turn, call_id')
      .iterate() as IterableIterator<Record<string, unknown>>;
    return (function* () {
      for (const row of rows) yield callFromRow(row);
    })();
  }

  iterateFeatureBodies(kind: FeatureTable): IterableIterator<{ body: string }> {
    const { table, order } = FEATURE_TABLES[kind];
    return this.database.prepare(`SELECT body FROM ${table} ORDER BY ${order}`).iterate() as IterableIterator<{
      body: string;
    }>;
  }

  /** Per-run call totals (calls, retries, cache hits, failures, tokens, cost), for the runs table. */
  callTotals(): Map<string, CallTotals> {
    const rows = this.database
      .prepare(
        `SELECT run_id AS runId, COUNT(*) AS calls, SUM(retries) AS retries, SUM(cached) AS cachedCalls,
          SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END) AS failedCalls, SUM(prompt_tokens) AS promptTokens,
          SUM(completion_tokens) AS completionTokens, SUM(cost_usd) AS costUsd
         FROM calls GROUP BY run_id`,
      )
      .all() as CallTotals[];
    return new Map(rows.map((row) => [row.runId, row]));
  }

  resultsBody(): string | undefined {
    return (
      this.database.prepare("SELECT body FROM results WHERE name = 'results'").get() as { body: string } | undefined
    )?.body;
  }
}

export interface CallTotals {
  runId: string;
  calls: number;
  retries: number;
  cachedCalls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Null when no call of the run had a known price. */
  costUsd: number | null;
}
