import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type {
  ActionEvent,
  ActionFeatures,
  AgentFeatures,
  AgentSetup,
  CallRecord,
  Results,
  RunFeatures,
  RunStartEvent,
  TurnFeatures,
} from '../contracts/index.js';
import type { StoredRun } from './run-store.js';
import type { CallTotals, StoreReader } from './store-reader.js';

/**
 * Exporters: the store as tidy long tables (one row per run, agent-in-run, action, model call,
 * turn aggregate and result row) in CSV, JSON Lines or Parquet. The columns of each table are
 * declared once here (`EXPORT_TABLES`) and documented in docs/data-dictionary.md; a test holds the
 * two together. The design factors (language, level, model, replicate, seed) lead every row, so a
 * table read alone still says which cell each row belongs to.
 *
 * Memory stays flat in the size of the transcripts: rows are streamed from the store with
 * `.iterate()` and written in chunks (CSV and JSONL about 1 MB at a time, Parquet one row group of
 * `PARQUET_ROW_GROUP` rows at a time). What is held whole is per run (the runs, their agents), never
 * per action. Output goes to a temporary file renamed into place, so a failed export leaves nothing.
 * Call rows carry what the store keeps, which never includes a credential (see the recorder).
 */

export const EXPORT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ColumnType = 'string' | 'integer' | 'double' | 'boolean';
export type CellValue = string | number | boolean | null;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** One line for the data dictionary. */
  description: string;
}

/** The codebook's lexicon categories, one hit-count column each (`hits_<category>`). */
export const HIT_CATEGORIES = ['sexual', 'protective', 'conformity', 'individuation'] as const;

const column = (name: string, type: ColumnType, description: string): ColumnSpec => ({ name, type, description });

const DESIGN_COLUMNS: ColumnSpec[] = [
  column('language', 'string', 'BCP-47 tag of the run language (results: the row language, null when pooled)'),
  column('level', 'integer', 'dose level: instructed agents out of the group (results: null)'),
  column('model', 'string', 'model reference as the study names it (results: null when the study has several)'),
  column('replicate', 'integer', 'replicate index within the cell, from 0 (results: null)'),
  column('seed', 'integer', "the run's seed, derived from the study seed (results: null)"),
  column('run_id', 'string', 'run identifier (results: null)'),
  column('cell_id', 'string', 'design cell (language x level x model) (results: null)'),
];

const HIT_COLUMNS: ColumnSpec[] = HIT_CATEGORIES.map((category) =>
  column(`hits_${category}`, 'integer', `lexicon hits of the ${category} category (null before scoring)`),
);
const EXTRA_HITS = column(
  'hits_other',
  'string',
  'JSON object of hits in categories outside the codebook four (null when there are none)',
);

