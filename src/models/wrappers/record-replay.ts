import {
  BackfireError,
  type CallAttempt,
  type CallMetadata,
  type CallRecord,
  type GenerateRequest,
  type GenerateResult,
  ModelCallError,
  MODEL_CALL_FAILURE_KINDS,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { defaultRedactor, type Redactor } from '../secrets.js';
import { type ModelIdentity, requestKey } from './response-cache.js';
import { attemptsOf, ModelCallFailure } from './retry.js';

/**
 * Record and replay.
 *
 * The recorder is the outermost wrapper: it sees the final outcome of every call (after retries,
 * cache, metering and the drift guard) and turns it into one `CallRecord` (the contracts' shape
 * the store keeps): request hash, resolved version, tokens, latency, attempts, cache flag, cost,
 * warnings, text, or the error. A cache hit is recorded with latency 0: it is not a latency sample.
 * Error messages are redacted once more here, the last point before the store. A failure is stored
 * as `<code>: <message>` (`model-call-rate-limit: 429 ...`), from which replay rebuilds its kind.
 * The engine puts a recorder on every run's model (its call ids, request hash and model name).
 *
 * Replay answers each call from recorded calls with the same request hash, in recorded order when
 * one request was made several times, and never calls the inner model: a run re-executed this way
 * makes zero network requests (`createModel` does not even build an adapter or read a key).
 * A request with no recording is a non-retryable error naming its hash: the prompts changed.
 */

/** Where the recorder puts calls (the store implements it; `MemoryCallRecording` for tests). */
export interface CallRecordSink {
  put(record: CallRecord): void | Promise<void>;
}

/** Where replay finds calls: every recorded call with this request hash, in recorded order. */
export interface CallRecordingSource {
  callsFor(requestHash: string): readonly CallRecord[] | Promise<readonly CallRecord[]>;
}

export class MemoryCallRecording implements CallRecordSink, CallRecordingSource {
  readonly records: CallRecord[] = [];

  put(record: CallRecord): void {
    this.records.push(structuredClone(record));
  }

  callsFor(requestHash: string): readonly CallRecord[] {
    return this.records.filter((record) => record.requestHash === requestHash);
  }
}

/** Default call id: `<runId>/<turn>/<agentId>`, with `/<n>` for the n-th repeat of that triple. */
export function defaultCallId(metadata: CallMetadata, occurrence: number): string {
  const base = `${metadata.runId}/${metadata.turn}/${metadata.agentId}`;
  return occurrence === 0 ? base : `${base}/${occurrence}`;
}

/** `model-call-rate-limit: 429 ...`: the code keeps the failure kind for replay. */
export function describeError(error: unknown, redactor: Redactor = defaultRedactor): string {
  if (error instanceof BackfireError) {
    return redactor.redact(`${error.code}: ${error.message}`);
  }
  if (error instanceof Error) {
    return redactor.redact(`${error.name}: ${error.message}`);
  }
  return redactor.redact(String(error));
}

export interface CallRecorderOptions {
  sink: CallRecordSink;
  /** What the default request hash (the cache key, `requestKey`) is computed from. */
  identity?: ModelIdentity | undefined;
  /**
   * The request hash a call is recorded under, when it is not the cache key of `identity`: the
   * engine passes the model's own `requestHash`, or its cheaper per-message hash for built-in models.
   */
  requestHash?: ((request: GenerateRequest) => string) | undefined;
  /**
   * The model name the records carry (default the inner model's ref). The engine passes the study's
   * reference, which a queue worker maps to a local model of another name.
   */
  model?: string | undefined;
  /** Defaults to `defaultCallId`; the engine's action events must use the same ids. */
  callId?: ((metadata: CallMetadata, occurrence: number) => string) | undefined;
  redactor?: Redactor | undefined;
  now?: (() => number) | undefined;
}

export function withCallRecorder(inner: ChatModel, options: CallRecorderOptions): ChatModel {
  const occurrences = new Map<string, number>();
  const callIdFor = options.callId ?? defaultCallId;
  const redactor = options.redactor ?? defaultRedactor;
  const now = options.now ?? (() => performance.now());
  const identity = options.identity;
  const requestHashOf =
    options.requestHash ??
    (identity === undefined ? undefined : (request: GenerateRequest): string => requestKey(identity, request));
  if (requestHashOf === undefined) {
    throw new TypeError('withCallRecorder needs an identity or a requestHash function');
  }
  const recordedModel = options.model ?? inner.ref;
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const { metadata } = request;
      const tripleKey = `${metadata.runId}\u0000${metadata.turn}\u0000${metadata.agentId}`;
      const occurrence = occurrences.get(tripleKey) ?? 0;
      occurrences.set(tripleKey, occurrence + 1);
      // The fields are written out in each record, not spread from a shared object: V8 builds an
      // object literal that starts with a spread followed by a dozen fields on a slow path, which
      // cost about 15 microseconds of CPU per call (more than a surrogate answer).
      const callId = callIdFor(metadata, occurrence);
      const requestHash = requestHashOf(request);
      const started = now();
      let result: GenerateResult;
      try {
        result = await inner.generate(request);
      } catch (error) {
        await options.sink.put({
          callId,
          runId: metadata.runId,
          turn: metadata.turn,
          agentId: metadata.agentId,
          model: recordedModel,
          requestHash,
          modelVersion: null,
          promptTokens: 0,
          completionTokens: 0,
          cachedPromptTokens: null,
          latencyMs: Math.max(0, now() - started),
          attempts: attemptsOf(error).map((attempt) => redactAttempt(attempt, redactor)),
          cached: false,
          finishReason: 'error',
          costUsd: null,
          warnings: [],
          text: '',
          error: describeError(error, redactor),
        });
        throw error;
      }
      const cached = result.cached === true;
      await options.sink.put({
        callId,
        runId: metadata.runId,
        turn: metadata.turn,
        agentId: metadata.agentId,
        model: recordedModel,
        requestHash,
        modelVersion: result.modelVersion,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        cachedPromptTokens: result.usage.cachedPromptTokens ?? null,
        latencyMs: cached ? 0 : Math.max(0, now() - started),
        // A model that reports no attempts (no retry wrapper: built-ins, gguf) answered at its first.
        attempts: (result.attempts ?? [{ attempt: 1, outcome: 'success' }]).map((attempt) =>
          redactAttempt(attempt, redactor),
        ),
        cached,
        finishReason: result.finishReason,
        costUsd: result.costUsd ?? null,
        warnings: result.warnings.map((warning) => redactor.redact(warning)),
        text: result.text,
        error: null,
      });
      return result;
    },
  };
}

