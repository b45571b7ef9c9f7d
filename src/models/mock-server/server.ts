import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AgentPrefixStats,
  approximateTokens,
  flattenPrompt,
  type PrefixSummary,
  PrefixTracker,
} from './prefix-stats.js';

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
 */

export type LatencySpec =
  | { kind: 'none' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number };

export type MockFault = 'rate-limit' | 'server-error' | 'timeout' | 'malformed' | 'truncated' | 'wrong-shape';

export interface MockFaultRates {
  rateLimit?: number;
  serverError?: number;
  timeout?: number;
  malformed?: number;
  truncated?: number;
}

export interface MockChatRequest {
  protocol: 'openai' | 'anthropic';
  model: string;
  messages: { role: string; content: string }[];
  maxTokens: number | undefined;
  temperature: number | undefined;
  seed: number | undefined;
  agent: string;
  /** Position among all chat requests this server received, from 0. */
  index: number;
}

export interface MockServerOptions {
  seed?: number;
  latency?: LatencySpec;
  faults?: MockFaultRates;
  /** Outcomes of the first requests, in arrival order ('ok' = answer normally); then `faults` apply. */
  script?: readonly (MockFault | 'ok')[];
  /** Wait a 429 asks for (default 1000 ms); sent as `retry-after-ms` and as whole seconds in `retry-after`. */
  retryAfterMs?: number;
  /** Which retry headers a 429 carries (default both). */
  retryAfterHeaders?: 'both' | 'seconds' | 'milliseconds' | 'none';
  /** The answer text; default: a `[talk]` action chosen from the request. */
  respond?: (request: MockChatRequest) => string;
  /** When set, requests must present this key (`Authorization: Bearer` or `x-api-key`), else 401. */
  apiKey?: string;
  /** `system_fingerprint` per request (default `fp_mock`); undefined leaves it out. */
  fingerprint?: string | ((index: number) => string | undefined);
  /** How long a `timeout` fault holds the request before dropping it (default 60 s). */
  timeoutHoldMs?: number;
  /** Requests kept in `requests` (oldest dropped; default 1000). */
  maxRecordedRequests?: number;
  /**
   * Keep every answered request's drawn latency and agent (`GET /__latencies`), so the scheduler
   * benchmark can compute the best schedule of the same draws; off by default to keep memory flat.
   */
  recordLatencies?: boolean;
  host?: string;
  port?: number;
}

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  /** Header names lower-cased; authorization and x-api-key removed. */
  headers: Record<string, string>;
  /** How a credential was presented, and whether it matched `apiKey` (null when none is configured). */
  auth: { scheme: 'bearer' | 'x-api-key' | null; matches: boolean | null };
  body: unknown;
  agent: string;
  outcome: MockOutcome;
}

/** One answered request's drawn latency, in arrival order (`recordLatencies`). */
export interface RecordedLatency {
  /** The `x-backfire-agent` header: `<run id>/<agent id>`. */
  agent: string;
  delayMs: number;
}

export type MockOutcome = 'ok' | MockFault | 'unauthorized' | 'bad-request' | 'not-found';

export interface MockServerStats {
  requests: number;
  outcomes: Record<MockOutcome, number>;
  inFlight: number;
  maxInFlight: number;
  prefix: PrefixSummary;
  agents: Record<string, AgentPrefixStats>;
}

export interface MockServer {
  /** Base URL including `/v1`, for `openai-compatible:<url>#<model>`. */
  readonly url: string;
  /** Base URL without `/v1`, for the Anthropic SDK. */
  readonly origin: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  stats(): MockServerStats;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_ANSWERS = [
  'I hear everyone. We should stay calm and decide together.',
  'I do not agree with this. Nobody should be forced out into the cold.',
  'Let us follow the rules, but we must protect the quietest among us.',
  'I will go along with the group for now.',
  'This is wrong. I refuse to take part in excluding anyone.',
  'We need more information before anyone decides.',
];

function defaultAnswer(request: MockChatRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(request.messages))
    .update(String(request.seed ?? ''))
    .digest();
  return `[talk] ${DEFAULT_ANSWERS[digest.readUInt32BE(0) % DEFAULT_ANSWERS.length]}`;
}

