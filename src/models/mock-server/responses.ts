import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { approximateTokens } from './prefix-stats.js';
import type { MockChatRequest } from './types.js';

/**
 * Response building: the answer text (cut at `max_tokens`), the OpenAI and Anthropic bodies with
 * their usage, error bodies in each protocol's shape, and the deliberately broken bodies of the
 * `malformed`, `wrong-shape` and `truncated` faults.
 */

const DEFAULT_ANSWERS = [
  'I hear everyone. We should stay calm and decide together.',
  'I do not agree with this. Nobody should be forced out into the cold.',
  'Let us follow the rules, but we must protect the quietest among us.',
  'I will go along with the group for now.',
  'This is wrong. I refuse to take part in excluding anyone.',
  'We need more information before anyone decides.',
];

export function defaultAnswer(request: MockChatRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(request.messages))
    .update(String(request.seed ?? ''))
    .digest();
  return `[talk] ${DEFAULT_ANSWERS[digest.readUInt32BE(0) % DEFAULT_ANSWERS.length]}`;
}

export interface Answer {
  text: string;
  finish: 'stop' | 'length';
  completionTokens: number;
}

/** The answer `respond` gives, cut at the request's `max_tokens` (then `finish` is `length`). */
export function buildAnswer(request: MockChatRequest, respond: (request: MockChatRequest) => string): Answer {
  let text = respond(request);
  let finish: 'stop' | 'length' = 'stop';
  let completionTokens = approximateTokens(text);
  if (request.maxTokens !== undefined && completionTokens.length > request.maxTokens) {
    completionTokens = completionTokens.slice(0, request.maxTokens);
    text = completionTokens.join('');
    finish = 'length';
  }
  return { text, finish, completionTokens: completionTokens.length };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export function sendError(
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

/** The `malformed` fault: a 200 whose body is not JSON. */
export function sendMalformed(response: ServerResponse): void {
  const text = '{"id":"chatcmpl-mock","object":"chat.completion","choices":[{"index":0,"message":<<not json>>';
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** The `wrong-shape` fault: valid JSON without choices. */
export function sendWrongShape(response: ServerResponse): void {
  sendJson(response, 200, { id: 'chatcmpl-mock', object: 'chat.completion', choices: [] });
}

/** The `truncated` fault: the full length announced, half the body sent, then the connection dropped. */
export function sendTruncated(response: ServerResponse, payload: unknown): void {
  const serialized = JSON.stringify(payload);
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(serialized)),
  });
  response.write(serialized.slice(0, Math.floor(serialized.length / 2)));
  setImmediate(() => response.socket?.destroy());
}

export function openAiCompletion(
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

export function anthropicMessage(
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
