import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../src/models/index.js';
import { REPO_ROOT, runCli, runCliAsync, temporaryDirectory } from './support/cli.js';

/**
 * Issue "Real models": a study run against the loopback OpenAI-compatible mock server with injected
 * faults loses and duplicates no turn, reports retries and failure rates per cell, never writes the
 * API key anywhere, and can be re-executed from its recorded calls with the server gone.
 */

const SECRET = 'sk-test-SECRET-1234';
let server: MockServer;
let ref: string;

function study(name: string, modelRef: string): string {
  return `backfire: 1
name: ${name}
title: Real-model check
seed: 11
languages: [en, ja]
agents: 4
turns: 4
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 3
sampling: { temperature: 0.9, maxTokens: 64 }
modelOptions:
  "${modelRef}": { timeoutMs: 1000 }
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0 }
`;
}

function query<T>(file: string, sql: string): T {
  const database = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return database.prepare(sql).get() as T;
  } finally {
    database.close();
  }
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  server = await startMockServer({
    seed: 5,
    apiKey: SECRET,
    retryAfterMs: 100,
    timeoutHoldMs: 3000,
    faults: { rateLimit: 0.1, serverError: 0.02, timeout: 0.01, malformed: 0.01 },
  });
  ref = `openai-compatible:${server.url}#any`;
});

afterAll(async () => {
  await server?.close();
});

describe('a study against the mock OpenAI-compatible server', () => {
  it('survives 429s, 500s, timeouts and malformed bodies with every turn exactly once, and keeps the key secret', async () => {
    const directory = temporaryDirectory('mock-faults');
    const file = join(directory, 'study.yaml');
    writeFileSync(file, study('mock-faults', ref));
    const out = join(directory, 'run');
    const result = await runCliAsync(['run', file, '--model', ref, '--out', out], {
      env: { OPENAI_COMPATIBLE_API_KEY: SECRET },
    });
    expect(result.stderr).not.toContain('internal error');
    expect(result.status).toBe(0);

    const store = join(out, 'store.sqlite');
    const runs = 2 * 2 * 3;
    expect(query<{ count: number }>(store, "SELECT COUNT(*) AS count FROM events WHERE type = 'turn-end'").count).toBe(
      runs * 4,
    );
    const calls = query<{ count: number; distinctIds: number; retried: number; retries: number }>(
      store,
      'SELECT COUNT(*) AS count, COUNT(DISTINCT call_id) AS distinctIds, SUM(retries > 0) AS retried, SUM(retries) AS retries FROM calls',
    );
    expect(calls.count).toBe(runs * 4 * 4);
    expect(calls.distinctIds).toBe(calls.count);
    expect(calls.retries).toBeGreaterThan(0);
    const served = server.stats();
    expect(served.requests).toBeGreaterThan(calls.count);

    // Failure rates and retries are results, per cell.
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      cells: { retries: number; callErrorRate: number | null; parseErrorRate: number | null }[];
    };
    expect(results.cells).toHaveLength(4);
    expect(results.cells.reduce((total, cell) => total + cell.retries, 0)).toBe(calls.retries);
    for (const cell of results.cells) {
      expect(cell.callErrorRate).not.toBeNull();
      expect(cell.parseErrorRate).not.toBeNull();
    }
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/[Rr]etries/);
    expect(report).toMatch(/[Pp]arse/);

    // The key appears nowhere: store, manifest, results, reports, output.
    for (const path of filesUnder(out)) expect(readFileSync(path).includes(SECRET), path).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    const requestHashes = query<{ leaked: number }>(
      store,
      `SELECT COUNT(*) AS leaked FROM response_cache WHERE key LIKE '%${SECRET}%' OR body LIKE '%${SECRET}%'`,
    );
    expect(requestHashes.leaked).toBe(0);

    // Re-executed from the recorded calls, with no network at all (a closed port, no key).
    const replayed = join(directory, 'replayed');
    const again = await runCliAsync(['run', file, '--model', ref, '--replay', out, '--out', replayed, '--quiet'], {
      env: { OPENAI_COMPATIBLE_API_KEY: '' },
    });
    // The mock server answers in English, so the summary warns about the Japanese cells; nothing else.
    expect(again.stderr).toMatch(/^warning: 2 of 4 cells have a share of actions in the intended language below/);
    expect(again.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).toEqual([]);
    expect(again.status).toBe(0);
    expect(server.stats().requests).toBe(served.requests);
    const originalEvents = query<{ digest: string }>(
      store,
      "SELECT group_concat(body, '') AS digest FROM (SELECT body FROM events ORDER BY run_id, seq)",
    );
    const replayedEvents = query<{ digest: string }>(
      join(replayed, 'store.sqlite'),
      "SELECT group_concat(body, '') AS digest FROM (SELECT body FROM events ORDER BY run_id, seq)",
    );
    expect(replayedEvents.digest).toBe(originalEvents.digest);
  });

  it('refuses to start when the projected cost exceeds the budget, writing nothing', async () => {
    const directory = temporaryDirectory('budget');
    const file = join(directory, 'study.yaml');
    writeFileSync(file, study('budget', 'openai:gpt-4o-mini'));
    const out = join(directory, 'run');
    const result = await runCliAsync(
      ['run', file, '--model', 'openai:gpt-4o-mini', '--budget', '0.001', '--out', out],
      {
        env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: server.url },
      },
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/projected cost .* over the .* left of the budget/);
    expect(existsSync(out)).toBe(false);
  });

  it('plans cells, calls, tokens and cost', () => {
    const result = runCli(['plan', 'studies/study1.yaml', '--model', 'openai:gpt-4o-mini', '--json']);
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      cells: number;
      runs: number;
      calls: number;
      promptTokens: number;
      costUsd: number;
    };
    expect(plan).toMatchObject({ cells: 10, runs: 150, calls: 22_500 });
    expect(plan.promptTokens).toBeGreaterThan(10_000_000);
    expect(plan.costUsd).toBeGreaterThan(1);
  });
});

