import { type GenerateRequest, type GenerateResult, UserInputError } from '../contracts/index.js';
import { AnthropicAdapter, parseAnthropicProviderOptions } from './adapters/anthropic.js';
import { GgufAdapter, identifyGgufFile, importNodeLlamaCpp, parseGgufProviderOptions } from './adapters/gguf.js';
import { OpenAiCompatibleAdapter, parseOpenAiCompatibleProviderOptions } from './adapters/openai-compatible.js';
import type { ChatModel } from './chat-model.js';
import { type ResolvedModelRef, resolveModelRef } from './model-ref.js';
import { findPrice, loadBundledPrices, type PriceEntry, type PriceTable } from './prices.js';
import { Redactor } from './secrets.js';
import {
  AdaptiveConcurrencyLimiter,
  type ConcurrencyState,
  type LimitedModel,
  withAdaptiveConcurrency,
} from './wrappers/adaptive-concurrency.js';
import { type DriftGuard, withDriftGuard } from './wrappers/drift-guard.js';
import { withLoadBalancing } from './wrappers/load-balance.js';
import {
  type CallRecordingSource,
  type CallRecordSink,
  withCallRecorder,
  withReplay,
} from './wrappers/record-replay.js';
import {
  type CacheCounters,
  type ModelIdentity,
  type ResponseCacheStore,
  memoizedRequestKey,
  withResponseCache,
} from './wrappers/response-cache.js';
import { type RetryOptions, withRetry } from './wrappers/retry.js';
import { withTimeout } from './wrappers/timeout.js';
import { type UsageMeter, withUsageMeter } from './wrappers/usage-meter.js';

/**
 * The one place where adapters and wrappers are put together. Order, outermost first:
 *
 *   recorder        sees the final outcome of each logical call (after everything below), so a
 *                   stored call has its total latency, all attempts, the cache flag and the cost
 *   drift guard     sees every answer's version, cached and replayed ones included; refusing an
 *                   answer happens after it was paid for, so the meter below has counted it
 *   usage meter     prices every answer (0 for cache hits), adds up spend, stops at the budget
 *                   before a call is made
 *   response cache  a hit skips everything below: no retry, no slot, no network, no latency
 *   retry           backoff waits happen here, outside the concurrency limiter, so a waiting
 *                   retry holds no slot; a retry may go to another endpoint
 *   load balancer   picks the least-loaded endpoint (only when several base URLs are given)
 *   concurrency     per endpoint: AIMD on 429s and timeouts, optional RPM / TPM ceilings
 *   timeout         per attempt, so each retry gets the full time
 *   adapter         the SDK call
 *
 * Replay mode replaces everything from the cache down by recorded answers (no adapter is built and
 * no key is read). Built-in models (`surrogate`, `mock:`, built by `resolveBuiltin`) get the recorder,
 * drift guard and meter only: they have no network to protect, and they are recomputed rather than
 * cached or replayed (deterministic and CPU-bound: a lookup would cost more than the answer). Their
 * price row (`builtin`, 0) prices each call at 0 and never stops them at a budget.
 *
 * The CLI (`src/cli/model-factory.ts`) builds every model of a study here, built-in or remote. It
 * passes no recorder: the engine puts the recorder on, outermost, for each run (`withCallRecorder`
 * with the engine's call ids, the study's model reference and request hash, and a per-turn sink
 * that adds the parser's notes), because a run's call records are committed with its turn.
 */

export interface ConcurrencyOptions {
  /** Ceiling of in-flight calls per endpoint (default 64; gguf: its sequence count). */
  maxConcurrency?: number | undefined;
  initialConcurrency?: number | undefined;
  minConcurrency?: number | undefined;
  decreaseFactor?: number | undefined;
  /** Per endpoint. */
  requestsPerMinute?: number | undefined;
  /** Per endpoint; estimated at start (prompt characters / 4 + maxTokens), corrected by usage. */
  tokensPerMinute?: number | undefined;
}

