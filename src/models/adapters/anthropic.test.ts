import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../contracts/index.js';
import type { MockServer } from '../mock-server/index.js';
import { useMockServers } from '../mock-server/servers.test-support.js';
import { Redactor } from '../secrets.js';
import { testRequest } from '../test-support.js';
import { AnthropicAdapter, mapStopReason, parseAnthropicProviderOptions, toAnthropicMessages } from './anthropic.js';

const KEY = 'sk-ant-test-key-24680';
const start = useMockServers();

function adapter(server: MockServer, providerOptions = {}): AnthropicAdapter {
  return new AnthropicAdapter({
    ref: 'anthropic:claude-test',
    baseUrl: server.origin,
    model: 'claude-test',
    apiKey: KEY,
    providerOptions: parseAnthropicProviderOptions(providerOptions, 'anthropic:claude-test'),
    redactor: new Redactor([KEY]),
  });
}

describe('toAnthropicMessages', () => {
  it('takes system messages apart and joins consecutive turns of one role', () => {
    expect(
      toAnthropicMessages([
        { role: 'system', content: 'S1' },
        { role: 'user', content: 'U1' },
        { role: 'user', content: 'U2' },
        { role: 'system', content: 'S2' },
        { role: 'assistant', content: 'A1' },
      ]),
    ).toEqual({
      system: 'S1\n\nS2',
      turns: [
        { role: 'user', content: 'U1\n\nU2' },
        { role: 'assistant', content: 'A1' },
      ],
      merged: 1,
    });
  });
});

describe('AnthropicAdapter', () => {
  it('sends the Messages shape: system apart, max_tokens, temperature, no seed; the key only in a header', async () => {
    const server = await start({ apiKey: KEY, respond: () => '[talk] fine' });
    const result = await adapter(server, { topK: 20 }).generate(testRequest({ temperature: 0.4, maxTokens: 90 }));
    const [sent] = server.requests;
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.body).toEqual({
      model: 'claude-test',
      max_tokens: 90,
      system: 'You are Aiko, a member of the group.',
      messages: [{ role: 'user', content: 'Turn 1. The facility rules were read out. What do you do?' }],
      temperature: 0.4,
      top_k: 20,
    });
    expect(sent?.auth.matches).toBe(true);
    expect(JSON.stringify(sent?.body)).not.toContain(KEY);
    expect(result).toMatchObject({ text: '[talk] fine', finishReason: 'stop', modelVersion: 'claude-test' });
    expect(result.warnings).toEqual(['anthropic does not support seed; sampling is not reproducible by seed']);
  });

  it('normalises usage: prompt tokens include cache reads, which are reported as cached', async () => {
    const server = await start();
    const model = adapter(server);
    await model.generate(testRequest());
    const second = await model.generate(
      testRequest({
        messages: [
          ...testRequest().messages,
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'and now?' },
        ],
      }),
    );
    const input = second.usage.promptTokens - (second.usage.cachedPromptTokens ?? 0);
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(10);
    expect(input).toBeGreaterThan(0);
    expect(second.usage.promptTokens).toBeGreaterThan(second.usage.cachedPromptTokens ?? 0);
  });

  it('clamps temperature above 1 and sends temperature or top_p, never both, with warnings', async () => {
    const server = await start();
    const clamped = await adapter(server).generate(testRequest({ temperature: 1.5, topP: 0.9 }));
    expect(server.requests[0]?.body).toMatchObject({ temperature: 1 });
    expect(server.requests[0]?.body).not.toHaveProperty('top_p');
    expect(clamped.warnings).toContain('anthropic accepts temperature up to 1; 1.5 was sent as 1');
    expect(clamped.warnings.some((warning) => warning.includes('top_p 0.9 was not'))).toBe(true);

    const topP = await adapter(server, { preferTopP: true }).generate(testRequest({ topP: 0.8 }));
    expect(server.requests[1]?.body).toMatchObject({ top_p: 0.8 });
    expect(server.requests[1]?.body).not.toHaveProperty('temperature');
    expect(topP.warnings.some((warning) => warning.includes('top_p 0.8 was sent, temperature was not'))).toBe(true);
  });

  it('maps a 429 in Anthropic error shape to a retryable rate-limit error', async () => {
    const server = await start({ script: ['rate-limit'], retryAfterMs: 300 });
    const error = await adapter(server)
      .generate(testRequest())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryable: true, retryAfterMs: 300 });
    expect((error as Error).message).toMatch(/^anthropic: /);
  });

  it('maps stop reasons', () => {
    expect(mapStopReason('end_turn')).toBe('stop');
    expect(mapStopReason('max_tokens')).toBe('length');
    expect(mapStopReason('refusal')).toBe('content-filter');
    expect(mapStopReason('pause_turn')).toBe('other');
  });
});
