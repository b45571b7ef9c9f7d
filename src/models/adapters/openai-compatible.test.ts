import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../contracts/index.js';
import type { MockServer } from '../mock-server/index.js';
import { useMockServers } from '../mock-server/servers.test-support.js';
import { Redactor } from '../secrets.js';
import { testRequest } from '../test-support.js';
import { withTimeout } from '../wrappers/timeout.js';
import {
  AGENT_HEADER,
  OpenAiCompatibleAdapter,
  type OpenAiCompatibleAdapterOptions,
  parseOpenAiCompatibleProviderOptions,
} from './openai-compatible.js';

const KEY = 'sk-test-adapter-key-9876';
const start = useMockServers();

function adapter(server: MockServer, overrides: Partial<OpenAiCompatibleAdapterOptions> = {}): OpenAiCompatibleAdapter {
  return new OpenAiCompatibleAdapter({
    ref: 'openai-compatible:test#mock-model',
    provider: 'mock',
    baseUrl: server.url,
    model: 'mock-model',
    apiKey: KEY,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    redactor: new Redactor([KEY]),
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<ModelCallError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ModelCallError);
    return error as ModelCallError;
  }
  throw new Error('expected the call to fail');
}

describe('OpenAiCompatibleAdapter: outgoing requests', () => {
  it('sends model, messages and sampling settings, the key only in the Authorization header', async () => {
    const server = await start({ apiKey: KEY });
    await adapter(server).generate(testRequest({ temperature: 0.3, maxTokens: 77, seed: 1234, topP: 0.95 }));
    const [sent] = server.requests;
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.body).toEqual({
      model: 'mock-model',
      messages: [
        { role: 'system', content: 'You are Aiko, a member of the group.' },
        { role: 'user', content: 'Turn 1. The facility rules were read out. What do you do?' },
      ],
      temperature: 0.3,
      max_tokens: 77,
      top_p: 0.95,
      seed: 1234,
      stream: false,
    });
    expect(sent?.auth).toEqual({ scheme: 'bearer', matches: true });
    expect(sent?.headers[AGENT_HEADER]).toBe('run-1/agent-1');
    expect(JSON.stringify(sent?.body)).not.toContain(KEY);
    expect(JSON.stringify(sent?.headers)).not.toContain(KEY);
  });

  it('uses max_completion_tokens where the preset says so, leaves top_p out when unset, and adds extra body fields', async () => {
    const server = await start();
    const options = parseOpenAiCompatibleProviderOptions(
      { extraBody: { top_k: 40 }, headers: { 'HTTP-Referer': 'https://example.org' }, agentHeader: false },
      'x',
    );
    await adapter(server, { maxTokensField: 'max_completion_tokens', providerOptions: options }).generate(
      testRequest({ maxTokens: 50 }),
    );
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(50);
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('top_p');
    expect(body.top_k).toBe(40);
    expect(server.requests[0]?.headers['http-referer']).toBe('https://example.org');
    expect(server.requests[0]?.headers).not.toHaveProperty(AGENT_HEADER);
  });

  it('refuses provider options that would override sampling or carry credentials', () => {
    expect(() => parseOpenAiCompatibleProviderOptions({ extraBody: { temperature: 2 } }, 'x')).toThrow(
      /extraBody may not set/,
    );
    expect(() => parseOpenAiCompatibleProviderOptions({ headers: { 'X-Api-Key': 'k' } }, 'x')).toThrow(
      /may not carry credentials/,
    );
    expect(() => parseOpenAiCompatibleProviderOptions({ nonsense: 1 }, 'x')).toThrow(/providerOptions/);
  });
});