/** A uniform number in [0, 1) from a string: the server's only source of randomness. */
export function uniformFrom(text: string): number {
  const digest = createHash('sha256').update(text).digest();
  return Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53;
}

function drawLatency(spec: LatencySpec, uniform: () => number): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * uniform();
    case 'lognormal': {
      // Box-Muller from two uniforms.
      const first = Math.max(uniform(), 1e-12);
      const second = uniform();
      const normal = Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
      return spec.medianMs * Math.exp(spec.sigma * normal);
    }
  }
}

function emptyOutcomes(): Record<MockOutcome, number> {
  return {
    ok: 0,
    'rate-limit': 0,
    'server-error': 0,
    timeout: 0,
    malformed: 0,
    truncated: 0,
    'wrong-shape': 0,
    unauthorized: 0,
    'bad-request': 0,
    'not-found': 0,
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

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
  const seed = options.seed ?? 0;
  const latency = options.latency ?? { kind: 'none' };
  const faults = options.faults ?? {};
  const script = options.script ?? [];
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const retryHeaders = options.retryAfterHeaders ?? 'both';
  const respond = options.respond ?? defaultAnswer;
  const timeoutHoldMs = options.timeoutHoldMs ?? 60_000;
  const maxRecorded = options.maxRecordedRequests ?? 1000;

  const requests: RecordedRequest[] = [];
  const prefix = new PrefixTracker();
  const seenBodies = new Map<string, number>();
  const latencyLog: RecordedLatency[] = [];
  let outcomes = emptyOutcomes();
  let chatIndex = 0;
  let requestIndex = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const wait = (milliseconds: number, response: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      if (milliseconds <= 0) {
        resolve(!response.destroyed);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!response.destroyed);
      }, milliseconds);
      timers.add(timer);
    });

  const record = (entry: RecordedRequest): void => {
    requests.push(entry);
    if (requests.length > maxRecorded) {
      requests.shift();
    }
    outcomes[entry.outcome] += 1;
  };

  const fingerprintFor = (index: number): string | undefined =>
    typeof options.fingerprint === 'function' ? options.fingerprint(index) : (options.fingerprint ?? 'fp_mock');

  function chooseFault(index: number, uniform: number): MockFault | 'ok' {
    const scripted = script[index];
    if (scripted !== undefined) {
      return scripted;
    }
    const table: [MockFault, number][] = [
      ['rate-limit', faults.rateLimit ?? 0],
      ['server-error', faults.serverError ?? 0],
      ['timeout', faults.timeout ?? 0],
      ['malformed', faults.malformed ?? 0],
      ['truncated', faults.truncated ?? 0],
    ];
    let threshold = 0;
    for (const [fault, rate] of table) {
      threshold += rate;
      if (uniform < threshold) {
        return fault;
      }
    }
    return 'ok';
  }

  async function handleChat(
    protocol: 'openai' | 'anthropic',
    incoming: IncomingMessage,
    response: ServerResponse,
    rawBody: string,
    base: Omit<RecordedRequest, 'outcome' | 'agent' | 'body'>,
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
      record({ ...base, body: rawBody, agent: 'unknown', outcome: 'bad-request' });
      sendError(response, protocol, 400, 'invalid_request_error', 'request body is not a JSON object');
      return;
    }
    const agentHeader = incoming.headers['x-backfire-agent'];
    const agent =
      typeof agentHeader === 'string' ? agentHeader : typeof body.user === 'string' ? body.user : 'anonymous';
    if (base.auth.matches === false) {
      record({ ...base, body, agent, outcome: 'unauthorized' });
      // Deliberately the worst case a provider can do: echo the key it was given.
      const presented = presentedKey(incoming) ?? '';
      sendError(response, protocol, 401, 'authentication_error', `Incorrect API key provided: ${presented}.`);
      return;
    }
    const rawMessages = Array.isArray(body.messages) ? body.messages : undefined;
    if (typeof body.model !== 'string' || rawMessages === undefined) {
      record({ ...base, body, agent, outcome: 'bad-request' });
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
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    const occurrence = seenBodies.get(bodyHash) ?? 0;
    seenBodies.set(bodyHash, occurrence + 1);
    const drawKey = `${seed}:${bodyHash}:${occurrence}`;
    const fault = chooseFault(index, uniformFrom(`fault:${drawKey}`));
    let latencyDraw = 0;
    const delay = drawLatency(latency, () => uniformFrom(`latency:${drawKey}:${latencyDraw++}`));
    record({ ...base, body, agent, outcome: fault });
    if (options.recordLatencies === true && fault === 'ok') latencyLog.push({ agent, delayMs: delay });

    if (fault === 'rate-limit') {
      const headers: Record<string, string> = {};
      if (retryHeaders === 'both' || retryHeaders === 'milliseconds') {
        headers['retry-after-ms'] = String(retryAfterMs);
      }
      if (retryHeaders === 'both' || retryHeaders === 'seconds') {
        headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
      }
      sendError(response, protocol, 429, 'rate_limit_error', 'Rate limit reached for requests', headers);
      return;
    }
    if (fault === 'timeout') {
      // Hold the request; the client's timeout fires first. Then drop the connection.
      if (await wait(timeoutHoldMs, response)) {
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
    if (!(await wait(delay - (performance.now() - arrivedAt), response))) {
      return;
    }
    if (fault === 'server-error') {
      sendError(response, protocol, 500, 'server_error', 'The server had an error while processing your request.');
      return;
    }
    if (fault === 'malformed') {
      const text = '{"id":"chatcmpl-mock","object":"chat.completion","choices":[{"index":0,"message":<<not json>>';
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
      });
      response.end(text);
      return;
    }
    if (fault === 'wrong-shape') {
      sendJson(response, 200, { id: 'chatcmpl-mock', object: 'chat.completion', choices: [] });
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
    let text = respond(request);
    let finish: 'stop' | 'length' = 'stop';
    let completionTokens = approximateTokens(text);
    if (request.maxTokens !== undefined && completionTokens.length > request.maxTokens) {
      completionTokens = completionTokens.slice(0, request.maxTokens);
      text = completionTokens.join('');
      finish = 'length';
    }
    const { promptTokens, sharedTokens } = measured;
    const payload =
      protocol === 'openai'
        ? openAiCompletion(
            request,
            text,
            finish,
            promptTokens,
            completionTokens.length,
            sharedTokens,
            fingerprintFor(index),
          )
        : anthropicMessage(request, text, finish, promptTokens, completionTokens.length, sharedTokens);
    const serialized = JSON.stringify(payload);
    if (fault === 'truncated') {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(serialized)),
      });
      response.write(serialized.slice(0, Math.floor(serialized.length / 2)));
      setImmediate(() => response.socket?.destroy());
      return;
    }
    sendJson(response, 200, payload);
  }

  const server: Server = createServer((incoming, response) => {
    const arrivedAt = performance.now();
    const index = requestIndex;
    requestIndex += 1;
    const path = new URL(incoming.url ?? '/', 'http://localhost').pathname;
    // The server's own routes are not load.
    if (!path.startsWith('/__')) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      response.on('close', () => {
        inFlight -= 1;
      });
    }
    void (async () => {
      const method = incoming.method ?? 'GET';
      const rawBody = await readBody(incoming);
      if (method === 'GET' && path === '/__stats') {
        sendJson(response, 200, stats());
        return;
      }
      if (method === 'GET' && path === '/__latencies') {
        sendJson(response, 200, latencyLog);
        return;
      }
      if (method === 'POST' && path === '/__reset') {
        reset();
        sendJson(response, 200, { ok: true });
        return;
      }
      if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
        sendJson(response, 200, {
          object: 'list',
          data: [{ id: 'mock-model', object: 'model', owned_by: 'backfire' }],
        });
        return;
      }
      const base = {
        index,
        method,
        path,
        headers: publicHeaders(incoming),
        auth: authOf(incoming, options.apiKey),
      };
      if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
        await handleChat('openai', incoming, response, rawBody, base, arrivedAt);
        return;
      }
      if (method === 'POST' && (path === '/v1/messages' || path === '/messages')) {
        await handleChat('anthropic', incoming, response, rawBody, base, arrivedAt);
        return;
      }
      record({ ...base, body: rawBody, agent: 'unknown', outcome: 'not-found' });
      sendError(response, 'openai', 404, 'not_found_error', `no route ${method} ${path}`);
    })().catch((error: unknown) => {
      if (!response.headersSent) {
        sendError(response, 'openai', 500, 'server_error', `mock server failure: ${String(error)}`);
      }
    });
  });

  function stats(): MockServerStats {
    return {
      requests: chatIndex,
      outcomes: { ...outcomes },
      inFlight,
      maxInFlight,
      prefix: prefix.summary(),
      agents: prefix.agents(),
    };
  }

  function reset(): void {
    requests.length = 0;
    prefix.reset();
    seenBodies.clear();
    latencyLog.length = 0;
    outcomes = emptyOutcomes();
    chatIndex = 0;
    maxInFlight = inFlight;
  }

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
    requests,
    stats,
    reset,
    close(): Promise<void> {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sendError(
  response: ServerResponse,
  protocol: 'openai' | 'anthropic',
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body =
    protocol === 'anthropic'
      ? { type: 'error', error: { type, message } }
      : { error: { message, type, code: type === 'rate_limit_error' ? 'rate_limit_exceeded' : null } };
  sendJson(response, status, body, headers);
}

function presentedKey(incoming: IncomingMessage): string | undefined {
  const header = incoming.headers['x-api-key'];
  if (typeof header === 'string') {
    return header;
  }
  const authorization = incoming.headers.authorization;
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
    return authorization.slice('bearer '.length);
  }
  return undefined;
}

