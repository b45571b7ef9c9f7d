import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type ActionFeatures, ActionFeaturesSchema, type TranscriptEvent } from '../contracts/index.js';

/**
 * Full-text search over every action of a run folder: an SQLite FTS5 table with the trigram
 * tokenizer (substring search that works the same in every script, Japanese and Chinese included,
 * where word tokenizers would need a segmenter per language).
 *
 * The index lives in its own file beside the store (`viewer-search.sqlite`, safe to delete), never in
 * `store.sqlite`: the viewer opens the store read-only. When the folder cannot be written, the index
 * is kept in memory instead. It follows a running simulation: `refresh()` adds the actions of turns
 * committed since the last call, and re-scoring (a new features generation) rebuilds it.
 */

export const SEARCH_INDEX_FILE = 'viewer-search.sqlite';
/** Bump when the index's schema changes: an old file is then rebuilt. */
const INDEX_FORMAT = '1';
export const SEARCH_PAGE_SIZE = 50;

export interface SearchFilters {
  query: string;
  language?: string | undefined;
  cellId?: string | undefined;
  agent?: string | undefined;
  channel?: string | undefined;
  category?: string | undefined;
  offset?: number | undefined;
}

export interface SearchHit {
  runId: string;
  seq: number;
  turn: number;
  agent: string;
  channel: string;
  language: string;
  cellId: string;
  categories: string[];
  text: string;
}

export interface SearchPage {
  hits: SearchHit[];
  /** True when there are more hits after this page. */
  more: boolean;
  /** Why the query could not run as full text (e.g. too short for trigrams), shown to the reader. */
  note?: string;
}

interface StoreRow {
  run_id: string;
  seq: number;
  turn: number;
  body: string;
  language: string;
  cell_id: string;
  features: string | null;
}

export class SearchIndex {
  private readonly index: Database.Database;
  private readonly store: Database.Database;
  /** Turns completed per run at the last refresh: only runs that moved are read again. */
  private readonly seen = new Map<string, number>();
  readonly location: string;

  private constructor(index: Database.Database, store: Database.Database, location: string) {
    this.index = index;
    this.store = store;
    this.location = location;
  }

  /** Opens (or creates) the index for a store; falls back to memory when the folder is read-only. */
  static open(directory: string, storeFile: string): SearchIndex {
    const store = new Database(storeFile, { readonly: true, fileMustExist: true });
    const file = join(directory, SEARCH_INDEX_FILE);
    // A damaged or outdated index is a cache: delete it and build again; an unwritable folder gets
    // an index in memory.
    let index = openIndexFile(file) ?? (removeIndexFile(file) ? openIndexFile(file) : undefined);
    let location = file;
    if (index === undefined) {
      index = prepareIndex(new Database(':memory:'));
      location = 'memory';
    }
    const searchIndex = new SearchIndex(index, store, location);
    searchIndex.refresh();
    return searchIndex;
  }

  close(): void {
    this.index.close();
    this.store.close();
  }

