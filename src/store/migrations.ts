/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Never edit a
 * released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    cell_id TEXT NOT NULL,
    language TEXT NOT NULL,
    model TEXT NOT NULL,
    dose INTEGER NOT NULL,
    replicate INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    schedule_order INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    turns_completed INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX runs_by_order ON runs (schedule_order);
  CREATE TABLE events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    turn INTEGER NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE calls (
    call_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    model TEXT NOT NULL,
    model_version TEXT,
    request_hash TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_prompt_tokens INTEGER,
    latency_ms REAL NOT NULL,
    attempts TEXT NOT NULL,
    retries INTEGER NOT NULL,
    cached INTEGER NOT NULL,
    finish_reason TEXT NOT NULL,
    cost_usd REAL,
    warnings TEXT NOT NULL,
    text TEXT NOT NULL,
    error TEXT
  );
  CREATE INDEX calls_by_run ON calls (run_id);
  CREATE TABLE response_cache (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE action_features (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE agent_features (
    run_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, agent)
  ) WITHOUT ROWID;
  CREATE TABLE run_features (
    run_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE results (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: replay looks calls up by request hash.
  'CREATE INDEX calls_by_request_hash ON calls (request_hash);',
  // 3: per-turn and per-phase features (trajectories), written by the score stage.
  `
  CREATE TABLE turn_features (
    run_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, turn)
  ) WITHOUT ROWID;
  CREATE TABLE phase_features (
    run_id TEXT NOT NULL,
    first_turn INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, first_turn)
  ) WITHOUT ROWID;
  `,
  // 4: replay's request-hash lookups are served from a map built on first use (RunStore.callsFor):
  // this index cost a random page write per call at every commit of a simulation.
  'DROP INDEX calls_by_request_hash;',
];