function authOf(incoming: IncomingMessage, apiKey: string | undefined): RecordedRequest['auth'] {
  const scheme =
    typeof incoming.headers['x-api-key'] === 'string'
      ? 'x-api-key'
      : typeof incoming.headers.authorization === 'string'
        ? 'bearer'
        : null;
  return { scheme, matches: apiKey === undefined ? null : presentedKey(incoming) === apiKey };
}

function publicHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (name === 'authorization' || name === 'x-api-key' || value === undefined) {
      continue;
    }
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function openAiCompletion(
  request: MockChatRequest,
  text: string,
  finish: 'stop' | 'length',
  prompt: number,
  completion: number,
  shared: number,
  fingerprint: string | undefined,
): Record<string, unknown> {
  return {
    id: `chatcmpl-mock-${request.index}`,
    object: 'chat.completion',
    created: 1_767_225_600,
    model: request.model,
    ...(fingerprint === undefined ? {} : { system_fingerprint: fingerprint }),
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish, logprobs: null }],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: shared },
    },
  };
}

function anthropicMessage(
  request: MockChatRequest,
  text: string,
  finish: 'stop' | 'length',
  prompt: number,
  completion: number,
  shared: number,
): Record<string, unknown> {
  return {
    id: `msg_mock_${request.index}`,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: [{ type: 'text', text }],
    stop_reason: finish === 'stop' ? 'end_turn' : 'max_tokens',
    stop_sequence: null,
    usage: {
      input_tokens: prompt - shared,
      output_tokens: completion,
      cache_read_input_tokens: shared,
      cache_creation_input_tokens: 0,
    },
  };
}
