import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import {
  type ChatMessage,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  UserInputError,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { importOptionalPeer, requireOptionalPeers } from '../optional-peers.js';
import type { Redactor } from '../secrets.js';
import { createHttpTransport, type HttpTransport } from './http-transport.js';
import { malformedResponse, toModelCallError } from './errors.js';
import { AGENT_HEADER } from './openai-compatible.js';

/**
 * Adapter for Anthropic's Messages API through the official `@anthropic-ai/sdk`. What the API does
 * not take is never dropped silently: `seed` is unsupported (a warning on every result), temperatures
 * above 1 are clamped to 1 (warning), and `top_p` is not sent together with `temperature` because
 * current models refuse the pair (warning). The SDK is an optional peer dependency (optional-peers.ts):
 * the adapter checks it is installed when it is built, before a study starts, and loads it on the
 * first call.
 */

export const AnthropicProviderOptionsSchema = z
  .object({
    /** Anthropic's top_k sampling parameter. */
    topK: z.number().int().min(1).optional(),
    /** Send top_p instead of temperature when both are set (the API accepts only one on current models). */
    preferTopP: z.boolean().optional(),
    /** Send the x-backfire-agent header (run and agent ids, never a secret). */
    agentHeader: z.boolean().optional(),
  })
  .strict();
export type AnthropicProviderOptions = z.infer<typeof AnthropicProviderOptionsSchema>;

const MessageResponseSchema = z.looseObject({
  model: z.string().optional(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.looseObject({
    input_tokens: z.number().int().min(0),
    output_tokens: z.number().int().min(0),
    cache_read_input_tokens: z.number().int().min(0).nullish(),
    cache_creation_input_tokens: z.number().int().min(0).nullish(),
  }),
});

export interface AnthropicAdapterOptions {
  ref: string;
  baseUrl: string;
  model: string;
  apiKey: string;
  providerOptions?: AnthropicProviderOptions | undefined;
  redactor: Redactor;
  sdkTimeoutMs?: number | undefined;
}

export function parseAnthropicProviderOptions(value: unknown, ref: string): AnthropicProviderOptions {
  const parsed = AnthropicProviderOptionsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(`model "${ref}": providerOptions: ${issue?.message ?? 'invalid'}`, {
      path: `providerOptions${issue !== undefined && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
      fix: 'allowed keys for Anthropic models: topK, preferTopP, agentHeader',
    });
  }
  return parsed.data;
}

/**
 * Anthropic takes the system prompt apart from the turns and wants user and assistant turns to
 * alternate; consecutive turns of one role are joined (and said so in a warning).
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): {
  system: string | undefined;
  turns: { role: 'user' | 'assistant'; content: string }[];
  merged: number;
} {
  const systemParts: string[] = [];
  const turns: { role: 'user' | 'assistant'; content: string }[] = [];
  let merged = 0;
  for (const message of messages) {
    if (message.role === 'system') {
      systemParts.push(message.content);
      continue;
    }
    const previous = turns[turns.length - 1];
    if (previous !== undefined && previous.role === message.role) {
      previous.content = `${previous.content}\n\n${message.content}`;
      merged += 1;
    } else {
      turns.push({ role: message.role, content: message.content });
    }
  }
  return { system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined, turns, merged };
}

export class AnthropicAdapter implements ChatModel {
  readonly ref: string;
  readonly surrogate = false;
  #client: Promise<Anthropic> | undefined;
  readonly #transport: HttpTransport = createHttpTransport();
  readonly #options: AnthropicAdapterOptions;

  constructor(options: AnthropicAdapterOptions) {
    requireOptionalPeers(['@anthropic-ai/sdk'], 'models');
    this.ref = options.ref;
    this.#options = options;
  }

  /** The SDK client, made on the first call (loading the SDK costs start-up time a study may not need). */
  #sdkClient(): Promise<Anthropic> {
    this.#client ??= importOptionalPeer<{ default: typeof Anthropic }>(
      '@anthropic-ai/sdk',
      'models',
      () => import('@anthropic-ai/sdk'),
    ).then(
      ({ default: AnthropicClient }) =>
        new AnthropicClient({
          apiKey: this.#options.apiKey,
          baseURL: this.#options.baseUrl,
          maxRetries: 0,
          timeout: this.#options.sdkTimeoutMs ?? 600_000,
          logLevel: 'off',
          fetch: this.#transport.fetch,
        }),
    );
    return this.#client;
  }

  /** Closes the connection pool; pending calls fail. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const options = this.#options;
    const warnings: string[] = ['anthropic does not support seed; sampling is not reproducible by seed'];
    const { system, turns, merged } = toAnthropicMessages(request.messages);
    if (merged > 0) {
      warnings.push(`anthropic needs alternating turns: ${merged} consecutive same-role message(s) were joined`);
    }
    let temperature = request.temperature;
    if (temperature > 1) {
      warnings.push(`anthropic accepts temperature up to 1; ${temperature} was sent as 1`);
      temperature = 1;
    }
    const body: Record<string, unknown> = {
      model: options.model,
      max_tokens: request.maxTokens,
      messages: turns,
    };
    if (system !== undefined) {
      body.system = system;
    }
    if (request.topP !== undefined && options.providerOptions?.preferTopP === true) {
      body.top_p = request.topP;
      warnings.push(
        `anthropic takes temperature or top_p, not both: top_p ${request.topP} was sent, temperature was not`,
      );
    } else {
      body.temperature = temperature;
      if (request.topP !== undefined) {
        warnings.push(
          `anthropic takes temperature or top_p, not both: temperature was sent, top_p ${request.topP} was not`,
        );
      }
    }
    if (options.providerOptions?.topK !== undefined) {
      body.top_k = options.providerOptions.topK;
    }
    const headers: Record<string, string> = {};
    if (options.providerOptions?.agentHeader !== false) {
      headers[AGENT_HEADER] = `${request.metadata.runId}/${request.metadata.agentId}`;
    }
    let json: unknown;
    try {
      const client = await this.#sdkClient();
      json = await client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming, {
        headers,
        signal: request.signal,
      });
    } catch (error) {
      throw toModelCallError(error, { provider: 'anthropic', redactor: options.redactor, signal: request.signal });
    }
    const parsed = MessageResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformedResponse(
        'anthropic',
        typeof json === 'string' ? 'body is not JSON' : `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
      );
    }
    const response = parsed.data;
    const text = response.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text ?? '')
      .join('');
    const cacheRead = response.usage.cache_read_input_tokens ?? 0;
    const cacheCreation = response.usage.cache_creation_input_tokens ?? 0;
    return {
      text,
      // Anthropic counts cache reads and writes apart from input_tokens; backfire's promptTokens is the total.
      usage: {
        promptTokens: response.usage.input_tokens + cacheRead + cacheCreation,
        completionTokens: response.usage.output_tokens,
        ...(response.usage.cache_read_input_tokens === undefined || response.usage.cache_read_input_tokens === null
          ? {}
          : { cachedPromptTokens: cacheRead }),
      },
      finishReason: mapStopReason(response.stop_reason),
      modelVersion: response.model ?? options.model,
      warnings,
    };
  }
}

export function mapStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