export const EXPORT_TABLES = {
  runs: [
    ...DESIGN_COLUMNS,
    column('status', 'string', 'pending, running, completed, stopped or failed'),
    column('turns_completed', 'integer', 'turns committed to the store'),
    column('attempted', 'integer', 'agent turns attempted (agents x turns), null before scoring'),
    column('actions', 'integer', 'parsed actions'),
    column('parse_errors', 'integer', 'model answers that did not parse as an action'),
    column('call_errors', 'integer', 'model calls that failed after retries'),
    column('intended_language_share', 'double', 'share of actions detected in the intended language'),
    column('monologue_ratio', 'double', 'monologue actions / all actions'),
    column('conformity_rate', 'double', 'conformity / (conformity + individuation) hits'),
    column('cpi', 'double', 'Collective Pathology Index (study-relative z-scores)'),
    column('di', 'double', 'Dissociation Index (study-relative z-scores)'),
    column('excluded', 'boolean', 'excluded from the analysis by an exclusion rule'),
    column('exclusion_reason', 'string', 'why, when excluded'),
    ...HIT_COLUMNS,
    EXTRA_HITS,
    column('calls', 'integer', 'model calls recorded for the run'),
    column('retries', 'integer', 'retries over all calls'),
    column('cached_calls', 'integer', 'calls answered from the response cache'),
    column('failed_calls', 'integer', 'calls that ended in an error'),
    column('prompt_tokens', 'integer', 'prompt tokens over all calls'),
    column('completion_tokens', 'integer', 'completion tokens over all calls'),
    column('cost_usd', 'double', 'cost in USD (null when no price is known)'),
  ],
  agents: [
    ...DESIGN_COLUMNS,
    column('agent', 'string', 'agent id within the run'),
    column('persona_id', 'string', "the pack's persona the agent plays"),
    column('agent_name', 'string', 'the name the agent goes by'),
    column('instructed', 'boolean', 'received at least one intervention'),
    column('interventions', 'string', 'interventions received, joined by ";" ("" = none)'),
    column('actions', 'integer', 'parsed actions (null before scoring)'),
    column('monologues', 'integer', 'monologue actions'),
    column('monologue_ratio', 'double', 'monologues / actions'),
    column('intended_language_share', 'double', 'share of actions detected in the intended language'),
    column('conformity_rate', 'double', 'conformity / (conformity + individuation) hits'),
    column('di', 'double', 'agent-level Dissociation Index'),
    ...HIT_COLUMNS,
    EXTRA_HITS,
  ],
  actions: [
    ...DESIGN_COLUMNS,
    column('seq', 'integer', "position in the run's transcript, from 0"),
    column('turn', 'integer', 'turn, from 1'),
    column('agent', 'string', 'acting agent id'),
    column('channel', 'string', 'talk, whisper or monologue'),
    column('target', 'string', 'whisper recipient (agent id), null otherwise'),
    column('text', 'string', 'the action text (model output: untrusted)'),
    column('call_id', 'string', 'the model call that produced it (join to calls.call_id)'),
    column('words', 'integer', 'words (segments) scored (null before scoring)'),
    column('detected_language', 'string', 'ISO 639-3 code the language check assigned, "und" when too short'),
    ...HIT_COLUMNS,
    EXTRA_HITS,
    column('matches', 'string', 'JSON array of lexicon hits {category, term, start, end} (UTF-16 offsets)'),
  ],
  calls: [
    ...DESIGN_COLUMNS,
    column('call_id', 'string', 'call identifier <run>/<turn>/<agent>'),
    column('turn', 'integer', 'turn, from 1'),
    column('agent', 'string', 'calling agent id'),
    column('model_version', 'string', 'version the provider says answered'),
    column('request_hash', 'string', 'hash of the request (model, messages, sampling, replicate); no secret'),
    column('prompt_tokens', 'integer', 'prompt tokens'),
    column('completion_tokens', 'integer', 'completion tokens'),
    column('cached_prompt_tokens', 'integer', "prompt tokens served from the provider's prompt cache"),
    column('latency_ms', 'double', 'latency in milliseconds (0 for a cache hit)'),
    column('attempts', 'integer', 'attempts made, including the last'),
    column('retries', 'integer', 'attempts - 1'),
    column('cached', 'boolean', 'answered from the response cache'),
    column('finish_reason', 'string', 'stop, length, content-filter, error or other'),
    column('cost_usd', 'double', 'cost in USD (null when no price is known)'),
    column('warnings', 'string', 'JSON array of warnings (ignored settings and similar)'),
    column('response', 'string', 'the response text (model output: untrusted)'),
    column('error', 'string', 'the error, redacted, when the call failed: `model-call-<kind>: <message>`'),
  ],
  turns: [
    ...DESIGN_COLUMNS,
    column('turn', 'integer', 'turn, from 1'),
    column('phase', 'string', 'scenario phase of the event injected at this turn'),
    column('attempted', 'integer', 'agent turns attempted in the turn'),
    column('actions', 'integer', 'parsed actions'),
    column('monologues', 'integer', 'monologue actions'),
    column('scored_actions', 'integer', 'actions scored'),
    column('monologue_ratio', 'double', 'monologues / actions'),
    column('conformity_rate', 'double', 'conformity / (conformity + individuation) hits'),
    column('cpi', 'double', 'CPI on the run scale (null for excluded runs or raw-count studies)'),
    column('di', 'double', 'DI on the run scale (null for excluded runs or raw-count studies)'),
    ...HIT_COLUMNS,
    EXTRA_HITS,
  ],
  results: [
    ...DESIGN_COLUMNS,
    column('hypothesis', 'string', 'hypothesis id of the analysis plan'),
    column('kind', 'string', 'contrast, trend, model, correlation, ...'),
    column('metric', 'string', 'the index tested'),
    column('confirmatory', 'boolean', 'in the confirmatory family (else exploratory)'),
    column('label', 'string', 'what the row estimates, in words'),
    column('term', 'string', 'model term, for model rows'),
    column('quantity', 'string', 'the estimated quantity (g, beta, r, ...)'),
    column('estimate', 'double', 'point estimate'),
    column('se', 'double', 'standard error'),
    column('ci_low', 'double', 'lower bound of the 95% CI'),
    column('ci_high', 'double', 'upper bound of the 95% CI'),
    column('statistic', 'string', 'name of the test statistic (t, z, F, ...)'),
    column('statistic_value', 'double', 'value of the test statistic'),
    column('df', 'double', 'degrees of freedom'),
    column('p', 'double', 'p value'),
    column('p_adjusted', 'double', 'p value adjusted over the correction family'),
    column('n_total', 'integer', 'observations behind the row (sum over groups)'),
    column('estimator', 'string', 'estimator name and version'),
  ],
} satisfies Record<string, ColumnSpec[]>;

