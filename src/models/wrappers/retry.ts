import {
  type CallAttempt,
  type GenerateRequest,
  type GenerateResult,
  ModelCallError,
  type ModelCallFailureKind,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';

/**
 * The one retry policy. Retried: rate limits (429), server errors (5xx), 408/409, timeouts, network
 * failures and garbled bodies, i.e. every `ModelCallError` with `retryable: true`. Not retried:
 * 400/401/403/404 and other client errors, exhausted quota, budget stops, aborts by the caller.
 *
 * Wait before attempt n+1: the server's `retry-after-ms` / `retry-after` when it sent one (capped at
 * `maxRetryAfterMs`), else `initialDelayMs * 2^(n-1)` capped at `maxDelayMs`, minus up to `jitter`
 * of itself at random so that synchronised clients spread out. Rate-limit retries and transient ones
 * are told apart in the attempt record (`outcome`), which the adaptive-concurrency wrapper below this
 * one also sees, so a 429 shrinks concurrency while a 500 does not.
 *
 * Every attempt, the successful one included, is returned in `result.attempts`; when the call finally
 * fails, the thrown error carries them too (`attemptsOf(error)`).
 */

export interface RetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A server asking for a longer wait than this gets this; the call is not abandoned. */
  maxRetryAfterMs?: number;
  /** Fraction of the computed delay removed at random (0 = none, 0.25 = up to a quarter). */
  jitter?: number;
  random?: () => number;
  sleep?: (milliseconds: number, signal: AbortSignal | undefined) => Promise<void>;
}

const DEFAULTS = {
  maxAttempts: 6,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  jitter: 0.25,
};

/** A failed call with the record of its attempts. */
export class ModelCallFailure extends ModelCallError {
  constructor(last: ModelCallError, attempts: readonly CallAttempt[]) {
    const detail = attempts.length > 1 ? ` (after ${attempts.length} attempts)` : '';
    super(last.kind, `${last.message}${detail}`, {
      status: last.status,
      retryable: last.retryable,
      retryAfterMs: last.retryAfterMs,
      attempts,
    });
  }
}

/** The attempts behind a failed call, or [] for errors that did not come through the retry wrapper. */
export function attemptsOf(error: unknown): readonly CallAttempt[] {
  return error instanceof ModelCallError ? (error.attempts as readonly CallAttempt[]) : [];
}

export function sleepWithSignal(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wait before the attempt after `attempt` (1-based) failed with `error`. */
export function retryDelayMs(attempt: number, error: ModelCallError, options: RetryOptions = {}): number {
  const settings = { ...DEFAULTS, ...options };
  if (error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, settings.maxRetryAfterMs);
  }
  const exponential = Math.min(settings.initialDelayMs * 2 ** (attempt - 1), settings.maxDelayMs);
  const random = options.random ?? Math.random;
  return exponential * (1 - settings.jitter * random());
}

function outcomeOf(kind: ModelCallFailureKind): CallAttempt['outcome'] {
  // 'budget' is not a provider outcome; it never reaches here through an adapter.
  return kind === 'budget' ? 'client' : kind;
}

export function withRetry(inner: ChatModel, options: RetryOptions = {}): ChatModel {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
  const sleep = options.sleep ?? sleepWithSignal;
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const attempts: CallAttempt[] = [];
      for (let attempt = 1; ; attempt += 1) {
        try {
          const result = await inner.generate(request);
          attempts.push({ attempt, outcome: 'success' });
          return { ...result, attempts };
        } catch (error) {
          if (!(error instanceof ModelCallError) || request.signal?.aborted === true) {
            throw error;
          }
          const record: CallAttempt = { attempt, outcome: outcomeOf(error.kind), message: error.message };
          if (error.status !== undefined) {
            record.status = error.status;
          }
          attempts.push(record);
          if (!error.retryable || attempt >= maxAttempts) {
            throw new ModelCallFailure(error, attempts);
          }
          const waitMs = retryDelayMs(attempt, error, options);
          record.waitMs = Math.round(waitMs);
          await sleep(waitMs, request.signal);
        }
      }
    },
  };
}