  /** Brings the index up to date with the store; cheap when nothing changed. */
  refresh(): void {
    const generation = (
      this.store.prepare("SELECT value FROM meta WHERE key = 'features-generation'").get() as
        | { value: string }
        | undefined
    )?.value;
    const storeIdentity = `${generation ?? '0'}`;
    if (readMeta(this.index, 'features-generation') !== storeIdentity) {
      // Re-scored (or first build): categories of every action may have changed.
      this.index
        .transaction(() => {
          this.index.exec('DELETE FROM actions; DELETE FROM indexed;');
          this.index
            .prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
            .run('features-generation', storeIdentity);
        })
        .immediate();
      this.seen.clear();
    }
    const runs = this.store.prepare('SELECT run_id AS runId, turns_completed AS turns FROM runs').all() as {
      runId: string;
      turns: number;
    }[];
    const moved = runs.filter((run) => this.seen.get(run.runId) !== run.turns);
    if (moved.length === 0) return;
    const maxSeq = this.index.prepare('SELECT max_seq AS maxSeq FROM indexed WHERE run_id = ?');
    const setMaxSeq = this.index.prepare('INSERT OR REPLACE INTO indexed (run_id, max_seq) VALUES (?, ?)');
    const insert = this.index.prepare(
      `INSERT INTO actions (text, run_id, seq, turn, agent, channel, language, cell_id, categories)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const newActions = this.store.prepare(
      `SELECT e.run_id, e.seq, e.turn, e.body, r.language, r.cell_id, f.body AS features
       FROM events e JOIN runs r ON r.run_id = e.run_id
       LEFT JOIN action_features f ON f.run_id = e.run_id AND f.seq = e.seq
       WHERE e.run_id = ? AND e.seq > ? AND e.type = 'action' ORDER BY e.seq`,
    );
    this.index
      .transaction(() => {
        for (const run of moved) {
          const from = (maxSeq.get(run.runId) as { maxSeq: number } | undefined)?.maxSeq ?? -1;
          let last = from;
          for (const row of newActions.iterate(run.runId, from) as Iterable<StoreRow>) {
            const event = JSON.parse(row.body) as Extract<TranscriptEvent, { type: 'action' }>;
            const features: ActionFeatures | undefined =
              row.features === null ? undefined : ActionFeaturesSchema.parse(JSON.parse(row.features));
            const categories = Object.entries(features?.hits ?? {})
              .filter(([, count]) => count > 0)
              .map(([category]) => category);
            insert.run(
              event.text,
              row.run_id,
              row.seq,
              row.turn,
              event.agent,
              event.channel,
              row.language,
              row.cell_id,
              categories.length === 0 ? '' : ` ${categories.join(' ')} `,
            );
            last = row.seq;
          }
          if (last !== from) setMaxSeq.run(run.runId, last);
          this.seen.set(run.runId, run.turns);
        }
        // IMMEDIATE: a second viewer of the same folder waits for the write lock and then reads the
        // other's progress, instead of adding the same actions twice.
      })
      .immediate();
  }

  /** One page of hits, in transcript order. A query shorter than three characters searches by filters only. */
  search(filters: SearchFilters): SearchPage {
    const clauses: string[] = [];
    const parameters: (string | number)[] = [];
    const query = filters.query.trim();
    let note: string | undefined;
    if (query !== '') {
      if ([...query].length >= 3) {
        clauses.push('actions MATCH ?');
        // One quoted phrase: the reader's text is searched as written, never as FTS5 syntax.
        parameters.push(`"${query.replaceAll('"', '""')}"`);
      } else {
        clauses.push('instr(lower(text), lower(?)) > 0');
        parameters.push(query);
        note = 'fewer than three characters: matched by scanning, not through the index';
      }
    }
    const equal: [string, string | undefined][] = [
      ['language', filters.language],
      ['cell_id', filters.cellId],
      ['agent', filters.agent],
      ['channel', filters.channel],
    ];
    for (const [column, value] of equal) {
      if (value === undefined || value === '') continue;
      clauses.push(`${column} = ?`);
      parameters.push(value);
    }
    if (filters.category !== undefined && filters.category !== '') {
      clauses.push('instr(categories, ?) > 0');
      parameters.push(` ${filters.category} `);
    }
    const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
    const offset = Math.max(0, Math.floor(filters.offset ?? 0));
    const rows = this.index
      .prepare(
        `SELECT run_id AS runId, seq, turn, agent, channel, language, cell_id AS cellId, categories, text
         FROM actions ${where} ORDER BY rowid LIMIT ? OFFSET ?`,
      )
      .all(...parameters, SEARCH_PAGE_SIZE + 1, offset) as (Omit<SearchHit, 'categories'> & {
      categories: string;
    })[];
    const hits = rows.slice(0, SEARCH_PAGE_SIZE).map((row) => ({
      ...row,
      categories: row.categories.trim() === '' ? [] : row.categories.trim().split(' '),
    }));
    return { hits, more: rows.length > SEARCH_PAGE_SIZE, ...(note === undefined ? {} : { note }) };
  }
}

/** The index's tables (created when absent) and its format. */
function prepareIndex(database: Database.Database): Database.Database {
  database.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS indexed (run_id TEXT PRIMARY KEY, max_seq INTEGER NOT NULL);
    CREATE VIRTUAL TABLE IF NOT EXISTS actions USING fts5(
      text, run_id UNINDEXED, seq UNINDEXED, turn UNINDEXED, agent UNINDEXED, channel UNINDEXED,
      language UNINDEXED, cell_id UNINDEXED, categories UNINDEXED, tokenize = 'trigram'
    );
    `);
  database.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('format', INDEX_FORMAT);
  return database;
}

/** The index file, opened and checked; undefined when it cannot be used as it is. */
function openIndexFile(file: string): Database.Database | undefined {
  let database: Database.Database | undefined;
  try {
    database = new Database(file);
    // A rollback journal: the folder gains no -wal / -shm files beside the index.
    database.pragma('journal_mode = DELETE');
    const format = readMeta(database, 'format');
    if (format !== undefined && format !== INDEX_FORMAT) throw new Error('index of another format');
    // Creating the schema is also the check that the file can be written.
    return prepareIndex(database);
  } catch {
    database?.close();
    return undefined;
  }
}

function removeIndexFile(file: string): boolean {
  try {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    return true;
  } catch {
    return false;
  }
}

function readMeta(database: Database.Database, key: string): string | undefined {
  try {
    return (database.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  } catch {
    return undefined;
  }
}
