import Database from 'better-sqlite3';
import { ZodError } from 'zod';
import {
  type BundledRun,
  BundledRunSchema,
  type CallRecord,
  CallRecordSchema,
  TranscriptEventSchema,
} from '../contracts/index.js';
import { callRowValues, INSERT_CALL_SQL } from './call-rows.js';
import { RunStore } from './run-store.js';

/**
 * Rebuilds a run folder's store from its transcript as a bundle carries it (runs, events and call
 * records, one JSON document per line): what `backfire reproduce` and `run --replay <bundle>` start
 * from. Every line is checked against its contract before it is inserted; events keep the exact
 * JSON text they were committed with. Features and results are not imported: they are what the
 * reproduction re-derives.
 */

export interface StoreImportSource {
  runs: AsyncIterable<string> | Iterable<string>;
  events: AsyncIterable<string> | Iterable<string>;
  calls: AsyncIterable<string> | Iterable<string>;
}

export interface StoreImportSummary {
  runs: number;
  events: number;
  calls: number;
}

/** A line that does not fit its contract: the caller names the file it came from. */
export class ImportLineError extends Error {
  constructor(
    readonly part: keyof StoreImportSource,
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

const BATCH = 5000;

export async function importStore(path: string, source: StoreImportSource): Promise<StoreImportSummary> {
  // RunStore creates the file and applies every migration; the bulk insert then uses its own connection.
  RunStore.open(path, { create: true }).close();
  const database = new Database(path);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    const insertRun = database.prepare(
      `INSERT INTO runs (run_id, cell_id, language, model, dose, replicate, seed, schedule_order, status, turns_completed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertEvent = database.prepare('INSERT INTO events (run_id, seq, turn, type, body) VALUES (?, ?, ?, ?, ?)');
    const insertCall = database.prepare(INSERT_CALL_SQL);
    const runs = await inBatches(database, source.runs, 'runs', (line) => {
      const run: BundledRun = BundledRunSchema.parse(JSON.parse(line));
      insertRun.run(
        run.runId,
        run.cellId,
        run.language,
        run.model,
        run.dose,
        run.replicate,
        run.seed,
        run.order,
        run.status,
        run.turnsCompleted,
      );
    });
    const events = await inBatches(database, source.events, 'events', (line) => {
      const event = TranscriptEventSchema.parse(JSON.parse(line));
      insertEvent.run(event.runId, event.seq, event.turn, event.type, line);
    });
    const calls = await inBatches(database, source.calls, 'calls', (line) => {
      const call: CallRecord = CallRecordSchema.parse(JSON.parse(line));
      insertCall.run(...callRowValues(call));
    });
    database.pragma('wal_checkpoint(TRUNCATE)');
    return { runs, events, calls };
  } finally {
    database.close();
  }
}

async function inBatches(
  database: Database.Database,
  lines: AsyncIterable<string> | Iterable<string>,
  part: keyof StoreImportSource,
  insert: (line: string) => void,
): Promise<number> {
  let batch: string[] = [];
  let count = 0;
  const flush = database.transaction((rows: readonly string[], first: number) => {
    rows.forEach((row, index) => {
      try {
        insert(row);
      } catch (error) {
        throw new ImportLineError(part, first + index + 1, describeLineProblem(error));
      }
    });
  });
  for await (const line of lines) {
    if (line === '') continue;
    batch.push(line);
    if (batch.length >= BATCH) {
      flush(batch, count);
      count += batch.length;
      batch = [];
    }
  }
  flush(batch, count);
  return count + batch.length;
}

function describeLineProblem(error: unknown): string {
  if (error instanceof SyntaxError) return 'not valid JSON';
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return issue === undefined ? 'does not fit its schema' : `${issue.path.join('.') || '(line)'}: ${issue.message}`;
  }
  return (error as Error).message;
}
