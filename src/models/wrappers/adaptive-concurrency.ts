import { type GenerateRequest, type GenerateResult, ModelCallError } from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { abortError } from '../adapters/errors.js';

/**
 * Adaptive concurrency for one endpoint: how many calls may be in flight, found by AIMD (additive
 * increase, multiplicative decrease, as TCP does) and capped by optional request-per-minute and
 * token-per-minute ceilings.
 *
 * - Each success raises the limit by 1/limit (about +1 per round of calls), up to `maxConcurrency`.
 * - A 429 or a timeout multiplies it by `decreaseFactor`, at most once per congestion epoch: calls
 *   that started before the last decrease do not decrease it again (one overload, one cut).
 * - The limit starts at `initialConcurrency` (default: the maximum), so an endpoint that never
 *   refuses is driven at full concurrency from the first call.
 * - RPM / TPM are sliding 60-second windows over call starts; a call's token cost is estimated
 *   from its prompt (4 characters per token) plus `maxTokens` at start and replaced by the
 *   reported usage when it ends.
 *
 * - Waiting calls are served by priority, then in arrival order. The model wrapper passes the call's
 *   turn, so when more runs are in flight than there are slots, the runs furthest behind (with the
 *   most calls still to make) go first: the list schedule that shortens a study's tail
 *   (`bench/scheduler-support.ts` compares it with first-come first-served on the same draws).
 *
 * The wrapper sits inside the retry wrapper, so waiting for a retry does not hold a slot.
 */

export interface AdaptiveConcurrencyOptions {
  maxConcurrency: number;
  initialConcurrency?: number | undefined;
  minConcurrency?: number | undefined;
  decreaseFactor?: number | undefined;
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
  /** Length of the rate window (default 60 s; shorter only in tests). */
  windowMs?: number | undefined;
  now?: () => number;
}

export interface ConcurrencyState {
  limit: number;
  inFlight: number;
  queued: number;
  decreases: number;
  maxInFlight: number;
}

interface Waiter {
  /** Lower goes first; ties in arrival order (`sequence`). */
  priority: number;
  sequence: number;
  /** Set when the waiter left the queue (served or aborted); the heap drops it lazily. */
  done: boolean;
  tokens: number;
  resolve: (permit: Permit) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export interface Permit {
  readonly epoch: number;
  readonly window: { time: number; tokens: number };
}

export function estimateRequestTokens(request: GenerateRequest): number {
  const characters = request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return Math.ceil(characters / 4) + request.maxTokens;
}

export class AdaptiveConcurrencyLimiter {
  #limit: number;
  #inFlight = 0;
  #maxInFlight = 0;
  #epoch = 0;
  #decreases = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #queue = new WaiterHeap();
  #sequence = 0;
  readonly #starts: { time: number; tokens: number }[] = [];
  readonly #max: number;
  readonly #min: number;
  readonly #factor: number;
  readonly #rpm: number | undefined;
  readonly #tpm: number | undefined;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: AdaptiveConcurrencyOptions) {
    this.#max = Math.max(1, options.maxConcurrency);
    this.#min = Math.min(this.#max, Math.max(1, options.minConcurrency ?? 1));
    this.#limit = Math.min(this.#max, Math.max(this.#min, options.initialConcurrency ?? this.#max));
    this.#factor = options.decreaseFactor ?? 0.5;
    this.#rpm = options.requestsPerMinute;
    this.#tpm = options.tokensPerMinute;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  state(): ConcurrencyState {
    return {
      limit: this.#limit,
      inFlight: this.#inFlight,
      queued: this.#queue.size,
      decreases: this.#decreases,
      maxInFlight: this.#maxInFlight,
    };
  }