describe('a local GGUF model', () => {
  // The tiny random model is committed (test/fixtures/models/README.md); the runtime is the optional
  // peer node-llama-cpp, which .ci/run installs.
  const modelFile = join(REPO_ROOT, 'test', 'fixtures', 'models', 'llama-2-tiny-random.gguf');
  it.skipIf(!existsSync(join(REPO_ROOT, 'node_modules', 'node-llama-cpp', 'package.json')))(
    'runs a study end to end on the tiny random model; gibberish becomes parse errors',
    () => {
      const directory = temporaryDirectory('gguf');
      const file = join(directory, 'study.yaml');
      writeFileSync(
        file,
        `backfire: 1
name: gguf-tiny
title: Tiny GGUF
seed: 3
languages: [en]
agents: 3
turns: 2
design:
  dose: { variable: k, intervention: alignment, levels: [0, 3] }
replicates: 2
sampling: { temperature: 0.9, maxTokens: 24 }
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 3, low: 0 }
`,
      );
      const out = join(directory, 'run');
      const result = runCli(['run', file, '--model', `gguf:${modelFile}`, '--out', out, '--quiet']);
      expect(result.stderr).not.toContain('internal error');
      expect(result.status).toBe(0);
      const store = join(out, 'store.sqlite');
      expect(
        query<{ count: number }>(store, 'SELECT COUNT(*) AS count FROM calls WHERE completion_tokens > 0').count,
      ).toBe(24);
      expect(
        query<{ count: number }>(store, "SELECT COUNT(*) AS count FROM events WHERE type IN ('action', 'parse-error')")
          .count,
      ).toBe(24);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        models: { resolvedVersions: string[] }[];
      };
      expect(manifest.models[0]?.resolvedVersions.length).toBe(1);
    },
  );
});