export type ExportTable = keyof typeof EXPORT_TABLES;
export const EXPORT_TABLE_NAMES = Object.keys(EXPORT_TABLES) as ExportTable[];

// ---------------------------------------------------------------------------------------------
// Rows

type Row = CellValue[];

function designOf(run: StoredRun | undefined, runId: string): Row {
  return [
    run?.language ?? null,
    run?.dose ?? null,
    run?.model ?? null,
    run?.replicate ?? null,
    run?.seed ?? null,
    runId,
    run?.cellId ?? null,
  ];
}

function hitsOf(hits: Record<string, number> | undefined): Row {
  if (hits === undefined) return [...HIT_CATEGORIES.map(() => null), null];
  const other = Object.entries(hits).filter(([category]) => !(HIT_CATEGORIES as readonly string[]).includes(category));
  return [
    ...HIT_CATEGORIES.map((category) => hits[category] ?? 0),
    other.length === 0 ? null : JSON.stringify(Object.fromEntries(other)),
  ];
}

function* runRows(reader: StoreReader, runs: readonly StoredRun[]): Generator<Row> {
  const features = new Map<string, RunFeatures>();
  for (const { body } of reader.iterateFeatureBodies('runs')) {
    const parsed = JSON.parse(body) as RunFeatures;
    features.set(parsed.runId, parsed);
  }
  const totals = reader.callTotals();
  for (const run of runs) {
    const feature = features.get(run.runId);
    const total: CallTotals | undefined = totals.get(run.runId);
    yield [
      ...designOf(run, run.runId),
      run.status,
      run.turnsCompleted,
      feature?.attempted ?? null,
      feature?.actions ?? null,
      feature?.parseErrors ?? null,
      feature?.callErrors ?? null,
      feature?.intendedLanguageShare ?? null,
      feature?.monologueRatio ?? null,
      feature?.conformityRate ?? null,
      feature?.cpi ?? null,
      feature?.di ?? null,
      feature?.excluded ?? null,
      feature?.exclusionReason ?? null,
      ...hitsOf(feature?.hits),
      total?.calls ?? 0,
      total?.retries ?? 0,
      total?.cachedCalls ?? 0,
      total?.failedCalls ?? 0,
      total?.promptTokens ?? 0,
      total?.completionTokens ?? 0,
      total?.costUsd ?? null,
    ];
  }
}

