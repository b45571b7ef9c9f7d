import { z } from 'zod';

/**
 * Shapes exchanged with a `ChatModel` (the interface itself lives in `src/models/`). Every adapter and
 * wrapper produces exactly this; a setting a provider ignores becomes a warning, never silence.
 */

export const ChatMessageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
  })
  .strict();
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const UsageSchema = z
  .object({
    promptTokens: z.number().int().min(0),
    completionTokens: z.number().int().min(0),
    /** Prompt tokens the provider served from its prompt cache, where it reports them. */
    cachedPromptTokens: z.number().int().min(0).optional(),
  })
  .strict();
export type Usage = z.infer<typeof UsageSchema>;

/** Context the engine attaches to each call. Real models never see it; the surrogate and logs may. */
export const CallMetadataSchema = z
  .object({
    runId: z.string(),
    /** The design cell of the run (language x dose x model), for cost and drift accounting. */
    cellId: z.string(),
    agentId: z.string(),
    turn: z.number().int().min(1),
    language: z.string(),
    /** Replicate index: part of every cache key so replicates are real re-samples. */
    replicate: z.number().int().min(0),
    /** Names of the other agents, for whisper targets. */
    participants: z.array(z.object({ id: z.string(), name: z.string() }).strict()),
  })
  .strict();
export type CallMetadata = z.infer<typeof CallMetadataSchema>;

export interface GenerateRequest {
  messages: readonly ChatMessage[];
  temperature: number;
  maxTokens: number;
  topP?: number | undefined;
  seed: number;
  metadata: CallMetadata;
  /** Aborts the call (timeouts, shutdown). */
  signal?: AbortSignal | undefined;
}

export const FinishReasonSchema = z.enum(['stop', 'length', 'content-filter', 'error', 'other']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

export interface GenerateResult {
  text: string;
  usage: Usage;
  finishReason: FinishReason;
  /** The version the provider says answered (system fingerprint, resolved model name, file hash). */
  modelVersion: string;
  /** Settings ignored or changed by the provider, and similar notes recorded with the call. */
  warnings: string[];
  /** True when the answer came from the response cache (never counted as latency). */
  cached?: boolean | undefined;
  /** Attempts made by the retry wrapper, including the successful one. */
  attempts?: CallAttempt[] | undefined;
  /** Cost in USD, filled by the usage meter when a price is known. */
  costUsd?: number | undefined;
  raw?: unknown;
}

export const CallAttemptSchema = z
  .object({
    attempt: z.number().int().min(1),
    outcome: z.enum([
      'success',
      'rate-limit',
      'server',
      'timeout',
      'network',
      'malformed-response',
      'client',
      'authentication',
    ]),
    status: z.number().int().optional(),
    waitMs: z.number().min(0).optional(),
    message: z.string().optional(),
  })
  .strict();
export type CallAttempt = z.infer<typeof CallAttemptSchema>;

/** A call as stored: what was asked (by hash), who answered, at what cost. Never a secret. */
export const CallRecordSchema = z
  .object({
    callId: z.string(),
    runId: z.string(),
    turn: z.number().int(),
    agentId: z.string(),
    model: z.string(),
    modelVersion: z.string().nullable(),
    requestHash: z.string(),
    promptTokens: z.number().int().min(0),
    completionTokens: z.number().int().min(0),
    cachedPromptTokens: z.number().int().min(0).nullable(),
    latencyMs: z.number().min(0),
    attempts: z.array(CallAttemptSchema),
    cached: z.boolean(),
    finishReason: FinishReasonSchema,
    costUsd: z.number().min(0).nullable(),
    warnings: z.array(z.string()),
    text: z.string(),
    error: z.string().nullable(),
  })
  .strict();
export type CallRecord = z.infer<typeof CallRecordSchema>;
