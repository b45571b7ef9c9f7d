import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionEvent, Results, RunFeatures, RunStartEvent } from '../src/contracts/index.js';
import { type ColumnSpec, EXPORT_TABLE_NAMES, EXPORT_TABLES, type ExportTable } from '../src/store/index.js';
import { REPO_ROOT, runCli, temporaryDirectory } from './support/cli.js';
import { runInProcess } from './support/in-process-cli.js';

/**
 * Issue "See the evidence", export: every table in CSV, JSON Lines and Parquet, read back through
 * independent readers (csv-parse, JSON.parse, DuckDB) and compared with the store row by row; the
 * data dictionary documents every column.
 */

const STUDY = `backfire: 1
name: export-check
title: Export check
seed: 8
languages: [en, ja]
agents: 4
turns: 3
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 2
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0, by: language }
    - { id: E1, kind: trend, metric: di, confirmatory: false }
`;

type Value = string | number | boolean | null;
type Row = Record<string, Value>;

let runFolder = '';
let exported = '';

beforeAll(async () => {
  const directory = temporaryDirectory('export');
  writeFileSync(join(directory, 'study.yaml'), STUDY);
  runFolder = join(directory, 'run');
  const run = runCli(['run', join(directory, 'study.yaml'), '--out', runFolder, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  exported = join(directory, 'exported');
  for (const format of ['csv', 'jsonl', 'parquet']) {
    const result = await runInProcess(['export', runFolder, '--format', format, '--out', join(exported, format)]);
    expect(result.status, result.stderr).toBe(0);
  }
}, 120_000);

/** A CSV cell back to its column's type (an unquoted empty field is null; `""` is an empty string). */
function fromCsv(value: string | null, spec: ColumnSpec): Value {
  if (value === null) return null;
  if (spec.type === 'integer' || spec.type === 'double') return Number(value);
  if (spec.type === 'boolean') return value === 'true';
  return value;
}

function readCsv(table: ExportTable): Row[] {
  const records = parseCsv(readFileSync(join(exported, 'csv', `${table}.csv`)), {
    columns: true,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  }) as Record<string, string | null>[];
  return records.map((record) =>
    Object.fromEntries(EXPORT_TABLES[table].map((spec) => [spec.name, fromCsv(record[spec.name] ?? null, spec)])),
  );
}

function readJsonl(table: ExportTable): Row[] {
  return readFileSync(join(exported, 'jsonl', `${table}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);
}

async function readParquet(table: ExportTable): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const file = join(exported, 'parquet', `${table}.parquet`).replaceAll("'", "''");
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
    return reader
      .getRowObjectsJS()
      .map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key,
            typeof value === 'bigint' ? Number(value) : (value as Value),
          ]),
        ),
      );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function query<T>(sql: string): T[] {
  const database = new Database(join(runFolder, 'store.sqlite'), { readonly: true });
  try {
    return database.prepare(sql).all() as T[];
  } finally {
    database.close();
  }
}

/** What the store says each table must hold: its row count and a few columns per row, keyed. */
function expectedFromStore(table: ExportTable): { key: (row: Row) => string; rows: Map<string, Row> } {
  const runs = new Map(
    query<{ run_id: string; language: string; dose: number; model: string; replicate: number; seed: number }>(
      'SELECT * FROM runs',
    ).map((run) => [run.run_id, run]),
  );
  const design = (runId: string): Row => {
    const run = runs.get(runId)!;
    return {
      run_id: runId,
      language: run.language,
      level: run.dose,
      model: run.model,
      replicate: run.replicate,
      seed: run.seed,
    };
  };
  switch (table) {
    case 'runs': {
      const features = new Map(
        query<{ body: string }>('SELECT body FROM run_features').map(({ body }) => {
          const parsed = JSON.parse(body) as RunFeatures;
          return [parsed.runId, parsed];
        }),
      );
      return {
        key: (row) => String(row.run_id),
        rows: new Map(
          [...runs.keys()].map((runId) => {
            const feature = features.get(runId)!;
            return [
              runId,
              {
                ...design(runId),
                cpi: feature.cpi,
                di: feature.di,
                hits_sexual: feature.hits.sexual ?? 0,
                excluded: feature.excluded,
              },
            ];
          }),
        ),
      };
    }
    case 'agents': {
      const rows = new Map<string, Row>();
      for (const { body } of query<{ body: string }>("SELECT body FROM events WHERE type = 'run-start'")) {
        const start = JSON.parse(body) as RunStartEvent;
        for (const agent of start.agents) {
          rows.set(`${start.runId}/${agent.id}`, {
            ...design(start.runId),
            agent: agent.id,
            persona_id: agent.personaId,
            instructed: agent.interventions.length > 0,
          });
        }
      }
      return { key: (row) => `${row.run_id}/${row.agent}`, rows };
    }
    case 'actions': {
      const rows = new Map<string, Row>();
      for (const { body } of query<{ body: string }>("SELECT body FROM events WHERE type = 'action'")) {
        const action = JSON.parse(body) as ActionEvent;
        rows.set(`${action.runId}/${action.seq}`, {
          ...design(action.runId),
          seq: action.seq,
          text: action.text,
          channel: action.channel,
          target: action.target ?? null,
          call_id: action.callId,
        });
      }
      return { key: (row) => `${row.run_id}/${row.seq}`, rows };
    }
    case 'calls': {
      const rows = new Map<string, Row>();
      for (const call of query<Record<string, unknown>>('SELECT * FROM calls')) {
        rows.set(String(call.call_id), {
          ...design(String(call.run_id)),
          call_id: String(call.call_id),
          response: String(call.text),
          prompt_tokens: Number(call.prompt_tokens),
          request_hash: String(call.request_hash),
          cached: Number(call.cached) === 1,
        } satisfies Row);
      }
      return { key: (row) => String(row.call_id), rows };
    }
    case 'turns': {
      const rows = new Map<string, Row>();
      for (const { body } of query<{ body: string }>('SELECT body FROM turn_features')) {
        const turn = JSON.parse(body) as {
          runId: string;
          turn: number;
          phase: string;
          actions: number;
          cpi: number | null;
        };
        rows.set(`${turn.runId}/${turn.turn}`, {
          ...design(turn.runId),
          turn: turn.turn,
          phase: turn.phase,
          actions: turn.actions,
          cpi: turn.cpi,
        });
      }
      return { key: (row) => `${row.run_id}/${row.turn}`, rows };
    }
    case 'results': {
      const results = JSON.parse(readFileSync(join(runFolder, 'results.json'), 'utf8')) as Results;
      const rows = new Map<string, Row>();
      for (const hypothesis of results.hypotheses) {
        hypothesis.rows.forEach((row) => {
          rows.set(`${hypothesis.id}/${row.label}`, {
            hypothesis: hypothesis.id,
            label: row.label,
            language: row.language ?? null,
            estimate: row.estimate,
            p: row.p ?? null,
            p_adjusted: row.pAdjusted ?? null,
            confirmatory: hypothesis.confirmatory,
          });
        });
      }
      return { key: (row) => `${row.hypothesis}/${row.label}`, rows };
    }
  }
}

describe('backfire export', () => {
  it('documents every column of every table in docs/data-dictionary.md', () => {
    const dictionary = readFileSync(join(REPO_ROOT, 'docs', 'data-dictionary.md'), 'utf8');
    for (const table of EXPORT_TABLE_NAMES) {
      const section = dictionary.split(`\n## \`${table}\``)[1]?.split('\n## ')[0];
      expect(section, `section for ${table}`).toBeDefined();
      for (const column of EXPORT_TABLES[table])
        expect(section, `${table}.${column.name}`).toContain(`| \`${column.name}\` |`);
    }
  });

  it.each(EXPORT_TABLE_NAMES)('round-trips the %s table in CSV, JSON Lines and Parquet', async (table) => {
    const expected = expectedFromStore(table);
    expect(expected.rows.size).toBeGreaterThan(0);
    const formats = { csv: readCsv(table), jsonl: readJsonl(table), parquet: await readParquet(table) };
    const names = EXPORT_TABLES[table].map((spec) => spec.name);
    for (const [format, rows] of Object.entries(formats)) {
      expect(rows, `${format} row count`).toHaveLength(expected.rows.size);
      expect(Object.keys(rows[0]!), `${format} columns`).toEqual(names);
      for (const row of rows) {
        const want = expected.rows.get(expected.key(row));
        expect(want, `${format} ${expected.key(row)}`).toBeDefined();
        for (const [column, value] of Object.entries(want!)) {
          if (typeof value === 'number' && !Number.isInteger(value)) {
            expect(row[column], `${format} ${table}.${column}`).toBeCloseTo(value, 12);
          } else {
            expect(row[column], `${format} ${table}.${column}`).toEqual(value);
          }
        }
      }
      // Every format carries the same values, column for column (JSON Lines as the reference).
      expect(rows.map((row) => normalise(row))).toEqual(formats.jsonl.map((row) => normalise(row)));
    }
  });

  it('refuses a folder that is not a run folder, and a bad format, with exit 2 and nothing written', async () => {
    const directory = temporaryDirectory('export-bad');
    const out = join(directory, 'out.csv');
    const notRun = await runInProcess(['export', directory, '--table', 'runs', '--out', out]);
    expect(notRun.status).toBe(2);
    expect(notRun.stderr).toContain('is not a run folder');
    const badFormat = await runInProcess(['export', runFolder, '--format', 'xlsx', '--out', out]);
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toContain('xlsx');
    expect(() => readFileSync(out)).toThrow();
  });
});

/** Doubles compared to 12 digits (CSV prints the shortest round-trip form; Parquet stores binary). */
function normalise(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
    ]),
  );
}
