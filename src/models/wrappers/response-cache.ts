// A namespace import: `hash` is missing before Node 20.12, and a missing named import would not link.
import * as nodeCrypto from 'node:crypto';
import {
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  canonicalJson,
  type Usage,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';

/**
 * Response cache. The key is the SHA-256 of the canonical JSON of exactly what changes a model's
 * output, and nothing else:
 *
 *   { v, model: identity, messages, temperature, maxTokens, topP, seed, replicate }
 *
 * - `identity` names the model by what answers, not by how the user spelled it: provider kind,
 *   model name, the sorted base URL(s) of the endpoint (`groq:m` and
 *   `openai-compatible:https://api.groq.com/openai/v1#m` share entries), the weights' SHA-256 for
 *   GGUF files (renaming a file keeps its cache), and the provider options that change output
 *   (extra body fields, top_k...). Never an API key, a header, a timeout or a concurrency setting.
 * - `replicate` (the replicate index) is in the key, so replicates are real re-samples even when a
 *   provider ignores `seed` and the prompts of two replicates are identical (turn 1 of a cell).
 * - `runId`, `agentId` and `turn` are not: they do not change the output, and leaving them out lets
 *   a re-planned or renamed study reuse answers to identical prompts. Independence of runs of
 *   different cells comes from the per-call `seed`, which the engine derives from the run's seed.
 *   Consequence the engine must respect: two calls with identical messages, seed and replicate are
 *   the same sample (a re-ask after an unparsable answer must change the messages or the seed).
 *
 * Only successes are stored (errors never are); a hit is returned with `cached: true`, no attempts,
 * and is never counted as latency. `mode: 'off'` (`--no-cache`) neither reads nor writes.
 */

export const CACHE_KEY_VERSION = 2;

/** What answers a call, for cache keys and request hashes. Never holds a secret. */
export interface ModelIdentity {
  provider: 'openai-compatible' | 'anthropic' | 'gguf' | 'builtin';
  model: string;
  /** Base URLs, sorted (OpenAI-compatible and Anthropic). */
  endpoints?: readonly string[] | undefined;
  /** SHA-256 of the weights file (GGUF). */
  weights?: string | undefined;
  /** Provider options that change the output. */
  options?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The request hash: cache key, and the `requestHash` of a stored call. The model identity (which may
 * hold arbitrary provider options) is canonicalised; the rest is a fixed-order array, canonical by
 * construction — sorting the keys of a long conversation on every call cost more CPU than the call.
 */
export function requestKey(identity: ModelIdentity, request: GenerateRequest): string {
  return sha256Hex(
    JSON.stringify([
      CACHE_KEY_VERSION,
      canonicalIdentity(identity),
      request.messages.map((message) => [message.role, message.content]),
      request.temperature,
      request.maxTokens,
      request.topP ?? null,
      request.seed,
      request.metadata.replicate,
    ]),
  );
}

// Per call, the identity's canonical JSON (the same for every call of a model) and a Hash object
// were measurable orchestrator CPU at hundreds of calls in flight: the one is remembered per identity
// object, the other is the one-shot `crypto.hash` (Node >= 20.12). The key is unchanged. (Encoding
// each message once per message object, remembered in a WeakMap, measured no cheaper on the
// benchmark's conversations, and a WeakMap entry per message is extra work for every collection.)
const canonicalIdentities = new WeakMap<ModelIdentity, string>();
function canonicalIdentity(identity: ModelIdentity): string {
  let canonical = canonicalIdentities.get(identity);
  if (canonical === undefined) {
    canonical = canonicalJson(identity);
    canonicalIdentities.set(identity, canonical);
  }
  return canonical;
}
const sha256Hex: (data: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (data) => nodeCrypto.hash('sha256', data)
    : (data) => nodeCrypto.createHash('sha256').update(data).digest('hex');

/**
 * `requestKey` for one model, remembered per request object: the engine asks for a call's hash and
 * the cache wrapper then needs the same key, and hashing a long conversation twice per call is
 * measurable orchestrator CPU at hundreds of calls in flight.
 */
export function memoizedRequestKey(identity: ModelIdentity): (request: GenerateRequest) => string {
  const keys = new WeakMap<GenerateRequest, string>();
  return (request) => {
    let key = keys.get(request);
    if (key === undefined) {
      key = requestKey(identity, request);
      keys.set(request, key);
    }
    return key;
  };
}

/** A cached answer: the result without per-call bookkeeping (attempts, cost, raw body). */
export interface StoredResponse {
  text: string;
  usage: Usage;
  finishReason: FinishReason;
  modelVersion: string;
  warnings: string[];
}

/** Implemented by the store (SQLite) and by `MemoryResponseCacheStore` for tests. */
export interface ResponseCacheStore {
  get(key: string): StoredResponse | undefined | Promise<StoredResponse | undefined>;
  put(key: string, value: StoredResponse): void | Promise<void>;
}

export class MemoryResponseCacheStore implements ResponseCacheStore {
  readonly entries = new Map<string, StoredResponse>();

  get(key: string): StoredResponse | undefined {
    const value = this.entries.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  put(key: string, value: StoredResponse): void {
    this.entries.set(key, structuredClone(value));
  }
}

export type CacheMode = 'read-write' | 'off';

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
  identity: ModelIdentity;
  mode?: CacheMode | undefined;
  /** The key function (default: `requestKey` of `identity`); pass a memoized one to share work. */
  keyOf?: ((request: GenerateRequest) => string) | undefined;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  writes: number;
}

export interface CachedModel extends ChatModel {
  readonly cacheCounters: Readonly<CacheCounters>;
}

export function toStoredResponse(result: GenerateResult): StoredResponse {
  return {
    text: result.text,
    usage: { ...result.usage },
    finishReason: result.finishReason,
    modelVersion: result.modelVersion,
    warnings: [...result.warnings],
  };
}

export function withResponseCache(inner: ChatModel, options: ResponseCacheOptions): CachedModel {
  const counters: CacheCounters = { hits: 0, misses: 0, writes: 0 };
  const mode = options.mode ?? 'read-write';
  const keyOf = options.keyOf ?? ((request: GenerateRequest) => requestKey(options.identity, request));
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    cacheCounters: counters,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      if (mode === 'off') {
        return inner.generate(request);
      }
      const key = keyOf(request);
      const stored = await options.store.get(key);
      if (stored !== undefined) {
        counters.hits += 1;
        return { ...stored, cached: true, attempts: [] };
      }
      counters.misses += 1;
      const result = await inner.generate(request);
      await options.store.put(key, toStoredResponse(result));
      counters.writes += 1;
      return { ...result, cached: false };
    },
  };
}