describe('OpenAiCompatibleAdapter: parsed results', () => {
  it('returns text, usage with cached prompt tokens, finish reason and model@fingerprint', async () => {
    const server = await start({ fingerprint: 'fp_abc', respond: () => '[talk] We stay together.' });
    const first = await adapter(server).generate(testRequest());
    expect(first).toMatchObject({
      text: '[talk] We stay together.',
      finishReason: 'stop',
      modelVersion: 'mock-model@fp_abc',
      warnings: [],
    });
    expect(first.usage.promptTokens).toBeGreaterThan(10);
    // '[', 'talk', ']', ' ', 'We', ' ', 'stay', ' ', 'together', '.'
    expect(first.usage.completionTokens).toBe(10);
    expect(first.usage.cachedPromptTokens).toBe(0);
    const second = await adapter(server).generate(
      testRequest({ messages: [...testRequest().messages, { role: 'assistant', content: 'x' }] }),
    );
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(10);
  });

  it('reports length when the answer was cut, and no fingerprint when none is sent', async () => {
    const server = await start({ fingerprint: () => undefined, respond: () => '[talk] a b c d e f g h i j' });
    const result = await adapter(server).generate(testRequest({ maxTokens: 4 }));
    expect(result.finishReason).toBe('length');
    expect(result.modelVersion).toBe('mock-model');
  });

  it('warns on every result about settings the provider ignores', async () => {
    const server = await start();
    const result = await adapter(server, { ignoredSettings: ['seed', 'topP'] }).generate(testRequest({ topP: 0.9 }));
    expect(result.warnings).toEqual([
      'mock ignores seed; it was sent but sampling is not reproducible by seed',
      'mock ignores top_p; it was sent but has no effect',
    ]);
  });
});

describe('OpenAiCompatibleAdapter: typed errors', () => {
  it('maps 429 to a retryable rate-limit error with the server-requested wait', async () => {
    const server = await start({ script: ['rate-limit'], retryAfterMs: 250 });
    const error = await failure(adapter(server).generate(testRequest()));
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 250 });
  });

  it('reads retry-after in seconds when retry-after-ms is absent', async () => {
    const server = await start({ script: ['rate-limit'], retryAfterMs: 2000, retryAfterHeaders: 'seconds' });
    expect(await failure(adapter(server).generate(testRequest()))).toMatchObject({ retryAfterMs: 2000 });
  });

  it('maps 500 to a retryable server error', async () => {
    const server = await start({ script: ['server-error'] });
    expect(await failure(adapter(server).generate(testRequest()))).toMatchObject({
      kind: 'server',
      status: 500,
      retryable: true,
    });
  });

  it('maps 401 to a non-retryable authentication error whose message does not contain the key', async () => {
    const server = await start({ apiKey: 'sk-the-right-one-0000' });
    const error = await failure(adapter(server).generate(testRequest()));
    expect(error).toMatchObject({ kind: 'authentication', status: 401, retryable: false });
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain(KEY);
    expect(error.cause).toBeUndefined();
  });

  it('maps 404 to a non-retryable client error', async () => {
    const server = await start();
    const broken = adapter(server, { baseUrl: `${server.origin}/nowhere` });
    expect(await failure(broken.generate(testRequest()))).toMatchObject({
      kind: 'client',
      status: 404,
      retryable: false,
    });
  });

  it('maps an invalid JSON body, a body without choices and a cut body to retryable errors', async () => {
    const server = await start({ script: ['malformed', 'wrong-shape', 'truncated'] });
    const model = adapter(server);
    expect(await failure(model.generate(testRequest()))).toMatchObject({ kind: 'malformed-response', retryable: true });
    const shape = await failure(model.generate(testRequest()));
    expect(shape).toMatchObject({ kind: 'malformed-response', retryable: true });
    expect(shape.message).toMatch(/choices/);
    const cut = await failure(model.generate(testRequest()));
    expect(['network', 'malformed-response']).toContain(cut.kind);
    expect(cut.retryable).toBe(true);
  });

  it('maps a connection refused to a retryable network error', async () => {
    const server = await start();
    const url = server.url;
    await server.close();
    const model = adapter({ url } as MockServer);
    expect(await failure(model.generate(testRequest()))).toMatchObject({ kind: 'network', retryable: true });
  });

  it('turns a held request into a retryable timeout through the timeout wrapper, and aborts the socket', async () => {
    const server = await start({ script: ['timeout'], timeoutHoldMs: 5000 });
    const started = performance.now();
    const error = await failure(withTimeout(adapter(server), { timeoutMs: 150 }).generate(testRequest()));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(performance.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.stats().inFlight).toBe(0);
  });

  it('passes an abort by the caller through as an abort, not as a fault', async () => {
    const server = await start({ latency: { kind: 'fixed', ms: 2000 } });
    const controller = new AbortController();
    const call = adapter(server).generate(testRequest({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(call).rejects.toThrow('shutting down');
    await expect(call).rejects.not.toBeInstanceOf(ModelCallError);
  });
});
