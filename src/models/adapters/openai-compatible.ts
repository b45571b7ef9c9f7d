import OpenAI from 'openai';
import { z } from 'zod';
import {
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type Usage,
  UserInputError,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import type { Redactor } from '../secrets.js';
import { createHttpTransport, type HttpTransport } from './http-transport.js';
import { malformedResponse, toModelCallError } from './errors.js';

/**
 * Adapter for any endpoint speaking OpenAI's chat-completions protocol (OpenAI, Groq, OpenRouter,
 * Together, vLLM, SGLang, llama.cpp, Ollama, the mock server). The wire protocol is the official
 * `openai` SDK's; this file only translates shapes. The SDK's own retries are off (the retry wrapper
 * owns retries) and its environment lookups are disabled by passing every setting explicitly.
 */

/** Header naming the caller of a request, for per-agent statistics on servers that read it (the mock). */
export const AGENT_HEADER = 'x-backfire-agent';

/** Request fields set by the adapter; `extraBody` may not replace them. */
const RESERVED_BODY_FIELDS = [
  'model',
  'messages',
  'temperature',
  'max_tokens',
  'max_completion_tokens',
  'top_p',
  'seed',
  'stream',
  'n',
];

export const OpenAiCompatibleProviderOptionsSchema = z
  .object({
    /** Extra request-body fields the endpoint understands (top_k, min_p, repetition_penalty, reasoning_effort...). */
    extraBody: z
      .record(z.string(), z.unknown())
      .refine((body) => !Object.keys(body).some((key) => RESERVED_BODY_FIELDS.includes(key)), {
        message: `extraBody may not set ${RESERVED_BODY_FIELDS.join(', ')}: use the study's sampling settings`,
      })
      .optional(),
    /** Extra non-secret headers (e.g. OpenRouter's HTTP-Referer). Credentials go in the key variable. */
    headers: z
      .record(z.string(), z.string())
      .refine((headers) => !Object.keys(headers).some((name) => /authorization|api[-_]?key|token|cookie/i.test(name)), {
        message: 'headers may not carry credentials: put the key in the API-key variable',
      })
      .optional(),
    /** Send the x-backfire-agent header (run and agent ids, never a secret). */
    agentHeader: z.boolean().optional(),
  })
  .strict();
export type OpenAiCompatibleProviderOptions = z.infer<typeof OpenAiCompatibleProviderOptionsSchema>;

/** The fields of a chat completion we read; everything else is ignored. */
const ChatCompletionResponseSchema = z.looseObject({
  model: z.string().optional(),
  system_fingerprint: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .looseObject({
      prompt_tokens: z.number().int().min(0),
      completion_tokens: z.number().int().min(0),
      prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().min(0).nullish() }).nullish(),
    })
    .nullish(),
});

export interface OpenAiCompatibleAdapterOptions {
  ref: string;
  /** Label for messages and warnings (`groq`, or the endpoint's host). */
  provider: string;
  baseUrl: string;
  model: string;
  /** Read from the environment by `createModel`; held only by the SDK client. */
  apiKey: string | undefined;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  ignoredSettings: readonly ('seed' | 'topP')[];
  providerOptions?: OpenAiCompatibleProviderOptions | undefined;
  redactor: Redactor;
  /** Hard ceiling inside the SDK; the timeout wrapper normally fires first. */
  sdkTimeoutMs?: number | undefined;
}

