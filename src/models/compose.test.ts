import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CallRecordSchema, ModelCallError, UserInputError } from '../contracts/index.js';
import type { ChatModel } from './chat-model.js';
import { type ComposedModel, createModel } from './compose.js';
import { useMockServers } from './mock-server/servers.test-support.js';
import { testRequest, testResult } from './test-support.js';
import { DriftGuard, ModelVersionDriftError } from './wrappers/drift-guard.js';
import { MemoryCallRecording } from './wrappers/record-replay.js';
import { MemoryResponseCacheStore } from './wrappers/response-cache.js';
import { attemptsOf } from './wrappers/retry.js';
import { UsageMeter } from './wrappers/usage-meter.js';

// Servers close after the models (vitest runs after-each hooks in reverse order of registration).
const start = useMockServers();
const models: ComposedModel[] = [];
async function create(ref: string, options: Parameters<typeof createModel>[1]): Promise<ComposedModel> {
  const model = await createModel(ref, options);
  models.push(model);
  return model;
}
afterEach(async () => {
  await Promise.all(models.splice(0).map((model) => model.close?.()));
});

const fastRetry = { initialDelayMs: 5, maxDelayMs: 20 };

describe('createModel: references and keys', () => {
  it('drives a preset whose base URL comes from <PRESET>_BASE_URL, without a key for local servers', async () => {
    const server = await start();
    const model = await create('vllm:mock-model', { env: { VLLM_BASE_URL: server.url } });
    const result = await model.generate(testRequest());
    expect(result.text).toMatch(/^\[talk\]/);
    expect(result.costUsd).toBe(0);
    expect(model.identity).toEqual({ provider: 'openai-compatible', model: 'mock-model', endpoints: [server.url] });
    expect(server.requests[0]?.body).toMatchObject({ model: 'mock-model' });
  });

  it('refuses a hosted preset without its key, naming the variable', async () => {
    const error = await createModel('groq:llama-3.3-70b-versatile', { env: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).message).toContain('GROQ_API_KEY is not set');
    await expect(createModel('anthropic:claude-haiku-4-5', { env: {} })).rejects.toThrow(/ANTHROPIC_API_KEY/);
  });

  it('delegates surrogate and mock: to the built-in resolver and meters them at zero cost', async () => {
    const builtin: ChatModel = {
      ref: 'surrogate',
      surrogate: true,
      generate: async () => testResult({ modelVersion: 'surrogate-1' }),
    };
    const meter = new UsageMeter();
    const model = await create('surrogate', {
      env: {},
      resolveBuiltin: (ref) => (ref === 'surrogate' ? builtin : undefined),
      meter,
    });
    expect(model.surrogate).toBe(true);
    expect((await model.generate(testRequest())).costUsd).toBe(0);
    expect(meter.study().calls).toBe(1);
    await expect(createModel('mock:nothing', { env: {}, resolveBuiltin: () => undefined })).rejects.toThrow(
      UserInputError,
    );
  });

  it('prices a known model and warns once, at model level, about an unknown one', async () => {
    const server = await start();
    const known = await create('groq:llama-3.3-70b-versatile', {
      env: { GROQ_API_KEY: 'gsk-test-known-000000', GROQ_BASE_URL: server.url },
    });
    expect(known.price?.inputPerMillion).toBe(0.59);
    const result = await known.generate(testRequest());
    expect(result.costUsd).toBeCloseTo(
      (result.usage.promptTokens * 0.59 + result.usage.completionTokens * 0.79) / 1e6,
      12,
    );
    const unknown = await create(`openai-compatible:${server.url}#mystery`, { env: {} });
    expect(unknown.price).toBeUndefined();
    expect(unknown.warnings).toEqual([expect.stringContaining('no price known for 127.0.0.1')]);
    expect((await unknown.generate(testRequest())).costUsd).toBeUndefined();
  });

  it('talks to Anthropic through ANTHROPIC_BASE_URL', async () => {
    const server = await start({ apiKey: 'sk-ant-test-compose-1' });
    const model = await create('anthropic:claude-haiku-4-5', {
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-compose-1', ANTHROPIC_BASE_URL: server.origin },
    });
    const result = await model.generate(testRequest());
    expect(result.text).toMatch(/^\[talk\]/);
    expect(result.warnings).toContain('anthropic does not support seed; sampling is not reproducible by seed');
    expect(server.requests[0]?.path).toBe('/v1/messages');
    expect(model.price?.outputPerMillion).toBe(5);
  });
});