function* agentRows(reader: StoreReader, runsById: ReadonlyMap<string, StoredRun>): Generator<Row> {
  // Per run, not per action: ten agents of each run.
  const features = new Map<string, AgentFeatures>();
  for (const { body } of reader.iterateFeatureBodies('agents')) {
    const parsed = JSON.parse(body) as AgentFeatures;
    features.set(`${parsed.runId}\u0000${parsed.agent}`, parsed);
  }
  const starts: { runId: string; agents: AgentSetup[] }[] = [];
  for (const { runId, body } of reader.iterateRunStarts()) {
    starts.push({ runId, agents: (JSON.parse(body) as RunStartEvent).agents });
  }
  for (const { runId, agents } of starts) {
    for (const agent of agents) {
      const feature = features.get(`${runId}\u0000${agent.id}`);
      yield [
        ...designOf(runsById.get(runId), runId),
        agent.id,
        agent.personaId,
        agent.name,
        agent.interventions.length > 0,
        agent.interventions.join(';'),
        feature?.actions ?? null,
        feature?.monologues ?? null,
        feature?.monologueRatio ?? null,
        feature?.intendedLanguageShare ?? null,
        feature?.conformityRate ?? null,
        feature?.di ?? null,
        ...hitsOf(feature?.hits),
      ];
    }
  }
}

function* actionRows(reader: StoreReader, runsById: ReadonlyMap<string, StoredRun>): Generator<Row> {
  for (const { body, features } of reader.iterateActions()) {
    const action = JSON.parse(body) as ActionEvent;
    const feature = features === null ? undefined : (JSON.parse(features) as ActionFeatures);
    yield [
      ...designOf(runsById.get(action.runId), action.runId),
      action.seq,
      action.turn,
      action.agent,
      action.channel,
      action.target ?? null,
      action.text,
      action.callId,
      feature?.words ?? null,
      feature?.detectedLanguage ?? null,
      ...hitsOf(feature?.hits),
      feature?.matches === undefined ? null : JSON.stringify(feature.matches),
    ];
  }
}

function* callRows(reader: StoreReader, runsById: ReadonlyMap<string, StoredRun>): Generator<Row> {
  for (const call of reader.iterateCalls() as Iterable<CallRecord>) {
    yield [
      ...designOf(runsById.get(call.runId), call.runId),
      call.callId,
      call.turn,
      call.agentId,
      call.modelVersion,
      call.requestHash,
      call.promptTokens,
      call.completionTokens,
      call.cachedPromptTokens,
      call.latencyMs,
      call.attempts.length,
      Math.max(0, call.attempts.length - 1),
      call.cached,
      call.finishReason,
      call.costUsd,
      JSON.stringify(call.warnings),
      call.text,
      call.error,
    ];
  }
}

function* turnRows(reader: StoreReader, runsById: ReadonlyMap<string, StoredRun>): Generator<Row> {
  for (const { body } of reader.iterateFeatureBodies('turns')) {
    const turn = JSON.parse(body) as TurnFeatures;
    yield [
      ...designOf(runsById.get(turn.runId), turn.runId),
      turn.turn,
      turn.phase,
      turn.attempted,
      turn.actions,
      turn.monologues,
      turn.scoredActions,
      turn.monologueRatio,
      turn.conformityRate,
      turn.cpi,
      turn.di,
      ...hitsOf(turn.hits),
    ];
  }
}

function* resultRows(results: Results | undefined): Generator<Row> {
  if (results === undefined) return;
  const model = results.models.length === 1 ? results.models[0]! : null;
  for (const hypothesis of results.hypotheses) {
    for (const row of hypothesis.rows) {
      const n = row.n === undefined ? null : Object.values(row.n).reduce((total, value) => total + value, 0);
      yield [
        row.language ?? null,
        null,
        model,
        null,
        null,
        null,
        null,
        hypothesis.id,
        hypothesis.kind,
        hypothesis.metric,
        hypothesis.confirmatory,
        row.label,
        row.term ?? null,
        row.quantity,
        row.estimate,
        row.se ?? null,
        row.ci?.[0] ?? null,
        row.ci?.[1] ?? null,
        row.statistic ?? null,
        row.statisticValue ?? null,
        row.df ?? null,
        row.p ?? null,
        row.pAdjusted ?? null,
        n,
        `${row.estimator.name} ${row.estimator.version}`,
      ];
    }
  }
}

