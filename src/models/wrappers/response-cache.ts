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
 * The request hash: cache key, and the `requestHash` of a stored call. It is the SHA-256 of
 *
 *   JSON.stringify([v, canonicalJson(identity), messages as [role, content] pairs, temperature,
 *                   maxTokens, topP ?? null, seed, replicate])
 *
 * The model identity (which may hold arbitrary provider options) is canonicalised; the rest is a
 * fixed-order array, canonical by construction — sorting the keys of a long conversation on every
 * call cost more CPU than the call. The same bytes are fed to the hash in pieces: the identity's
 * part is encoded once per identity object and each message's once per message object (a
 * conversation is append-only and its message objects persist between calls), so a call encodes
 * only its new messages instead of the whole conversation again.
 */
export function requestKey(identity: ModelIdentity, request: GenerateRequest): string {
  const hash = nodeCrypto.createHash('sha256');
  hash.update(identityPrefix(identity));
  const messages = request.messages;
  for (let index = 0; index < messages.length; index += 1) {
    if (index > 0) hash.update(',');
    hash.update(messageJson(messages[index]!));
  }
  hash.update(
    `],${jsonElement(request.temperature)},${jsonElement(request.maxTokens)},${jsonElement(request.topP ?? null)},${jsonElement(request.seed)},${jsonElement(request.metadata.replicate)}]`,
  );
  return hash.digest('hex');
}

/** An array element as `JSON.stringify` writes it inside an array (`undefined` becomes `null`). */
function jsonElement(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** `[v,"<canonical identity>",[` — the same for every call of a model. */
const identityPrefixes = new WeakMap<ModelIdentity, string>();
function identityPrefix(identity: ModelIdentity): string {
  let prefix = identityPrefixes.get(identity);
  if (prefix === undefined) {
    prefix = `[${CACHE_KEY_VERSION},${JSON.stringify(canonicalJson(identity))},[`;
    identityPrefixes.set(identity, prefix);
  }
  return prefix;
}

/** A message as `[role, content]` JSON, remembered per message object while its fields are the same. */
const messageJsonCache = new WeakMap<object, { role: string; content: string; json: string }>();
function messageJson(message: GenerateRequest['messages'][number]): string {
  const cached = messageJsonCache.get(message);
  if (cached !== undefined && cached.role === message.role && cached.content === message.content) {
    return cached.json;
  }
  const json = JSON.stringify([message.role, message.content]);
  messageJsonCache.set(message, { role: message.role, content: message.content, json });
  return json;
}

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