describe('createModel: throughput and faults', () => {
  it('balances calls over several base URLs', async () => {
    const left = await start({ latency: { kind: 'fixed', ms: 20 } });
    const right = await start({ latency: { kind: 'fixed', ms: 20 } });
    const model = await create(`openai-compatible:${left.url},${right.url}#mock-model`, {
      env: {},
      concurrency: { maxConcurrency: 4 },
    });
    await Promise.all(Array.from({ length: 24 }, (_, index) => model.generate(testRequest({ seed: index }))));
    expect(left.stats().outcomes.ok + right.stats().outcomes.ok).toBe(24);
    expect(left.stats().outcomes.ok).toBeGreaterThanOrEqual(8);
    expect(right.stats().outcomes.ok).toBeGreaterThanOrEqual(8);
    expect(left.stats().maxInFlight).toBeLessThanOrEqual(4);
    expect(model.concurrency()).toHaveLength(2);
  });

  it('completes every call through 10% 429, 2% 500, 1% timeouts and 1% malformed bodies, recording every attempt', async () => {
    const server = await start({
      seed: 3,
      faults: { rateLimit: 0.1, serverError: 0.02, timeout: 0.01, malformed: 0.01 },
      retryAfterMs: 10,
      timeoutHoldMs: 2000,
      latency: { kind: 'uniform', minMs: 1, maxMs: 5 },
    });
    const recording = new MemoryCallRecording();
    const model = await create(`openai-compatible:${server.url}#mock-model`, {
      env: {},
      timeoutMs: 1000,
      retry: { ...fastRetry, maxAttempts: 10 },
      concurrency: { maxConcurrency: 16 },
      recorder: recording,
    });
    const calls = 150;
    const results = await Promise.all(
      Array.from({ length: calls }, (_, index) =>
        model.generate(testRequest({ seed: index, metadata: { agentId: `agent-${index}` } })),
      ),
    );
    expect(results.every((result) => result.text.startsWith('[talk]'))).toBe(true);
    const stats = server.stats();
    const { outcomes } = stats;
    const faults = outcomes['rate-limit'] + outcomes['server-error'] + outcomes.timeout + outcomes.malformed;
    expect(faults).toBeGreaterThan(5);
    // One attempt per request the server saw; a loaded machine may also time out an answer the server sent.
    const attempts = recording.records.flatMap((record) => record.attempts);
    expect(attempts).toHaveLength(stats.requests);
    expect(attempts.filter((attempt) => attempt.outcome === 'success')).toHaveLength(calls);
    expect(attempts.filter((attempt) => attempt.outcome === 'rate-limit')).toHaveLength(outcomes['rate-limit']);
    expect(attempts.filter((attempt) => attempt.outcome === 'server')).toHaveLength(outcomes['server-error']);
    expect(attempts.filter((attempt) => attempt.outcome === 'timeout').length).toBeGreaterThanOrEqual(outcomes.timeout);
    expect(recording.records.every((record) => CallRecordSchema.safeParse(record).success)).toBe(true);
    expect(model.concurrency()[0]?.decreases).toBeGreaterThan(0);
  });

  it('does not retry a 401, and says so in the recorded call', async () => {
    const server = await start({ apiKey: 'sk-the-servers-key-77' });
    const recording = new MemoryCallRecording();
    const model = await create(`openai-compatible:${server.url}#m`, {
      env: { OPENAI_COMPATIBLE_API_KEY: 'sk-a-wrong-key-00' },
      recorder: recording,
    });
    const error = await model.generate(testRequest()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'authentication', retryable: false });
    expect(attemptsOf(error)).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
    expect(recording.records[0]?.error).toMatch(/^model-call-authentication/);
  });
});