export interface CreateModelOptions {
  /** Where key variables and base-URL overrides are read. Pass `process.env` from the CLI. */
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves relative gguf paths (default `process.cwd()`). */
  cwd?: string | undefined;
  /** Builds `surrogate` and `mock:` models (the lead's resolver); undefined means unknown. */
  resolveBuiltin?: ((ref: string) => ChatModel | undefined) | undefined;
  /** Overrides the base URL(s) of a preset (comma-separated for load balancing). */
  baseUrl?: string | undefined;
  /** Overrides the name of the key variable. */
  apiKeyVariable?: string | undefined;
  /** Provider-specific knobs, validated per adapter. */
  providerOptions?: unknown;
  /** Per-attempt timeout (default 120 s; gguf 600 s). */
  timeoutMs?: number | undefined;
  retry?: RetryOptions | undefined;
  concurrency?: ConcurrencyOptions | undefined;
  /** The response cache (the store's, or `MemoryResponseCacheStore`). */
  cache?: ResponseCacheStore | undefined;
  /** `--no-cache`: neither read nor write the cache. */
  noCache?: boolean | undefined;
  /** Replay mode: answer from these recorded calls, with zero network traffic. */
  replay?: CallRecordingSource | undefined;
  /** Record every call (success or failure) as a `CallRecord`. */
  recorder?: CallRecordSink | undefined;
  /** Call ids for recorded calls (default `<runId>/<turn>/<agentId>`). */
  callId?: Parameters<typeof withCallRecorder>[1]['callId'];
  meter?: UsageMeter | undefined;
  driftGuard?: DriftGuard | undefined;
  /** Price tables searched before the bundled one. */
  prices?: readonly PriceTable[] | undefined;
}

