import { describe, expect, it } from 'vitest';
import { canonicalJson, ModelCallError, sha256 } from '../../contracts/index.js';
import { sequenceModel, testRequest, testResult } from '../test-support.js';
import { MemoryResponseCacheStore, type ModelIdentity, requestKey, withResponseCache } from './response-cache.js';

const identity: ModelIdentity = { provider: 'openai-compatible', model: 'm', endpoints: ['http://127.0.0.1:1/v1'] };

describe('requestKey', () => {
  it('is the hash of exactly identity, messages, sampling, seed and replicate', () => {
    const request = testRequest({ topP: 0.9 });
    expect(requestKey(identity, request)).toBe(
      sha256(
        JSON.stringify([
          2,
          canonicalJson(identity),
          request.messages.map((message) => [message.role, message.content]),
          0.7,
          64,
          0.9,
          42,
          0,
        ]),
      ),
    );
  });

  it('stays the hash of that JSON when message objects are reused, changed or unusual', () => {
    const jsonKey = (request: ReturnType<typeof testRequest>) =>
      sha256(
        JSON.stringify([
          2,
          canonicalJson(identity),
          request.messages.map((message) => [message.role, message.content]),
          request.temperature,
          request.maxTokens,
          request.topP ?? null,
          request.seed,
          request.metadata.replicate,
        ]),
      );
    const system = { role: 'system' as const, content: 'Quotes " and \\ and \n and \u2028 and 日本語' };
    const first = testRequest({ messages: [system, { role: 'user', content: 'a' }] });
    expect(requestKey(identity, first)).toBe(jsonKey(first));
    // The same message objects in a longer conversation, then one of them changed in place.
    const second = testRequest({ messages: [...first.messages, { role: 'assistant', content: '' }] });
    expect(requestKey(identity, second)).toBe(jsonKey(second));
    system.content = 'changed';
    expect(requestKey(identity, second)).toBe(jsonKey(second));
    const noSeed = testRequest({ seed: undefined as unknown as number });
    expect(requestKey(identity, noSeed)).toBe(jsonKey(noSeed));
  });

  it('changes with each thing that changes the output', () => {
    const base = requestKey(identity, testRequest());
    expect(requestKey(identity, testRequest({ metadata: { replicate: 1 } }))).not.toBe(base);
    expect(requestKey(identity, testRequest({ seed: 43 }))).not.toBe(base);
    expect(requestKey(identity, testRequest({ temperature: 0.8 }))).not.toBe(base);
    expect(requestKey(identity, testRequest({ maxTokens: 65 }))).not.toBe(base);
    expect(requestKey(identity, testRequest({ topP: 0.5 }))).not.toBe(base);
    expect(requestKey(identity, testRequest({ messages: [{ role: 'user', content: 'other' }] }))).not.toBe(base);
    expect(requestKey({ ...identity, model: 'n' }, testRequest())).not.toBe(base);
    expect(requestKey({ ...identity, options: { extraBody: { top_k: 5 } } }, testRequest())).not.toBe(base);
  });

  it('does not change with run, agent, turn, language, participants or an abort signal', () => {
    const base = requestKey(identity, testRequest());
    expect(
      requestKey(
        identity,
        testRequest({
          metadata: {
            runId: 'other-run',
            agentId: 'other',
            turn: 9,
            language: 'ja',
            participants: [{ id: 'a', name: 'A' }],
          },
          signal: new AbortController().signal,
        }),
      ),
    ).toBe(base);
  });
});

describe('withResponseCache', () => {
  it('answers a repeated request from the cache, marked cached, without calling the model', async () => {
    const inner = sequenceModel([
      testResult({ text: 'first', attempts: [{ attempt: 1, outcome: 'success' }] }),
      testResult({ text: 'second' }),
    ]);
    const store = new MemoryResponseCacheStore();
    const model = withResponseCache(inner, { store, identity });
    const miss = await model.generate(testRequest());
    const hit = await model.generate(testRequest());
    expect(miss).toMatchObject({ text: 'first', cached: false });
    expect(hit).toMatchObject({ text: 'first', cached: true, attempts: [] });
    expect(inner.calls).toHaveLength(1);
    expect(model.cacheCounters).toEqual({ hits: 1, misses: 1, writes: 1 });
    expect([...store.entries.values()][0]).toEqual({
      text: 'first',
      usage: { promptTokens: 100, completionTokens: 20 },
      finishReason: 'stop',
      modelVersion: 'test-model@fp_1',
      warnings: [],
    });
  });

  it('keeps replicates apart: the same prompt for replicate 0 and 1 is two samples', async () => {
    const inner = sequenceModel([testResult({ text: 'sample A' }), testResult({ text: 'sample B' })]);
    const model = withResponseCache(inner, { store: new MemoryResponseCacheStore(), identity });
    const replicate0 = await model.generate(testRequest({ metadata: { replicate: 0 } }));
    const replicate1 = await model.generate(testRequest({ metadata: { replicate: 1 } }));
    expect([replicate0.text, replicate1.text]).toEqual(['sample A', 'sample B']);
    expect(inner.calls).toHaveLength(2);
    expect((await model.generate(testRequest({ metadata: { replicate: 1, runId: 'resumed' } }))).text).toBe('sample B');
  });

  it('never caches an error', async () => {
    const inner = sequenceModel([new ModelCallError('server', '500'), testResult({ text: 'recovered' })]);
    const store = new MemoryResponseCacheStore();
    const model = withResponseCache(inner, { store, identity });
    await expect(model.generate(testRequest())).rejects.toThrow('500');
    expect(store.entries.size).toBe(0);
    expect((await model.generate(testRequest())).text).toBe('recovered');
  });

  it('neither reads nor writes with mode off (--no-cache)', async () => {
    const store = new MemoryResponseCacheStore();
    await withResponseCache(sequenceModel([testResult({ text: 'old' })]), { store, identity }).generate(testRequest());
    const inner = sequenceModel([testResult({ text: 'fresh' })]);
    const off = withResponseCache(inner, { store, identity, mode: 'off' });
    expect((await off.generate(testRequest())).text).toBe('fresh');
    expect(inner.calls).toHaveLength(1);
    expect([...store.entries.values()].map((entry) => entry.text)).toEqual(['old']);
  });

  it('works with an asynchronous store', async () => {
    const entries = new Map<string, unknown>();
    const store = {
      get: async (key: string) => entries.get(key) as never,
      put: async (key: string, value: unknown) => void entries.set(key, value),
    };
    const inner = sequenceModel([testResult({ text: 'once' })]);
    const model = withResponseCache(inner, { store, identity });
    await model.generate(testRequest());
    expect((await model.generate(testRequest())).cached).toBe(true);
    expect(inner.calls).toHaveLength(1);
  });
});