export function parseOpenAiCompatibleProviderOptions(value: unknown, ref: string): OpenAiCompatibleProviderOptions {
  const parsed = OpenAiCompatibleProviderOptionsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(`model "${ref}": providerOptions: ${issue?.message ?? 'invalid'}`, {
      path: `providerOptions${issue !== undefined && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
      fix: 'allowed keys for OpenAI-compatible models: extraBody, headers, agentHeader',
    });
  }
  return parsed.data;
}

export class OpenAiCompatibleAdapter implements ChatModel {
  readonly ref: string;
  readonly surrogate = false;
  readonly baseUrl: string;
  readonly #client: OpenAI;
  readonly #transport: HttpTransport = createHttpTransport();
  readonly #options: OpenAiCompatibleAdapterOptions;

  constructor(options: OpenAiCompatibleAdapterOptions) {
    this.ref = options.ref;
    this.baseUrl = options.baseUrl;
    this.#options = options;
    this.#client = new OpenAI({
      // Servers without authentication still need a non-empty value for the SDK.
      apiKey: options.apiKey ?? 'no-key',
      baseURL: options.baseUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: options.sdkTimeoutMs ?? 600_000,
      logLevel: 'off',
      fetch: this.#transport.fetch,
      defaultHeaders: options.providerOptions?.headers ?? {},
    });
  }

  /** Closes the connection pool; pending calls fail. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const options = this.#options;
    const body: Record<string, unknown> = {
      ...options.providerOptions?.extraBody,
      model: options.model,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      temperature: request.temperature,
      [options.maxTokensField]: request.maxTokens,
      seed: request.seed,
      stream: false,
    };
    if (request.topP !== undefined) {
      body.top_p = request.topP;
    }
    const headers: Record<string, string> = {};
    if (options.providerOptions?.agentHeader !== false) {
      headers[AGENT_HEADER] = `${request.metadata.runId}/${request.metadata.agentId}`;
    }
    let json: unknown;
    try {
      json = await this.#client.chat.completions.create(
        body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
        {
          headers,
          signal: request.signal,
        },
      );
    } catch (error) {
      throw toModelCallError(error, { provider: options.provider, redactor: options.redactor, signal: request.signal });
    }
    return this.#toResult(json, request);
  }

  #toResult(json: unknown, request: GenerateRequest): GenerateResult {
    const options = this.#options;
    const parsed = ChatCompletionResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformedResponse(
        options.provider,
        typeof json === 'string' ? 'body is not JSON' : `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
      );
    }
    const response = parsed.data;
    const choice = response.choices[0]!;
    const warnings: string[] = [];
    if (options.ignoredSettings.includes('seed')) {
      warnings.push(`${options.provider} ignores seed; it was sent but sampling is not reproducible by seed`);
    }
    if (options.ignoredSettings.includes('topP') && request.topP !== undefined) {
      warnings.push(`${options.provider} ignores top_p; it was sent but has no effect`);
    }
    let text = choice.message.content ?? '';
    let finishReason = mapFinishReason(choice.finish_reason);
    if (choice.message.refusal !== undefined && choice.message.refusal !== null && text === '') {
      warnings.push(`the model refused: ${choice.message.refusal}`);
      finishReason = 'content-filter';
      text = '';
    }
    let usage: Usage;
    if (response.usage === undefined || response.usage === null) {
      usage = estimateUsage(request, text);
      warnings.push(
        'the endpoint reported no token usage; counts are estimated from text length (4 characters per token)',
      );
    } else {
      usage = {
        promptTokens: response.usage.prompt_tokens,
        completionTokens: response.usage.completion_tokens,
      };
      const cached = response.usage.prompt_tokens_details?.cached_tokens;
      if (cached !== undefined && cached !== null) {
        usage.cachedPromptTokens = cached;
      }
    }
    const resolvedModel = response.model ?? options.model;
    const fingerprint = response.system_fingerprint;
    return {
      text,
      usage,
      finishReason,
      modelVersion:
        fingerprint === undefined || fingerprint === null ? resolvedModel : `${resolvedModel}@${fingerprint}`,
      warnings,
    };
  }
}

export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'eos':
    case 'end_turn':
      return 'stop';
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

/** Fallback when an endpoint reports no usage: about 4 characters per token. */
export function estimateUsage(request: GenerateRequest, text: string): Usage {
  const promptCharacters = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return { promptTokens: Math.ceil(promptCharacters / 4), completionTokens: Math.ceil(text.length / 4) };
}