describe('createModel: cache, replay, drift', () => {
  it('serves repeats from the cache, keeps replicates apart, and bypasses the cache with noCache', async () => {
    const server = await start();
    const cache = new MemoryResponseCacheStore();
    const meter = new UsageMeter();
    const model = await create(`openai-compatible:${server.url}#mock-model`, { env: {}, cache, meter });
    const fresh = await model.generate(testRequest());
    const hit = await model.generate(testRequest());
    const otherReplicate = await model.generate(testRequest({ metadata: { replicate: 1 } }));
    expect(fresh.cached).toBe(false);
    expect(hit).toMatchObject({ cached: true, text: fresh.text, costUsd: 0 });
    expect(otherReplicate.cached).toBe(false);
    expect(server.requests).toHaveLength(2);
    expect(model.cacheCounters()).toEqual({ hits: 1, misses: 2, writes: 2 });
    expect(meter.study()).toMatchObject({ calls: 3, cachedCalls: 1 });
    expect(cache.entries.has(model.requestHash!(testRequest()))).toBe(true);

    const bypass = await create(`openai-compatible:${server.url}#mock-model`, { env: {}, cache, noCache: true });
    expect((await bypass.generate(testRequest())).cached).toBeUndefined();
    expect(server.requests).toHaveLength(3);
  });

  it('re-executes a recorded run from its calls with zero network traffic and no key', async () => {
    const server = await start({ apiKey: 'sk-test-replay-key-3' });
    const recording = new MemoryCallRecording();
    const env = { OPENAI_COMPATIBLE_API_KEY: 'sk-test-replay-key-3' };
    const ref = `openai-compatible:${server.url}#mock-model`;
    const live = await create(ref, { env, recorder: recording });
    const requests = Array.from({ length: 6 }, (_, index) =>
      testRequest({ seed: index, metadata: { turn: index + 1 } }),
    );
    const liveTexts = [];
    for (const request of requests) {
      liveTexts.push((await live.generate(request)).text);
    }
    const seen = server.requests.length;

    const replayRecording = new MemoryCallRecording();
    const replay = await create(ref, { env: {}, replay: recording, recorder: replayRecording });
    const replayed = [];
    for (const request of requests) {
      replayed.push(await replay.generate(request));
    }
    expect(replayed.map((result) => result.text)).toEqual(liveTexts);
    expect(replayed.every((result) => result.cached === true && result.costUsd === 0)).toBe(true);
    expect(server.requests.length).toBe(seen);
    expect(replayRecording.records.map((record) => record.requestHash)).toEqual(
      recording.records.map((record) => record.requestHash),
    );

    await server.close();
    expect((await replay.generate(requests[0]!)).text).toBe(liveTexts[0]);
  });

  it('refuses to mix model versions inside a cell, and reports the change', async () => {
    const server = await start({ fingerprint: (index) => (index < 2 ? 'fp_old' : 'fp_new') });
    const drift = new DriftGuard({ cellOf: ({ metadata }) => metadata.runId.split('/')[0] ?? '' });
    const model = await create(`openai-compatible:${server.url}#mock-model`, { env: {}, driftGuard: drift });
    await model.generate(testRequest({ seed: 1, metadata: { runId: 'cell-a/1' } }));
    await model.generate(testRequest({ seed: 2, metadata: { runId: 'cell-b/1' } }));
    const changed = await model.generate(testRequest({ seed: 3, metadata: { runId: 'cell-c/1' } }));
    expect(changed.warnings).toContain(
      'model version changed within the study: mock-model@fp_old -> mock-model@fp_new',
    );
    const error = await model
      .generate(testRequest({ seed: 4, metadata: { runId: 'cell-a/2' } }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelVersionDriftError);
    expect(drift.report()[0]?.changes).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('never lets an API key reach calls, cache keys, cached values, warnings, errors, reports or the model object', async () => {
    const secret = 'sk-test-SECRET-1234';
    const server = await start({
      apiKey: secret,
      script: ['rate-limit', 'ok', 'server-error', 'ok', 'malformed', 'ok'],
      retryAfterMs: 5,
    });
    const wrongServer = await start({ apiKey: 'sk-some-other-key-9' });
    const recording = new MemoryCallRecording();
    const cache = new MemoryResponseCacheStore();
    const meter = new UsageMeter();
    const drift = new DriftGuard();
    const env = { OPENAI_COMPATIBLE_API_KEY: secret, GROQ_API_KEY: secret };
    const options = { env, recorder: recording, cache, meter, driftGuard: drift, retry: fastRetry };
    const model = await create(`openai-compatible:${server.url}#mock-model`, options);
    const rejected = await create(`openai-compatible:${wrongServer.url}#mock-model`, options);
    const groq = await create('groq:llama-3.3-70b-versatile', { ...options, baseUrl: wrongServer.url });

    const texts: string[] = [];
    const errors: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      const result = await model.generate(testRequest({ seed: index }));
      texts.push(JSON.stringify(result));
    }
    for (const candidate of [rejected, groq]) {
      const error = await candidate.generate(testRequest()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ModelCallError);
      errors.push(
        String(error),
        (error as Error).message,
        JSON.stringify(error),
        JSON.stringify(attemptsOf(error)),
        String((error as Error).stack),
      );
    }
    const badUrl = await createModel(`openai-compatible:https://user:${secret}@example.org/v1#m`, { env }).catch(
      (caught: unknown) => caught,
    );
    errors.push(String(badUrl), (badUrl as UserInputError).format());
    const missing = await createModel('together:x', { env: { TOGETHER_API_KEY: '' } }).catch(
      (caught: unknown) => caught,
    );
    errors.push((missing as UserInputError).format());

    // The 401 server echoed the key it was given: the adapters must have removed it.
    expect(wrongServer.requests.length).toBeGreaterThan(0);
    const everything = [
      JSON.stringify(recording.records),
      JSON.stringify([...cache.entries]),
      JSON.stringify(meter.study()),
      JSON.stringify([...meter.byRun()]),
      JSON.stringify(drift.report()),
      JSON.stringify(
        models.map((candidate) => ({ ...candidate, warnings: candidate.warnings, identity: candidate.identity })),
      ),
      JSON.stringify(server.requests),
      JSON.stringify(server.stats()),
      ...texts,
      ...errors,
    ].join('\n');
    expect(recording.records.length).toBeGreaterThanOrEqual(6);
    expect(everything).toContain('Incorrect API key provided');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('SECRET-1234');
  });
});

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const ggufRelative = 'test/fixtures/models/llama-2-tiny-random.gguf';

describe.skipIf(!existsSync(join(repositoryRoot, 'node_modules', 'node-llama-cpp', 'package.json')))(
  'createModel: gguf',
  () => {
    it('runs a local GGUF file in-process, caches by the weights hash, and replays without loading it', async () => {
      const cache = new MemoryResponseCacheStore();
      const recording = new MemoryCallRecording();
      const model = await create(`gguf:${ggufRelative}`, {
        env: {},
        cwd: repositoryRoot,
        cache,
        recorder: recording,
        providerOptions: { contextSize: 512, threads: 1 },
      });
      expect(model.identity).toMatchObject({
        provider: 'gguf',
        weights: '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
      });
      expect(model.warnings).toEqual([expect.stringContaining('plain format')]);
      expect(model.price?.inputPerMillion).toBe(0);
      const first = await model.generate(testRequest({ maxTokens: 4 }));
      expect(first.usage.completionTokens).toBeGreaterThan(0);
      expect((await model.generate(testRequest({ maxTokens: 4 }))).cached).toBe(true);

      const started = performance.now();
      const replay = await create(`gguf:${ggufRelative}`, {
        env: {},
        cwd: repositoryRoot,
        replay: recording,
        providerOptions: { contextSize: 512, threads: 1 },
      });
      expect((await replay.generate(testRequest({ maxTokens: 4 }))).text).toBe(first.text);
      // The plain-format note only appears once the file was loaded: replay never loaded it.
      expect(replay.warnings).toEqual([]);
      expect(performance.now() - started).toBeLessThan(3000);
    });
  },
);
