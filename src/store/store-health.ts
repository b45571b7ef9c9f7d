import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/**
 * What a store file is like, read without changing it (read-only connection, no migration): SQLite's
 * own consistency check, the schema version and tables, and the transcript invariants the runner
 * relies on (every event and call belongs to a planned run; a turn is stored whole, ending with
 * `turn-end`; a run's progress counter matches its stored turns). Used on open by the stages and in
 * full by `backfire doctor`.
 */

export interface StoreInspection {
  /** The file exists and is not empty. */
  exists: boolean;
  bytes: number;
  /** SQLite's quick_check (or integrity_check) messages; ['ok'] when consistent. */
  integrity: string[];
  /** Migrations applied (PRAGMA user_version) and the number this version knows. */
  schemaVersion: number;
  knownSchemaVersion: number;
  missingTables: string[];
  runs: number;
  runsByStatus: Record<string, number>;
  runIds: string[];
  events: number;
  orphanEvents: number;
  orphanCalls: number;
  /** (run, turn) pairs holding events but no `turn-end`, the run's last turn after its run-end excepted. */
  incompleteTurns: { runId: string; turn: number }[];
  /** Runs whose `turns_completed` disagrees with the turns stored for them. */
  progressMismatches: { runId: string; recorded: number; stored: number }[];
  resultsStored: boolean;
  /** The stored results document (what results.json should hold), when there is one. */
  resultsBody: string | null;
  /** Set when the file could not be read as a database at all. */
  unreadable: string | null;
}

const CORRUPTION_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_VTAB']);

/** True for the errors SQLite raises when a database file is damaged or is not a database. */
export function isStoreCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CORRUPTION_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

/** The tables the migrations create (read from them, so a new migration is covered without edits). */
export function expectedTables(): string[] {
  const names = new Set<string>();
  for (const migration of MIGRATIONS) {
    for (const match of migration.matchAll(/CREATE TABLE (\w+)/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

export function inspectStore(path: string, options: { thorough?: boolean } = {}): StoreInspection {
  const inspection: StoreInspection = {
    exists: false,
    bytes: 0,
    integrity: [],
    schemaVersion: 0,
    knownSchemaVersion: MIGRATIONS.length,
    missingTables: [],
    runs: 0,
    runsByStatus: {},
    runIds: [],
    events: 0,
    orphanEvents: 0,
    orphanCalls: 0,
    incompleteTurns: [],
    progressMismatches: [],
    resultsStored: false,
    resultsBody: null,
    unreadable: null,
  };
  if (!existsSync(path)) return inspection;
  inspection.bytes = statSync(path).size;
  inspection.exists = inspection.bytes > 0;
  if (!inspection.exists) return inspection;
  let database: Database.Database | undefined;
  try {
    database = new Database(path, { readonly: true, fileMustExist: true });
    const check = database.pragma(options.thorough === true ? 'integrity_check(20)' : 'quick_check(20)') as Record<
      string,
      string
    >[];
    inspection.integrity = check.map((row) => String(Object.values(row)[0]));
    if (inspection.integrity.length !== 1 || inspection.integrity[0] !== 'ok') return inspection;
    inspection.schemaVersion = database.pragma('user_version', { simple: true }) as number;
    const tables = new Set(
      (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (row) => row.name,
      ),
    );
    inspection.missingTables = expectedTables().filter(
      (table, _index) => !tables.has(table) && tableBelongsToAppliedMigration(table, inspection.schemaVersion),
    );
    if (inspection.missingTables.length > 0 || !tables.has('runs')) return inspection;
    const runs = database.prepare('SELECT run_id AS runId, status, turns_completed AS turns FROM runs').all() as {
      runId: string;
      status: string;
      turns: number;
    }[];
    inspection.runs = runs.length;
    inspection.runIds = runs.map((run) => run.runId);
    for (const run of runs) inspection.runsByStatus[run.status] = (inspection.runsByStatus[run.status] ?? 0) + 1;
    inspection.events = (database.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    inspection.orphanEvents = (
      database.prepare('SELECT COUNT(*) AS n FROM events WHERE run_id NOT IN (SELECT run_id FROM runs)').get() as {
        n: number;
      }
    ).n;
    inspection.orphanCalls = (
      database.prepare('SELECT COUNT(*) AS n FROM calls WHERE run_id NOT IN (SELECT run_id FROM runs)').get() as {
        n: number;
      }
    ).n;
    // A turn is committed in one transaction ending with turn-end; turn 0 holds the run-start event.
    inspection.incompleteTurns = database
      .prepare(
        `SELECT run_id AS runId, turn FROM events WHERE turn > 0 GROUP BY run_id, turn
         HAVING SUM(type = 'turn-end') = 0 ORDER BY run_id, turn LIMIT 50`,
      )
      .all() as { runId: string; turn: number }[];
    const storedTurns = new Map(
      (
        database
          .prepare("SELECT run_id AS runId, COUNT(*) AS turns FROM events WHERE type = 'turn-end' GROUP BY run_id")
          .all() as { runId: string; turns: number }[]
      ).map((row) => [row.runId, row.turns]),
    );
    for (const run of runs) {
      const stored = storedTurns.get(run.runId) ?? 0;
      if (stored !== run.turns) inspection.progressMismatches.push({ runId: run.runId, recorded: run.turns, stored });
    }
    const results = database.prepare("SELECT body FROM results WHERE name = 'results'").get() as
      | { body: string }
      | undefined;
    inspection.resultsStored = results !== undefined;
    inspection.resultsBody = results?.body ?? null;
  } catch (error) {
    inspection.unreadable = (error as Error).message;
  } finally {
    database?.close();
  }
  return inspection;
}

/** Tables are only expected once the migration creating them has run. */
function tableBelongsToAppliedMigration(table: string, schemaVersion: number): boolean {
  const index = MIGRATIONS.findIndex((migration) => new RegExp(`CREATE TABLE ${table}\\b`).test(migration));
  return index >= 0 && index < schemaVersion;
}

/** The integrity and schema problems of an inspection, one line each (empty: the store is sound). */
export function storeDamage(inspection: StoreInspection): string[] {
  const problems: string[] = [];
  if (inspection.unreadable !== null) problems.push(`SQLite cannot read it: ${inspection.unreadable}`);
  const integrity = inspection.integrity.filter((line) => line !== 'ok');
  if (integrity.length > 0) problems.push(`SQLite's integrity check fails: ${integrity.slice(0, 3).join('; ')}`);
  if (inspection.exists && integrity.length === 0 && inspection.unreadable === null) {
    if (inspection.schemaVersion === 0) problems.push('it holds no backfire tables (schema version 0)');
    if (inspection.missingTables.length > 0) {
      problems.push(
        `tables are missing although their migrations are recorded: ${inspection.missingTables.join(', ')}`,
      );
    }
  }
  return problems;
}
