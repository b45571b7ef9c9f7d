import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Every table of a run folder's store as sorted rows, calls without `latency_ms` (a measured
 * duration): what two runs of the same study must agree on byte for byte, however they were
 * scheduled (test/simulation-threads.test.ts, test/scoring-threads.test.ts).
 */
export function dumpStore(folder: string): Record<string, string> {
  const database = new Database(join(folder, 'store.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = (
      database
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[]
    ).map((row) => row.name);
    const dump: Record<string, string> = {};
    for (const table of tables) {
      const columns = (database.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[])
        .map((column) => `"${column.name}"`)
        .filter((column) => column !== '"latency_ms"')
        .join(', ');
      dump[table] = JSON.stringify(database.prepare(`SELECT ${columns} FROM ${table} ORDER BY ${columns}`).raw().all());
    }
    return dump;
  } finally {
    database.close();
  }
}
