import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../contracts/index.js';
import { type ChatModel, isBuiltinModelRef, isSurrogateRef } from '../models/index.js';
import { createBuiltinModel, loadStudyFile, openRunDirectory, simulateStage } from '../runner/index.js';
import { createStudyModels, type StudyModels } from './model-factory.js';

/**
 * The composition root builds built-in models through the same wrapper stack as remote ones
 * (`createModel`: drift guard, usage meter). That stack must not change what a study produces: the
 * demo study simulated with the composed surrogate and with the bare one stores the same events and
 * the same calls, byte for byte, apart from the wall-clock latency and the price the meter now
 * writes (0 from the `builtin` price row, where the bare model left it unknown).
 */

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'backfire-model-factory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function stored(directory: string): { events: string; calls: CallRecord[] } {
  const { store } = openRunDirectory(directory);
  try {
    const events = JSON.stringify([...store.loadAllEvents()].sort(([a], [b]) => a.localeCompare(b)));
    return { events, calls: store.loadCalls() };
  } finally {
    store.close();
  }
}

describe('createStudyModels', () => {
  it('answers "is this a surrogate" once: by ref before building, by capability after', () => {
    expect(isSurrogateRef('surrogate')).toBe(true);
    expect(isSurrogateRef('surrogate:flat')).toBe(true);
    expect(isSurrogateRef('mock:echo')).toBe(false);
    expect(isSurrogateRef('openai:gpt-4o-mini')).toBe(false);
    expect(isBuiltinModelRef('mock:echo')).toBe(true);
    expect(isBuiltinModelRef('surrogate')).toBe(true);
    expect(isBuiltinModelRef('openai:gpt-4o-mini')).toBe(false);
  });

  it('wraps the surrogate in the meter and drift guard without changing what a study stores', async () => {
    const loaded = loadStudyFile(join(REPO_ROOT, 'studies', 'demo.yaml'));
    let composed: StudyModels | undefined;
    await simulateStage({
      loaded,
      directory: join(scratch, 'composed'),
      prepareModels: async () => {
        composed = await createStudyModels(loaded);
        return composed;
      },
    });
    await simulateStage({
      loaded,
      directory: join(scratch, 'bare'),
      prepareModels: async () => {
        const models = new Map<string, ChatModel>(
          loaded.study.models.map((ref) => [ref, createBuiltinModel(ref, loaded)!]),
        );
        return {
          models,
          describe: () =>
            loaded.study.models.map((ref) => ({ ref, surrogate: true, resolvedVersions: [], warnings: [] })),
          close: async () => undefined,
        };
      },
    });
    const withStack = stored(join(scratch, 'composed'));
    const bare = stored(join(scratch, 'bare'));
    expect(withStack.calls.length).toBeGreaterThan(0);
    expect(withStack.events).toBe(bare.events);
    const comparable = (calls: CallRecord[]) =>
      JSON.stringify(calls.map((call) => ({ ...call, latencyMs: 0, costUsd: null })));
    expect(comparable(withStack.calls)).toBe(comparable(bare.calls));
    expect(new Set(withStack.calls.map((call) => call.costUsd))).toEqual(new Set([0]));
    expect(new Set(bare.calls.map((call) => call.costUsd))).toEqual(new Set([null]));

    // The stack was really there: the meter counted every call, and the manifest's surrogate flag
    // is the built model's capability.
    expect(composed?.meter.study().calls).toBe(withStack.calls.length);
    expect(composed?.describe()).toEqual([{ ref: 'surrogate', surrogate: true, resolvedVersions: [], warnings: [] }]);
  });
});
