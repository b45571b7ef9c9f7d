import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../contracts/index.js';
import { OpenAiCompatibleAdapter } from '../adapters/openai-compatible.js';
import type { MockServer } from '../mock-server/index.js';
import { useMockServers } from '../mock-server/servers.test-support.js';
import { Redactor } from '../secrets.js';
import { sequenceModel, testRequest, testResult } from '../test-support.js';
import { attemptsOf, ModelCallFailure, retryDelayMs, withRetry } from './retry.js';
import { withTimeout } from './timeout.js';

const noJitter = { random: () => 0 };

function recordingSleep(): { waits: number[]; sleep: (milliseconds: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (milliseconds: number) => void waits.push(milliseconds) };
}

describe('retryDelayMs', () => {
  it('grows exponentially up to the cap, with jitter taking up to a quarter off', () => {
    const error = new ModelCallError('server', 'x');
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, error, noJitter))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(10, error, noJitter)).toBe(30_000);
    expect(retryDelayMs(1, error, { random: () => 1 })).toBe(375);
  });

  it('honours the server-requested wait, capped', () => {
    expect(retryDelayMs(1, new ModelCallError('rate-limit', 'x', { retryAfterMs: 1234 }), noJitter)).toBe(1234);
    expect(
      retryDelayMs(1, new ModelCallError('rate-limit', 'x', { retryAfterMs: 900_000 }), { maxRetryAfterMs: 60_000 }),
    ).toBe(60_000);
  });
});

describe('withRetry', () => {
  it('retries 429, 5xx, timeouts and network errors, recording every attempt', async () => {
    const { waits, sleep } = recordingSleep();
    const inner = sequenceModel([
      new ModelCallError('rate-limit', '429 slow down', { status: 429, retryAfterMs: 40 }),
      new ModelCallError('server', '503 busy', { status: 503 }),
      new ModelCallError('timeout', 'no answer'),
      new ModelCallError('network', 'ECONNRESET'),
      testResult(),
    ]);
    const result = await withRetry(inner, { sleep, ...noJitter }).generate(testRequest());
    expect(result.text).toBe('[talk] hello');
    expect(inner.calls).toHaveLength(5);
    expect(waits).toEqual([40, 1000, 2000, 4000]);
    expect(result.attempts).toEqual([
      { attempt: 1, outcome: 'rate-limit', status: 429, waitMs: 40, message: '429 slow down' },
      { attempt: 2, outcome: 'server', status: 503, waitMs: 1000, message: '503 busy' },
      { attempt: 3, outcome: 'timeout', waitMs: 2000, message: 'no answer' },
      { attempt: 4, outcome: 'network', waitMs: 4000, message: 'ECONNRESET' },
      { attempt: 5, outcome: 'success' },
    ]);
  });

  it.each([
    [400, 'client'],
    [401, 'authentication'],
    [403, 'authentication'],
    [404, 'client'],
  ] as const)('does not retry %i', async (status, kind) => {
    const inner = sequenceModel([new ModelCallError(kind, `${status}`, { status }), testResult()]);
    const error = await withRetry(inner, { sleep: async () => {} })
      .generate(testRequest())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallFailure);
    expect(inner.calls).toHaveLength(1);
    expect(attemptsOf(error)).toEqual([{ attempt: 1, outcome: kind, status, message: `${status}` }]);
  });

  it('gives up after maxAttempts with all attempts on the error', async () => {
    const inner = sequenceModel([new ModelCallError('server', '500', { status: 500 })]);
    const error = await withRetry(inner, { maxAttempts: 3, sleep: async () => {} })
      .generate(testRequest())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as ModelCallError).kind).toBe('server');
    expect((error as Error).message).toMatch(/after 3 attempts/);
    expect(attemptsOf(error).map((attempt) => attempt.outcome)).toEqual(['server', 'server', 'server']);
  });

  it('does not retry errors that are not model-call errors, nor after the caller aborted', async () => {
    const bug = sequenceModel([new TypeError('a bug'), testResult()]);
    await expect(withRetry(bug).generate(testRequest())).rejects.toThrow('a bug');
    expect(bug.calls).toHaveLength(1);

    const controller = new AbortController();
    const inner = sequenceModel([new ModelCallError('server', '500'), testResult()]);
    const waiting = withRetry(inner, { initialDelayMs: 10_000 }).generate(testRequest({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('shutdown')), 20);
    await expect(waiting).rejects.toThrow('shutdown');
    expect(inner.calls).toHaveLength(1);
  });
});

describe('withRetry against the mock server', () => {
  const start = useMockServers();
  const adapterFor = (server: MockServer) =>
    new OpenAiCompatibleAdapter({
      ref: 'openai-compatible:mock#m',
      provider: 'mock',
      baseUrl: server.url,
      model: 'm',
      apiKey: undefined,
      maxTokensField: 'max_tokens',
      ignoredSettings: [],
      redactor: new Redactor(),
    });

  it('waits what Retry-After says after a 429, then succeeds', async () => {
    const server = await start({ script: ['rate-limit', 'ok'], retryAfterMs: 120 });
    const started = performance.now();
    const result = await withRetry(adapterFor(server)).generate(testRequest());
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(result.attempts).toMatchObject([
      { attempt: 1, outcome: 'rate-limit', status: 429, waitMs: 120 },
      { attempt: 2, outcome: 'success' },
    ]);
    expect(server.stats().outcomes).toMatchObject({ 'rate-limit': 1, ok: 1 });
  });

  it('gets through 500, a malformed body, a cut body and a timeout', async () => {
    const server = await start({
      script: ['server-error', 'malformed', 'truncated', 'timeout', 'ok'],
      timeoutHoldMs: 5000,
    });
    const model = withRetry(withTimeout(adapterFor(server), { timeoutMs: 200 }), { initialDelayMs: 5, maxDelayMs: 20 });
    const result = await model.generate(testRequest());
    expect(result.text).toMatch(/^\[talk\]/);
    expect(result.attempts?.map((attempt) => attempt.outcome)).toEqual([
      'server',
      'malformed-response',
      expect.stringMatching(/^(network|malformed-response)$/),
      'timeout',
      'success',
    ]);
    expect(server.requests).toHaveLength(5);
  });
});