/** What `createModel` returns: a `ChatModel` plus what the runner and the manifest need to know. */
export interface ComposedModel extends ChatModel {
  readonly identity: ModelIdentity;
  /** Notes about the model as a whole for the manifest (no price known, plain prompt format, ...). */
  readonly warnings: readonly string[];
  readonly price: PriceEntry | undefined;
  /**
   * The request hash (= cache key) a call would be stored under. Undefined for built-in models,
   * which are never cached: the engine hashes their requests itself (per-message digests, cheaper
   * on append-only conversations).
   */
  requestHash?(request: GenerateRequest): string;
  /** One entry per endpoint; empty for models without a limiter. */
  concurrency(): ConcurrencyState[];
  cacheCounters(): Readonly<CacheCounters> | undefined;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const GGUF_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_CONCURRENCY = 64;

interface Built {
  inner: ChatModel;
  identity: ModelIdentity;
  priceProvider: string;
  priceModel: string;
  limiters: AdaptiveConcurrencyLimiter[];
  redactor: Redactor;
  warnings: string[];
  network: boolean;
  builtin: boolean;
}

export async function createModel(ref: string, options: CreateModelOptions): Promise<ComposedModel> {
  const resolved = resolveModelRef(ref, options.env, {
    baseUrl: options.baseUrl,
    apiKeyVariable: options.apiKeyVariable,
  });
  const built = await buildInner(resolved, options);
  const tables = [...(options.prices ?? []), loadBundledPrices()];
  const price = findPrice(built.priceProvider, built.priceModel, tables);
  const warnings = [...built.warnings];
  if (price === undefined) {
    warnings.push(
      `no price known for ${built.priceProvider} ${built.priceModel}: its cost is not counted (add a row to the price table)`,
    );
  }

  const requestHash = memoizedRequestKey(built.identity);
  let model: ChatModel = built.inner;
  let cached: ReturnType<typeof withResponseCache> | undefined;
  if (options.replay !== undefined && !built.builtin) {
    model = withReplay(model, { source: options.replay, identity: built.identity });
  } else if (built.network) {
    model = withRetry(model, options.retry);
    if (options.cache !== undefined) {
      cached = withResponseCache(model, {
        store: options.cache,
        identity: built.identity,
        keyOf: requestHash,
        mode: options.noCache === true ? 'off' : 'read-write',
      });
      model = cached;
    }
  }
  model = withUsageMeter(model, { price, meter: options.meter });
  if (options.driftGuard !== undefined) {
    model = withDriftGuard(model, options.driftGuard);
  }
  if (options.recorder !== undefined) {
    model = withCallRecorder(model, {
      sink: options.recorder,
      identity: built.identity,
      redactor: built.redactor,
      ...(options.callId === undefined ? {} : { callId: options.callId }),
    });
  }
  const composed = model;
  return {
    ref: resolved.ref,
    surrogate: composed.surrogate,
    identity: built.identity,
    warnings,
    price,
    generate: (request: GenerateRequest): Promise<GenerateResult> => composed.generate(request),
    close: async () => {
      await built.inner.close?.();
    },
    ...(built.builtin ? {} : { requestHash }),
    concurrency: () => built.limiters.map((limiter) => limiter.state()),
    cacheCounters: () => (cached === undefined ? undefined : { ...cached.cacheCounters }),
  };
}

function readKey(
  variable: string,
  required: boolean,
  env: Readonly<Record<string, string | undefined>>,
  ref: string,
): string | undefined {
  const value = env[variable];
  if (value !== undefined && value.trim() !== '') {
    return value.trim();
  }
  if (required) {
    throw new UserInputError(`model "${ref}" needs an API key, and ${variable} is not set`, {
      path: 'models',
      fix: `set the environment variable ${variable} to your key (keys are read from the environment only and never stored)`,
    });
  }
  return undefined;
}

async function buildInner(resolved: ResolvedModelRef, options: CreateModelOptions): Promise<Built> {
  const replaying = options.replay !== undefined;
  switch (resolved.kind) {
    case 'builtin': {
      const builtin = options.resolveBuiltin?.(resolved.ref);
      if (builtin === undefined) {
        throw new UserInputError(`model "${resolved.ref}" is not a built-in model`, {
          path: 'models',
          fix: 'use surrogate or mock:<script>',
        });
      }
      return {
        inner: builtin,
        identity: { provider: 'builtin', model: resolved.ref },
        priceProvider: 'builtin',
        priceModel: resolved.ref,
        limiters: [],
        redactor: new Redactor(),
        warnings: [],
        network: false,
        builtin: true,
      };
    }
    case 'openai-compatible': {
      const providerOptions = parseOpenAiCompatibleProviderOptions(options.providerOptions, resolved.ref);
      const identity: ModelIdentity = {
        provider: 'openai-compatible',
        model: resolved.model,
        endpoints: [...resolved.baseUrls].sort(),
        options: providerOptions.extraBody === undefined ? undefined : { extraBody: providerOptions.extraBody },
      };
      const label = resolved.preset ?? resolved.priceProvider;
      if (replaying) {
        return replayStub(resolved.ref, identity, resolved.priceProvider, resolved.model);
      }
      const apiKey = readKey(resolved.apiKeyVariable, resolved.apiKeyRequired, options.env, resolved.ref);
      const redactor = new Redactor([apiKey]);
      const limiters: AdaptiveConcurrencyLimiter[] = [];
      const endpoints: LimitedModel[] = resolved.baseUrls.map((baseUrl) => {
        const adapter = new OpenAiCompatibleAdapter({
          ref: resolved.ref,
          provider: label,
          baseUrl,
          model: resolved.model,
          apiKey,
          maxTokensField: resolved.maxTokensField,
          ignoredSettings: resolved.ignoredSettings,
          providerOptions,
          redactor,
        });
        const limiter = createLimiter(options.concurrency, DEFAULT_MAX_CONCURRENCY);
        limiters.push(limiter);
        return withAdaptiveConcurrency(
          withTimeout(adapter, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }),
          limiter,
        );
      });
      return {
        inner: withLoadBalancing(resolved.ref, endpoints),
        identity,
        priceProvider: resolved.priceProvider,
        priceModel: resolved.model,
        limiters,
        redactor,
        warnings: resolved.ignoredSettings.map(
          (setting) => `${label} ignores ${setting === 'seed' ? 'seed' : 'top_p'}: every call carries a warning`,
        ),
        network: true,
        builtin: false,
      };
    }
    case 'anthropic': {
      const providerOptions = parseAnthropicProviderOptions(options.providerOptions, resolved.ref);
      const outputOptions: Record<string, unknown> = {};
      if (providerOptions.topK !== undefined) {
        outputOptions.topK = providerOptions.topK;
      }
      if (providerOptions.preferTopP !== undefined) {
        outputOptions.preferTopP = providerOptions.preferTopP;
      }
      const identity: ModelIdentity = {
        provider: 'anthropic',
        model: resolved.model,
        endpoints: [resolved.baseUrl],
        options: Object.keys(outputOptions).length === 0 ? undefined : outputOptions,
      };
      if (replaying) {
        return replayStub(resolved.ref, identity, 'anthropic', resolved.model);
      }
      const apiKey = readKey(resolved.apiKeyVariable, true, options.env, resolved.ref) as string;
      const redactor = new Redactor([apiKey]);
      const adapter = new AnthropicAdapter({
        ref: resolved.ref,
        baseUrl: resolved.baseUrl,
        model: resolved.model,
        apiKey,
        providerOptions,
        redactor,
      });
      const limiter = createLimiter(options.concurrency, DEFAULT_MAX_CONCURRENCY);
      return {
        inner: withAdaptiveConcurrency(
          withTimeout(adapter, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }),
          limiter,
        ),
        identity,
        priceProvider: 'anthropic',
        priceModel: resolved.model,
        limiters: [limiter],
        redactor,
        warnings: [
          'anthropic does not support seed: every call carries a warning and sampling is not reproducible by seed',
        ],
        network: true,
        builtin: false,
      };
    }
    case 'gguf': {
      const providerOptions = parseGgufProviderOptions(options.providerOptions, resolved.ref);
      if (!replaying) {
        // Before hashing a file of gigabytes, make sure it can be run at all.
        await importNodeLlamaCpp();
      }
      const { file, sha256 } = await identifyGgufFile(resolved.path, options.cwd ?? process.cwd(), resolved.ref);
      const outputOptions: Record<string, unknown> = {};
      for (const key of ['topK', 'minP', 'promptFormat', 'contextSize'] as const) {
        if (providerOptions[key] !== undefined) {
          outputOptions[key] = providerOptions[key];
        }
      }
      const identity: ModelIdentity = {
        provider: 'gguf',
        model: `sha256:${sha256}`,
        weights: sha256,
        options: Object.keys(outputOptions).length === 0 ? undefined : outputOptions,
      };
      if (replaying) {
        return replayStub(resolved.ref, identity, 'gguf', resolved.path);
      }
      const adapter = await GgufAdapter.load({ ref: resolved.ref, file, sha256, providerOptions });
      const warnings: string[] = [];
      if (!adapter.usesChatTemplate) {
        warnings.push(
          `${resolved.path} is prompted in backfire's plain format (System:/User:/Assistant:) because it has no chat template or promptFormat is "plain"`,
        );
      }
      return {
        inner: withTimeout(adapter, { timeoutMs: options.timeoutMs ?? GGUF_TIMEOUT_MS }),
        identity,
        priceProvider: 'gguf',
        priceModel: resolved.path,
        limiters: [],
        redactor: new Redactor(),
        warnings,
        network: true,
        builtin: false,
      };
    }
  }
}

function createLimiter(concurrency: ConcurrencyOptions | undefined, defaultMax: number): AdaptiveConcurrencyLimiter {
  return new AdaptiveConcurrencyLimiter({
    maxConcurrency: concurrency?.maxConcurrency ?? defaultMax,
    initialConcurrency: concurrency?.initialConcurrency,
    minConcurrency: concurrency?.minConcurrency,
    decreaseFactor: concurrency?.decreaseFactor,
    requestsPerMinute: concurrency?.requestsPerMinute,
    tokensPerMinute: concurrency?.tokensPerMinute,
  });
}

/** In replay mode the adapter is never built: this stands in and refuses to be called. */
function replayStub(ref: string, identity: ModelIdentity, priceProvider: string, priceModel: string): Built {
  return {
    inner: {
      ref,
      surrogate: false,
      generate: () => Promise.reject(new Error('replay mode never calls the model')),
    },
    identity,
    priceProvider,
    priceModel,
    limiters: [],
    redactor: new Redactor(),
    warnings: [],
    network: false,
    builtin: false,
  };
}
