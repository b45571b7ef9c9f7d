import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallRecord, RunPlan, TranscriptEvent } from '../contracts/index.js';
import Database from 'better-sqlite3';
import { RunStore } from './run-store.js';
import { StoreReader } from './store-reader.js';

const plan: RunPlan = {
  id: 'en.k0.r000',
  cell: { id: 'en.k0', language: 'en', dose: 0, model: 'surrogate' },
  replicate: 0,
  seed: 3,
  order: 0,
};

function call(turn: number, attempts: number): CallRecord {
  return {
    callId: `${plan.id}/t${turn}/p01`,
    runId: plan.id,
    turn,
    agentId: 'p01',
    model: 'surrogate',
    modelVersion: 'v1',
    requestHash: 'abc',
    promptTokens: 10,
    completionTokens: 5,
    cachedPromptTokens: null,
    latencyMs: 1,
    attempts: Array.from({ length: attempts }, (_, index) => ({
      attempt: index + 1,
      outcome: index + 1 === attempts ? 'success' : 'rate-limit',
    })),
    cached: false,
    finishReason: 'stop',
    costUsd: 0.001,
    warnings: [],
    text: '[talk] hi',
    error: null,
  };
}

const turnEvents = (turn: number, startSeq: number): TranscriptEvent[] => [
  { v: 1, runId: plan.id, seq: startSeq, turn, type: 'turn-start', order: ['p01'] },
  {
    v: 1,
    runId: plan.id,
    seq: startSeq + 1,
    turn,
    type: 'action',
    agent: 'p01',
    channel: 'talk',
    text: 'hi',
    callId: `${plan.id}/t${turn}/p01`,
  },
  { v: 1, runId: plan.id, seq: startSeq + 2, turn, type: 'turn-end' },
];

describe('RunStore', () => {
  it('commits turns atomically and summarises calls', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite');
    const store = RunStore.open(file, { create: true });
    store.planRuns([plan]);
    store.planRuns([plan]); // idempotent
    store.commitTurn({ runId: plan.id, turn: 1, events: turnEvents(1, 0), calls: [call(1, 3)], status: 'running' });
    // A turn whose second event collides is rolled back whole.
    const clash = turnEvents(2, 2);
    expect(() =>
      store.commitTurn({ runId: plan.id, turn: 2, events: clash, calls: [call(2, 1)], status: 'running' }),
    ).toThrow();
    expect(store.loadEvents(plan.id)).toHaveLength(3);
    expect(store.loadCalls()).toHaveLength(1);
    expect(store.listRuns()[0]).toMatchObject({ status: 'running', turnsCompleted: 1 });
    const summary = store.summariseCalls().get(plan.id);
    expect(summary).toMatchObject({ calls: 1, retries: 2, promptTokens: 10, modelVersions: ['v1'] });
    expect(store.totalCostUsd()).toBeCloseTo(0.001);
    store.close();
    // Reopening keeps everything and does not re-run migrations.
    const reopened = RunStore.open(file, { create: false });
    expect(reopened.loadAllEvents().get(plan.id)).toHaveLength(3);
    reopened.cachePut('k', 'v');
    expect(reopened.cacheGet('k')).toBe('v');
    reopened.close();
  });

  it('writes response-cache entries with the next turn commit or at the end of the event-loop turn', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite');
    const store = RunStore.open(file, { create: true });
    store.planRuns([plan]);
    const written = (key: string) => {
      const reader = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return reader.prepare('SELECT body FROM response_cache WHERE key = ?').get(key) !== undefined;
      } finally {
        reader.close();
      }
    };
    store.cachePut('with-turn', 'a');
    expect(store.cacheGet('with-turn')).toBe('a'); // readable before it is written
    expect(written('with-turn')).toBe(false);
    store.commitTurn({ runId: plan.id, turn: 1, events: [], calls: [call(1, 1)], status: 'running' });
    expect(written('with-turn')).toBe(true); // in the turn's transaction
    store.cachePut('alone', 'b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(written('alone')).toBe(true); // no turn commit: at the end of the event-loop turn
    store.cachePut('at-close', 'c');
    store.close();
    expect(written('at-close')).toBe(true);
  });

  it('answers replay lookups by request hash, in recorded order, without an index on the hash', () => {
    const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite'), { create: true });
    store.planRuns([plan]);
    const hashed = (turn: number, requestHash: string): CallRecord => ({ ...call(turn, 1), requestHash });
    store.commitTurns([
      { runId: plan.id, turn: 1, events: turnEvents(1, 0), calls: [hashed(1, 'h-a')], status: 'running' },
      { runId: plan.id, turn: 2, events: turnEvents(2, 3), calls: [hashed(2, 'h-b')], status: 'running' },
      { runId: plan.id, turn: 3, events: turnEvents(3, 6), calls: [hashed(3, 'h-a')], status: 'running' },
    ]);
    expect(store.callsFor('h-a').map((record) => record.turn)).toEqual([1, 3]);
    expect(store.callsFor('h-b').map((record) => record.callId)).toEqual([`${plan.id}/t2/p01`]);
    expect(store.callsFor('h-none')).toEqual([]);
    expect(store.listRuns()[0]).toMatchObject({ turnsCompleted: 3 });
    store.close();
  });

  it('leaves stores written before migration 4 (an index dropped) readable, and older ones not', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'store.sqlite');
    RunStore.open(file, { create: true }).close();
    const setSchema = (version: number) => {
      const database = new Database(file);
      database.pragma(`user_version = ${version}`);
      database.close();
    };
    setSchema(3);
    StoreReader.open(file).close();
    setSchema(2);
    expect(() => StoreReader.open(file)).toThrow(/older schema/);
  });

  it('refuses to open a missing store for a later stage', () => {
    expect(() => RunStore.open(join(tmpdir(), 'no-such-dir', 'store.sqlite'), { create: false })).toThrow(
      /no store at/,
    );
  });
});

describe('background checkpoints', () => {
  it('moves WAL checkpoints to a worker while work runs, and leaves every write readable', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'backfire-checkpoint-')), 'store.sqlite');
    const store = RunStore.open(path, { create: true });
    const body = 'x'.repeat(2000);
    const databaseBytes = () => statSync(path).size;
    const before = databaseBytes();
    let duringWork = 0;
    await store.withBackgroundCheckpoints(async () => {
      // About 5,000 pages of log: below the raised automatic threshold, so only the worker can
      // have copied them into the database file.
      for (let index = 0; index < 1000; index += 1) {
        store.cachePut(`key-${index}`, body);
        if (index % 250 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      const deadline = Date.now() + 5000;
      while (databaseBytes() < before + 1_000_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      duringWork = databaseBytes();
    });
    expect(duringWork).toBeGreaterThan(before + 1_000_000);
    expect(store.cacheGet('key-999')).toBe(body);
    store.close();
    const reopened = RunStore.open(path, { create: false });
    expect(reopened.cacheGet('key-0')).toBe(body);
    reopened.close();
  });

  it('stops its worker when the work fails', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'backfire-checkpoint-')), 'store.sqlite');
    const store = RunStore.open(path, { create: true });
    await expect(
      store.withBackgroundCheckpoints(async () => {
        throw new Error('run failed');
      }),
    ).rejects.toThrow('run failed');
    store.cachePut('after', 'still writable');
    expect(store.cacheGet('after')).toBe('still writable');
    store.close();
  });
});
