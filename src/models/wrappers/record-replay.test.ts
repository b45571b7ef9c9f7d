import { describe, expect, it } from 'vitest';
import { CallRecordSchema, ModelCallError } from '../../contracts/index.js';
import { Redactor } from '../secrets.js';
import { sequenceModel, testRequest, testResult } from '../test-support.js';
import {
  errorFromRecord,
  MemoryCallRecording,
  ReplayMissError,
  withCallRecorder,
  withReplay,
} from './record-replay.js';
import { type ModelIdentity, requestKey } from './response-cache.js';
import { attemptsOf, withRetry } from './retry.js';

const identity: ModelIdentity = { provider: 'openai-compatible', model: 'm', endpoints: ['http://127.0.0.1:1/v1'] };

describe('withCallRecorder', () => {
  it('records each call as a valid CallRecord with hash, version, tokens, attempts and latency', async () => {
    const recording = new MemoryCallRecording();
    let clock = 1000;
    const inner = sequenceModel([
      () => {
        clock += 250;
        return testResult({
          costUsd: 0.001,
          warnings: ['w'],
          attempts: [{ attempt: 1, outcome: 'success' }],
          usage: { promptTokens: 9, completionTokens: 3, cachedPromptTokens: 4 },
        });
      },
    ]);
    const model = withCallRecorder(inner, { sink: recording, identity, now: () => clock });
    const request = testRequest({ metadata: { runId: 'r', turn: 2, agentId: 'a3' } });
    await model.generate(request);
    await model.generate(request);
    expect(recording.records.map((record) => CallRecordSchema.parse(record))).toHaveLength(2);
    expect(recording.records[0]).toEqual({
      callId: 'r/2/a3',
      runId: 'r',
      turn: 2,
      agentId: 'a3',
      model: 'test:model',
      modelVersion: 'test-model@fp_1',
      requestHash: requestKey(identity, request),
      promptTokens: 9,
      completionTokens: 3,
      cachedPromptTokens: 4,
      latencyMs: 250,
      attempts: [{ attempt: 1, outcome: 'success' }],
      cached: false,
      finishReason: 'stop',
      costUsd: 0.001,
      warnings: ['w'],
      text: '[talk] hello',
      error: null,
    });
    expect(recording.records[1]?.callId).toBe('r/2/a3/1');
  });

  it('records a cache hit with zero latency', async () => {
    const recording = new MemoryCallRecording();
    let clock = 0;
    const inner = sequenceModel([
      () => {
        clock += 500;
        return testResult({ cached: true });
      },
    ]);
    await withCallRecorder(inner, { sink: recording, identity, now: () => clock }).generate(testRequest());
    expect(recording.records[0]).toMatchObject({ cached: true, latencyMs: 0 });
  });

  it('records a failed call with its kind, attempts and a redacted message, and rethrows', async () => {
    const recording = new MemoryCallRecording();
    const secret = 'sk-test-RECORDER-5555';
    const inner = withRetry(
      sequenceModel([
        new ModelCallError('rate-limit', `429 for key ${secret}`, { status: 429, retryAfterMs: 1 }),
        new ModelCallError('authentication', `401 Incorrect API key provided: ${secret}`, { status: 401 }),
      ]),
      { sleep: async () => {} },
    );
    const model = withCallRecorder(inner, { sink: recording, identity, redactor: new Redactor([secret]) });
    await expect(model.generate(testRequest())).rejects.toBeInstanceOf(ModelCallError);
    const [record] = recording.records;
    expect(CallRecordSchema.parse(record)).toBeTruthy();
    expect(record).toMatchObject({ finishReason: 'error', text: '', modelVersion: null, costUsd: null });
    expect(record?.error).toMatch(/^model-call-authentication: 401 Incorrect API key provided: \[redacted\]/);
    expect(record?.attempts.map((attempt) => attempt.outcome)).toEqual(['rate-limit', 'authentication']);
    expect(JSON.stringify(record)).not.toContain(secret);
  });
});

describe('withReplay', () => {
  it('answers from recorded calls without calling the model, in recorded order for repeats', async () => {
    const recording = new MemoryCallRecording();
    const live = withCallRecorder(
      sequenceModel([testResult({ text: 'one' }), testResult({ text: 'two' }), testResult({ text: 'three' })]),
      { sink: recording, identity },
    );
    await live.generate(testRequest());
    await live.generate(testRequest());
    await live.generate(testRequest({ seed: 7 }));

    const never = sequenceModel([new Error('the network was touched')]);
    const replay = withReplay(never, { source: recording, identity });
    expect((await replay.generate(testRequest({ seed: 7 }))).text).toBe('three');
    const first = await replay.generate(testRequest());
    expect(first).toMatchObject({
      text: 'one',
      cached: true,
      modelVersion: 'test-model@fp_1',
      usage: { promptTokens: 100, completionTokens: 20 },
    });
    expect((await replay.generate(testRequest())).text).toBe('two');
    expect(never.calls).toHaveLength(0);
  });

  it('fails clearly on a request that was never recorded', async () => {
    const replay = withReplay({ ref: 'x', surrogate: false }, { source: new MemoryCallRecording(), identity });
    const error = await replay.generate(testRequest()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReplayMissError);
    expect((error as Error).message).toContain(requestKey(identity, testRequest()));
    expect((error as ModelCallError).retryable).toBe(false);
  });

  it('replays a recorded failure as the same kind of error, with its attempts', async () => {
    const recording = new MemoryCallRecording();
    const failing = withCallRecorder(
      withRetry(sequenceModel([new ModelCallError('server', '500 down', { status: 500 })]), {
        maxAttempts: 2,
        sleep: async () => {},
      }),
      { sink: recording, identity },
    );
    await expect(failing.generate(testRequest())).rejects.toThrow();
    const error = await withReplay({ ref: 'x', surrogate: false }, { source: recording, identity })
      .generate(testRequest())
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'server', retryable: false });
    expect(attemptsOf(error)).toHaveLength(2);
    expect(errorFromRecord({ ...recording.records[0]!, error: 'something odd' }).kind).toBe('client');
  });
});
