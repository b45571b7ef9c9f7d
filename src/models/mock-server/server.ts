import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chooseFault, DrawKeys, retryAfterHeaders } from './faults.js';
import { drawLatency, ResponseTimers, uniformFrom } from './latency.js';
import { approximateTokens, flattenPrompt, PrefixTracker } from './prefix-stats.js';
import { presentedKey, RequestRecorder } from './recording.js';
import {
  anthropicMessage,
  buildAnswer,
  defaultAnswer,
  openAiCompletion,
  sendError,
  sendJson,
  sendMalformed,
  sendTruncated,
  sendWrongShape,
} from './responses.js';
import { type ChatRequestBase, routeRequests } from './routing.js';
import type { MockChatRequest, MockServer, MockServerOptions, MockServerStats } from './types.js';

export type {
  LatencySpec,
  MockChatRequest,
  MockFault,
  MockFaultRates,
  MockOutcome,
  MockServer,
  MockServerOptions,
  MockServerStats,
  RecordedLatency,
  RecordedRequest,
} from './types.js';
export { uniformFrom } from './latency.js';

/**
 * A loopback HTTP server speaking OpenAI's chat-completions protocol (and, for the Anthropic
 * adapter's tests, the Messages API), with faults on demand. Tests and benchmarks start it; its
 * answers are in backfire's action format (`[talk] ...`) so whole runs against it parse.
 *
 * Determinism: whether a request fails, and how long it takes, is a function of the seed, the
 * request body and how many times that exact body was seen before (so a retry draws afresh), never
 * of arrival order. Two servers with one seed treat the same requests the same way, however
 * concurrent the client.
 *
 * Faults: 429 with `retry-after` and `retry-after-ms`, 500, timeouts (the request is held until the
 * client gives up), malformed bodies (200 with invalid JSON), truncated bodies (the connection
 * drops mid-body), and, by script only, a well-formed body without choices.
 *
 * Measurements (`stats()` in-process, `GET /__stats` over HTTP; `POST /__reset` clears): outcomes,
 * peak concurrency, and for each agent (header `x-backfire-agent`, else the body's `user` field) how
 * much of each prompt is a prefix of that agent's previous prompt. Its `usage` reports that shared
 * prefix as `cached_tokens`, like a provider with prefix caching.
 *
 * It never stores a credential: recorded requests keep only whether the presented key matched.
 *
 * This file handles one chat request from body to answer and composes the parts, each its own
 * concern: routing (routing.ts), fault injection (faults.ts), the latency model (latency.ts),
 * response building (responses.ts) and recording (recording.ts).
 */