  /** Load relative to capacity, for the load balancer. */
  load(): number {
    return (this.#inFlight + this.#queue.size) / Math.floor(this.#limit);
  }

  acquire(tokens: number, signal?: AbortSignal, priority = 0): Promise<Permit> {
    if (signal?.aborted === true) {
      return Promise.reject(abortError(signal));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        sequence: this.#sequence++,
        done: false,
        tokens,
        resolve,
        reject,
        signal,
        onAbort: () => {
          if (!waiter.done) {
            waiter.done = true;
            this.#queue.cancel();
            reject(abortError(signal));
          }
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Ends a call: `outcome` drives AIMD, `tokens` corrects the TPM estimate. */
  release(permit: Permit, outcome: 'success' | 'congestion' | 'other', tokens?: number): void {
    this.#inFlight -= 1;
    if (tokens !== undefined) {
      permit.window.tokens = tokens;
    }
    if (outcome === 'success') {
      this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
    } else if (outcome === 'congestion' && permit.epoch === this.#epoch) {
      this.#limit = Math.max(this.#min, this.#limit * this.#factor);
      this.#epoch += 1;
      this.#decreases += 1;
    }
    this.#pump();
  }

  #prune(now: number): void {
    while (this.#starts.length > 0 && this.#starts[0]!.time <= now - this.#windowMs) {
      this.#starts.shift();
    }
  }

  /** Milliseconds until the rate windows admit a call of `tokens`, 0 if now. */
  #rateWait(tokens: number, now: number): number {
    this.#prune(now);
    let wait = 0;
    if (this.#rpm !== undefined && this.#starts.length >= this.#rpm) {
      const oldest = this.#starts[this.#starts.length - this.#rpm]!;
      wait = Math.max(wait, oldest.time + this.#windowMs - now);
    }
    if (this.#tpm !== undefined && this.#starts.length > 0) {
      let used = this.#starts.reduce((sum, start) => sum + start.tokens, 0);
      // A call larger than the whole ceiling runs alone rather than never.
      const needed = Math.min(tokens, this.#tpm);
      for (const start of this.#starts) {
        if (used + needed <= this.#tpm) {
          break;
        }
        used -= start.tokens;
        wait = Math.max(wait, start.time + this.#windowMs - now);
      }
    }
    return wait;
  }

  #pump(): void {
    while (this.#queue.size > 0 && this.#inFlight < Math.floor(this.#limit)) {
      const waiter = this.#queue.peek()!;
      const now = this.#now();
      const wait = this.#rateWait(waiter.tokens, now);
      if (wait > 0) {
        if (this.#timer === undefined) {
          this.#timer = setTimeout(() => {
            this.#timer = undefined;
            this.#pump();
          }, wait);
        }
        return;
      }
      this.#queue.pop();
      waiter.done = true;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      const window = { time: now, tokens: waiter.tokens };
      if (this.#rpm !== undefined || this.#tpm !== undefined) {
        this.#starts.push(window);
      }
      this.#inFlight += 1;
      this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
      waiter.resolve({ epoch: this.#epoch, window });
    }
  }
}

/**
 * Waiting calls ordered by (priority, arrival): a binary heap, so a queue of thousands of calls costs
 * O(log n) per call. An aborted waiter is marked done and skipped when it reaches the top.
 */
class WaiterHeap {
  readonly #items: Waiter[] = [];
  #live = 0;

  get size(): number {
    return this.#live;
  }

  push(waiter: Waiter): void {
    this.#live += 1;
    const items = this.#items;
    items.push(waiter);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!before(items[child]!, items[parent]!)) break;
      [items[child], items[parent]] = [items[parent]!, items[child]!];
      child = parent;
    }
  }

  /** The next live waiter, or undefined. */
  peek(): Waiter | undefined {
    while (this.#items.length > 0 && this.#items[0]!.done) this.#removeTop();
    return this.#items[0];
  }

  /** Removes the waiter `peek` returned. */
  pop(): void {
    this.#live -= 1;
    this.#removeTop();
  }

  /** A waiter still in the heap was aborted: it no longer counts. */
  cancel(): void {
    this.#live -= 1;
  }

  #removeTop(): void {
    const items = this.#items;
    const last = items.pop()!;
    if (items.length === 0) return;
    items[0] = last;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let first = parent;
      if (left < items.length && before(items[left]!, items[first]!)) first = left;
      if (right < items.length && before(items[right]!, items[first]!)) first = right;
      if (first === parent) return;
      [items[first], items[parent]] = [items[parent]!, items[first]!];
      parent = first;
    }
  }
}

function before(a: Waiter, b: Waiter): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.sequence < b.sequence);
}

function isCongestion(error: unknown): boolean {
  return (
    error instanceof ModelCallError && (error.kind === 'rate-limit' || error.kind === 'timeout') && error.retryable
  );
}

/** A model whose calls go through `limiter`; `limiter.load()` is what the load balancer reads. */
export interface LimitedModel extends ChatModel {
  readonly limiter: AdaptiveConcurrencyLimiter;
}

export function withAdaptiveConcurrency(inner: ChatModel, limiter: AdaptiveConcurrencyLimiter): LimitedModel {
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    limiter,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const permit = await limiter.acquire(estimateRequestTokens(request), request.signal, request.metadata.turn);
      try {
        const result = await inner.generate(request);
        limiter.release(permit, 'success', result.usage.promptTokens + result.usage.completionTokens);
        return result;
      } catch (error) {
        limiter.release(permit, isCongestion(error) ? 'congestion' : 'other');
        throw error;
      }
    },
  };
}