function redactAttempt(attempt: CallAttempt, redactor: Redactor): CallAttempt {
  return attempt.message === undefined ? attempt : { ...attempt, message: redactor.redact(attempt.message) };
}

/** Rebuilds the error a recorded call ended with (never retryable: replay reproduces, it does not retry). */
export function errorFromRecord(record: CallRecord): ModelCallError {
  const text = record.error ?? 'unknown error';
  const match = /^model-call-([a-z-]+): ([\s\S]*)$/.exec(text);
  const kind = MODEL_CALL_FAILURE_KINDS.find((candidate) => candidate === match?.[1]) ?? 'client';
  const failure = new ModelCallError(kind, match?.[2] ?? text, { retryable: false });
  return new ModelCallFailure(failure, record.attempts);
}

export class ReplayMissError extends ModelCallError {
  constructor(requestHash: string, ref: string) {
    super(
      'client',
      `replay of ${ref}: no recorded call has request hash ${requestHash}; the prompts or sampling settings differ from the recorded run`,
      { retryable: false },
    );
  }
}

export interface ReplayOptions {
  source: CallRecordingSource;
  identity: ModelIdentity;
}

/** Answers from recorded calls only. `inner` supplies `ref` and `surrogate` and is never called. */
export function withReplay(inner: Pick<ChatModel, 'ref' | 'surrogate'>, options: ReplayOptions): ChatModel {
  const served = new Map<string, number>();
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const hash = requestKey(options.identity, request);
      const records = await options.source.callsFor(hash);
      const index = served.get(hash) ?? 0;
      // A request made more often than recorded gets the last recording again.
      const record = records[Math.min(index, records.length - 1)];
      if (record === undefined) {
        throw new ReplayMissError(hash, inner.ref);
      }
      served.set(hash, index + 1);
      if (record.error !== null) {
        throw errorFromRecord(record);
      }
      return {
        text: record.text,
        usage: {
          promptTokens: record.promptTokens,
          completionTokens: record.completionTokens,
          ...(record.cachedPromptTokens === null ? {} : { cachedPromptTokens: record.cachedPromptTokens }),
        },
        finishReason: record.finishReason,
        modelVersion: record.modelVersion ?? 'unknown',
        warnings: [...record.warnings],
        cached: true,
        // The recorded attempts (retries included) are replayed as they happened, without waiting, so a
        // replayed run's per-cell retry counts, and with them its results.json, equal the original's.
        attempts: record.attempts.map((attempt) => ({ ...attempt })),
      };
    },
  };
}