/** The rows of one table, streamed from the store (the reader must stay open while they are read). */
export function tableRows(reader: StoreReader, table: ExportTable): Iterable<Row> {
  const runs = reader.listRuns();
  const runsById = new Map(runs.map((run) => [run.runId, run]));
  switch (table) {
    case 'runs':
      return runRows(reader, runs);
    case 'agents':
      return agentRows(reader, runsById);
    case 'actions':
      return actionRows(reader, runsById);
    case 'calls':
      return callRows(reader, runsById);
    case 'turns':
      return turnRows(reader, runsById);
    case 'results': {
      const body = reader.resultsBody();
      return resultRows(body === undefined ? undefined : (JSON.parse(body) as Results));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writers

interface TableWriter {
  write(row: Row): void;
  finish(): void;
}

/** Text output in ~1 MB chunks. */
class ChunkedTextFile {
  private readonly descriptor: number;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(path: string) {
    this.descriptor = openSync(path, 'w');
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.descriptor, this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.descriptor);
  }
}

/**
 * RFC 4180: a field is quoted when it holds a comma, a quote, a line break or edge spaces. An empty
 * string is written `""`, so it stays distinct from null (an empty field).
 */
function csvField(value: CellValue): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  return value === '' || /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvWriter(path: string, columns: readonly ColumnSpec[]): TableWriter {
  const file = new ChunkedTextFile(path);
  file.write(`${columns.map((spec) => spec.name).join(',')}\r\n`);
  return {
    write: (row) => file.write(`${row.map(csvField).join(',')}\r\n`),
    finish: () => file.close(),
  };
}

function jsonlWriter(path: string, columns: readonly ColumnSpec[]): TableWriter {
  const file = new ChunkedTextFile(path);
  return {
    write: (row) => {
      const record: Record<string, CellValue> = {};
      columns.forEach((spec, index) => {
        record[spec.name] = row[index] ?? null;
      });
      file.write(`${JSON.stringify(record)}\n`);
    },
    finish: () => file.close(),
  };
}

/** Rows per Parquet row group: the unit held in memory while writing. */
export const PARQUET_ROW_GROUP = 10_000;

const PARQUET_TYPES = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  integer: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
} as const;

function parquetWriter(path: string, columns: readonly ColumnSpec[]): TableWriter {
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: [
      { name: 'root', num_children: columns.length },
      ...columns.map((spec) => ({
        name: spec.name,
        ...PARQUET_TYPES[spec.type],
        repetition_type: 'OPTIONAL' as const,
      })),
    ],
    createdBy: 'backfire export',
  });
  let buffered: CellValue[][] = columns.map(() => []);
  let rows = 0;
  const flush = () => {
    if (rows === 0) return;
    void writer.write({
      columnData: columns.map((spec, index) => ({
        name: spec.name,
        data:
          spec.type === 'integer'
            ? buffered[index]!.map((value) => (value === null ? null : BigInt(value as number)))
            : buffered[index]!,
      })),
      rowGroupSize: PARQUET_ROW_GROUP,
    });
    buffered = columns.map(() => []);
    rows = 0;
  };
  return {
    write: (row) => {
      row.forEach((value, index) => {
        buffered[index]!.push(value);
      });
      rows += 1;
      if (rows >= PARQUET_ROW_GROUP) flush();
    },
    finish: () => {
      flush();
      void writer.finish();
    },
  };
}

const WRITERS: Record<ExportFormat, (path: string, columns: readonly ColumnSpec[]) => TableWriter> = {
  csv: csvWriter,
  jsonl: jsonlWriter,
  parquet: parquetWriter,
};

/** Writes one table to `path` (through a temporary file renamed into place); returns its row count. */
export function exportTable(reader: StoreReader, table: ExportTable, format: ExportFormat, path: string): number {
  const columns = EXPORT_TABLES[table];
  const temporary = `${path}.tmp-${process.pid}`;
  let rows = 0;
  try {
    const writer = WRITERS[format](temporary, columns);
    for (const row of tableRows(reader, table)) {
      writer.write(row);
      rows += 1;
    }
    writer.finish();
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return rows;
}