function contentOf(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return value
      .map((part) => (part !== null && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
      .join('');
  }
  return '';
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const latency = options.latency ?? { kind: 'none' };
  const faults = options.faults ?? {};
  const script = options.script ?? [];
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const retryHeaders = options.retryAfterHeaders ?? 'both';
  const respond = options.respond ?? defaultAnswer;
  const timeoutHoldMs = options.timeoutHoldMs ?? 60_000;

  const recorder = new RequestRecorder(options.maxRecordedRequests ?? 1000);
  const prefix = new PrefixTracker();
  const drawKeys = new DrawKeys(options.seed ?? 0);
  const timers = new ResponseTimers();
  let chatIndex = 0;

  const fingerprintFor = (index: number): string | undefined =>
    typeof options.fingerprint === 'function' ? options.fingerprint(index) : (options.fingerprint ?? 'fp_mock');

  async function handleChat(
    protocol: 'openai' | 'anthropic',
    incoming: IncomingMessage,
    response: ServerResponse,
    rawBody: string,
    base: ChatRequestBase,
    arrivedAt: number,
  ): Promise<void> {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('not an object');
      }
      body = parsed as Record<string, unknown>;
    } catch {
      recorder.record({ ...base, body: rawBody, agent: 'unknown', outcome: 'bad-request' });
      sendError(response, protocol, 400, 'invalid_request_error', 'request body is not a JSON object');
      return;
    }
    const agentHeader = incoming.headers['x-backfire-agent'];
    const agent =
      typeof agentHeader === 'string' ? agentHeader : typeof body.user === 'string' ? body.user : 'anonymous';
    if (base.auth.matches === false) {
      recorder.record({ ...base, body, agent, outcome: 'unauthorized' });
      // Deliberately the worst case a provider can do: echo the key it was given.
      const presented = presentedKey(incoming) ?? '';
      sendError(response, protocol, 401, 'authentication_error', `Incorrect API key provided: ${presented}.`);
      return;
    }
    const rawMessages = Array.isArray(body.messages) ? body.messages : undefined;
    if (typeof body.model !== 'string' || rawMessages === undefined) {
      recorder.record({ ...base, body, agent, outcome: 'bad-request' });
      sendError(response, protocol, 400, 'invalid_request_error', 'model and messages are required');
      return;
    }
    const messages: { role: string; content: string }[] = [];
    if (protocol === 'anthropic' && typeof body.system === 'string') {
      messages.push({ role: 'system', content: body.system });
    }
    for (const message of rawMessages as Record<string, unknown>[]) {
      messages.push({ role: String(message.role), content: contentOf(message.content) });
    }
    const index = chatIndex;
    chatIndex += 1;
    const drawKey = drawKeys.next(rawBody);
    const fault = chooseFault(script, faults, index, uniformFrom(`fault:${drawKey}`));
    let latencyDraw = 0;
    const delay = drawLatency(latency, () => uniformFrom(`latency:${drawKey}:${latencyDraw++}`));
    recorder.record({ ...base, body, agent, outcome: fault });
    if (options.recordLatencies === true && fault === 'ok') recorder.recordLatency({ agent, delayMs: delay });

    if (fault === 'rate-limit') {
      const headers = retryAfterHeaders(retryAfterMs, retryHeaders);
      sendError(response, protocol, 429, 'rate_limit_error', 'Rate limit reached for requests', headers);
      return;
    }
    if (fault === 'timeout') {
      // Hold the request; the client's timeout fires first. Then drop the connection.
      if (await timers.wait(timeoutHoldMs, response)) {
        response.socket?.destroy();
      }
      return;
    }
    // The latency counts from arrival, and the prompt is measured before the wait (an agent's
    // requests arrive in order), so the server's own work does not lengthen a "fixed" latency.
    const measured =
      fault === 'ok'
        ? prefix.observe(agent, flattenPrompt(messages))
        : {
            promptTokens: fault === 'truncated' ? approximateTokens(flattenPrompt(messages)).length : 0,
            sharedTokens: 0,
          };
    if (!(await timers.wait(delay - (performance.now() - arrivedAt), response))) {
      return;
    }
    if (fault === 'server-error') {
      sendError(response, protocol, 500, 'server_error', 'The server had an error while processing your request.');
      return;
    }
    if (fault === 'malformed') {
      sendMalformed(response);
      return;
    }
    if (fault === 'wrong-shape') {
      sendWrongShape(response);
      return;
    }

    const request: MockChatRequest = {
      protocol,
      model: body.model,
      messages,
      maxTokens:
        typeof body.max_tokens === 'number'
          ? body.max_tokens
          : typeof body.max_completion_tokens === 'number'
            ? body.max_completion_tokens
            : undefined,
      temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
      seed: typeof body.seed === 'number' ? body.seed : undefined,
      agent,
      index,
    };
    const { text, finish, completionTokens } = buildAnswer(request, respond);
    const { promptTokens, sharedTokens } = measured;
    const payload =
      protocol === 'openai'
        ? openAiCompletion(request, text, finish, promptTokens, completionTokens, sharedTokens, fingerprintFor(index))
        : anthropicMessage(request, text, finish, promptTokens, completionTokens, sharedTokens);
    if (fault === 'truncated') {
      sendTruncated(response, payload);
      return;
    }
    sendJson(response, 200, payload);
  }

  function stats(): MockServerStats {
    const load = recorder.load();
    return {
      requests: chatIndex,
      outcomes: load.outcomes,
      inFlight: load.inFlight,
      maxInFlight: load.maxInFlight,
      prefix: prefix.summary(),
      agents: prefix.agents(),
    };
  }

  function reset(): void {
    recorder.reset();
    prefix.reset();
    drawKeys.reset();
    chatIndex = 0;
  }

  const server: Server = createServer(
    routeRequests({ recorder, apiKey: options.apiKey, stats, reset, chat: handleChat }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  return {
    url: `${origin}/v1`,
    origin,
    port: address.port,
    requests: recorder.requests,
    stats,
    reset,
    close(): Promise<void> {
      timers.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
