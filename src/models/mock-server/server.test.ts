import { describe, expect, it } from 'vitest';
import type { MockServer } from './server.js';
import { useMockServers } from './servers.test-support.js';

const start = useMockServers();

function chatBody(index: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: 'mock-model',
    messages: [
      { role: 'system', content: 'You are agent number one.' },
      { role: 'user', content: `Turn ${index}: what do you say?` },
    ],
    max_tokens: 64,
    seed: index,
    ...extra,
  });
}

type Observed = 'ok' | 'rate-limit' | 'server-error' | 'timeout' | 'malformed' | 'other';

async function send(
  server: MockServer,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ observed: Observed; response?: Response; text?: string }> {
  let response: Response;
  try {
    response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  } catch {
    return { observed: 'timeout' };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { observed: 'other', response };
  }
  if (response.status === 429) return { observed: 'rate-limit', response, text };
  if (response.status === 500) return { observed: 'server-error', response, text };
  if (response.status !== 200) return { observed: 'other', response, text };
  try {
    JSON.parse(text);
    return { observed: 'ok', response, text };
  } catch {
    return { observed: 'malformed', response, text };
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

describe('fault injection', () => {
  const faults = { rateLimit: 0.1, serverError: 0.02, timeout: 0.01, malformed: 0.01 };
  const bodies = Array.from({ length: 500 }, (_, index) => chatBody(index));

  it('injects 10% 429 with Retry-After, 2% 500, 1% timeouts and 1% malformed, deterministically by seed, whatever the arrival order', async () => {
    const first = await start({ seed: 7, faults, retryAfterMs: 1500, timeoutHoldMs: 10 });
    const second = await start({ seed: 7, faults, retryAfterMs: 1500, timeoutHoldMs: 10 });
    const other = await start({ seed: 8, faults, timeoutHoldMs: 10 });

    const firstOutcomes = await mapLimited(bodies, 16, async (body) => (await send(first, body)).observed);
    const reversed = [...bodies].reverse();
    const secondOutcomes = (
      await mapLimited(reversed, 16, async (body) => (await send(second, body)).observed)
    ).reverse();
    const otherOutcomes = await mapLimited(
      bodies.slice(0, 200),
      16,
      async (body) => (await send(other, body)).observed,
    );

    expect(secondOutcomes).toEqual(firstOutcomes);
    expect(otherOutcomes).not.toEqual(firstOutcomes.slice(0, 200));

    const count = (kind: Observed) => firstOutcomes.filter((outcome) => outcome === kind).length;
    // Expected 50 / 10 / 5 / 5 of 500; bounds are about 3 standard deviations.
    expect(count('rate-limit')).toBeGreaterThanOrEqual(30);
    expect(count('rate-limit')).toBeLessThanOrEqual(72);
    expect(count('server-error')).toBeGreaterThanOrEqual(2);
    expect(count('server-error')).toBeLessThanOrEqual(21);
    expect(count('timeout')).toBeGreaterThanOrEqual(1);
    expect(count('timeout')).toBeLessThanOrEqual(13);
    expect(count('malformed')).toBeGreaterThanOrEqual(1);
    expect(count('malformed')).toBeLessThanOrEqual(13);
    expect(count('other')).toBe(0);
    console.info(
      'fault counts of 500:',
      ['rate-limit', 'server-error', 'timeout', 'malformed']
        .map((kind) => `${kind} ${count(kind as Observed)}`)
        .join(', '),
    );
    expect(first.stats().outcomes).toMatchObject({
      'rate-limit': count('rate-limit'),
      'server-error': count('server-error'),
      timeout: count('timeout'),
      malformed: count('malformed'),
      ok: count('ok'),
    });
  });

  it('sends retry-after (seconds) and retry-after-ms on a 429', async () => {
    const server = await start({ script: ['rate-limit'], retryAfterMs: 1500 });
    const { observed, response, text } = await send(server, chatBody(1));
    expect(observed).toBe('rate-limit');
    expect(response?.headers.get('retry-after')).toBe('2');
    expect(response?.headers.get('retry-after-ms')).toBe('1500');
    expect(JSON.parse(text ?? '')).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it('draws afresh for a repeated body, so a retry can succeed', async () => {
    const server = await start({ seed: 1, faults: { rateLimit: 0.5 } });
    const outcomes: Observed[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      outcomes.push((await send(server, chatBody(3))).observed);
    }
    expect(outcomes).toContain('ok');
    expect(outcomes).toContain('rate-limit');
  });

  it('follows a script before the random faults, and cuts truncated bodies short', async () => {
    const server = await start({ script: ['server-error', 'truncated', 'wrong-shape', 'ok'] });
    expect((await send(server, chatBody(1))).observed).toBe('server-error');
    expect((await send(server, chatBody(1))).observed).toBe('other');
    const wrongShape = await send(server, chatBody(1));
    expect(JSON.parse(wrongShape.text ?? '')).toEqual({ id: 'chatcmpl-mock', object: 'chat.completion', choices: [] });
    expect((await send(server, chatBody(1))).observed).toBe('ok');
    expect(server.stats().outcomes).toMatchObject({ 'server-error': 1, truncated: 1, 'wrong-shape': 1, ok: 1 });
  });
});

describe('answers', () => {
  it('answers in backfire action format with usage, fingerprint and finish reason', async () => {
    const server = await start({ fingerprint: 'fp_test' });
    const { text } = await send(server, chatBody(1));
    const json = JSON.parse(text ?? '');
    expect(json.model).toBe('mock-model');
    expect(json.system_fingerprint).toBe('fp_test');
    expect(json.choices[0].message.content).toMatch(/^\[talk\] \S/);
    expect(json.choices[0].finish_reason).toBe('stop');
    expect(json.usage.prompt_tokens).toBeGreaterThan(10);
    expect(json.usage.completion_tokens).toBeGreaterThan(3);
  });

  it('cuts the answer at max_tokens and says so', async () => {
    const server = await start({ respond: () => '[talk] one two three four five six seven eight' });
    const { text } = await send(server, chatBody(1, { max_tokens: 5 }));
    const json = JSON.parse(text ?? '');
    expect(json.choices[0].message.content).toBe('[talk] one');
    expect(json.choices[0].finish_reason).toBe('length');
    expect(json.usage.completion_tokens).toBe(5);
  });

  it('waits the configured latency', async () => {
    const server = await start({ latency: { kind: 'fixed', ms: 120 } });
    const started = performance.now();
    await send(server, chatBody(1));
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('speaks the Anthropic Messages shape on /v1/messages', async () => {
    const server = await start({ respond: () => '[talk] hello there' });
    const response = await fetch(`${server.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-x',
        system: 'Be brief.',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    const json = (await response.json()) as { usage: { input_tokens: number } };
    expect(json).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: '[talk] hello there' }],
      stop_reason: 'end_turn',
    });
    expect(json.usage.input_tokens).toBeGreaterThan(0);
  });
});

describe('credentials', () => {
  it('refuses a wrong key with 401, echoing it like a careless provider, but never records it', async () => {
    const server = await start({ apiKey: 'sk-right-key-000000' });
    const wrong = await send(server, chatBody(1), { authorization: 'Bearer sk-wrong-key-111111' });
    expect(wrong.response?.status).toBe(401);
    expect(wrong.text).toContain('sk-wrong-key-111111');
    const right = await send(server, chatBody(1), { authorization: 'Bearer sk-right-key-000000' });
    expect(right.observed).toBe('ok');
    expect(server.requests.map((request) => request.auth)).toEqual([
      { scheme: 'bearer', matches: false },
      { scheme: 'bearer', matches: true },
    ]);
    const dump = JSON.stringify(server.requests);
    expect(dump).not.toContain('sk-wrong-key-111111');
    expect(dump).not.toContain('sk-right-key-000000');
  });
});

describe('prefix measurement', () => {
  it('measures per agent how much of each prompt is a prefix of its previous prompt, in-process and over HTTP', async () => {
    const server = await start();
    const history = [{ role: 'system', content: 'You are Aiko. Answer as [talk] text.' }];
    for (let turn = 1; turn <= 3; turn += 1) {
      history.push({ role: 'user', content: `Turn ${turn}: the group is talking.` });
      await send(server, JSON.stringify({ model: 'm', messages: history }), { 'x-backfire-agent': 'run-1/aiko' });
      history.push({ role: 'assistant', content: `[talk] answer ${turn}` });
    }
    // Another agent whose prompt is rewritten from the top each time shares almost nothing.
    for (let turn = 1; turn <= 2; turn += 1) {
      await send(
        server,
        JSON.stringify({ model: 'm', messages: [{ role: 'system', content: `Turn ${turn} state` }] }),
        { 'x-backfire-agent': 'run-1/ben' },
      );
    }
    const stats = server.stats();
    expect(stats.agents['run-1/aiko']).toMatchObject({ calls: 3, pairs: 2 });
    expect(stats.agents['run-1/aiko']!.share).toBeGreaterThan(0.6);
    expect(stats.agents['run-1/aiko']!.lastShare).toBeGreaterThan(0.7);
    expect(stats.agents['run-1/ben']!.lastShare).toBeLessThan(0.5);
    expect(stats.prefix.agents).toBe(2);
    expect(stats.prefix.pairs).toBe(3);

    const overHttp = await (await fetch(`${server.origin}/__stats`)).json();
    expect(overHttp).toEqual(JSON.parse(JSON.stringify(server.stats())));
    await fetch(`${server.origin}/__reset`, { method: 'POST' });
    expect(server.stats().requests).toBe(0);
    expect(server.stats().prefix.pairs).toBe(0);
  });

  it('reports the shared prefix as cached prompt tokens', async () => {
    const server = await start();
    const messages = [{ role: 'system', content: 'A long and stable system prompt that every call repeats verbatim.' }];
    await send(server, JSON.stringify({ model: 'm', messages: [...messages, { role: 'user', content: 'one' }] }), {
      'x-backfire-agent': 'a',
    });
    const { text } = await send(
      server,
      JSON.stringify({ model: 'm', messages: [...messages, { role: 'user', content: 'two' }] }),
      { 'x-backfire-agent': 'a' },
    );
    const usage = JSON.parse(text ?? '').usage;
    expect(usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(10);
    expect(usage.prompt_tokens_details.cached_tokens).toBeLessThan(usage.prompt_tokens);
  });
});
