/**
 * Public surface of the model backends (adapters, wrappers, composition, references, prices, mock
 * server). `src/models/index.ts` re-exports this; other layers import from there, never from here.
 */
export { AnthropicAdapter, type AnthropicProviderOptions, toAnthropicMessages } from './adapters/anthropic.js';
export { abortError, retryAfterMsFrom, toModelCallError } from './adapters/errors.js';
export {
  GgufAdapter,
  type GgufProviderOptions,
  NODE_LLAMA_CPP_INSTALL,
  NODE_LLAMA_CPP_VERSION,
  renderPlainPrompt,
} from './adapters/gguf.js';
export {
  AGENT_HEADER,
  OpenAiCompatibleAdapter,
  type OpenAiCompatibleProviderOptions,
} from './adapters/openai-compatible.js';
export {
  type ComposedModel,
  type ConcurrencyOptions,
  type CreateModelOptions,
  createModel,
} from './compose.js';
export * from './mock-server/index.js';
export {
  ANTHROPIC_KEY_VARIABLE,
  baseUrlVariable,
  displayRef,
  isBuiltinModelRef,
  isSurrogateRef,
  OPENAI_COMPATIBLE_KEY_VARIABLE,
  type OpenAiCompatiblePreset,
  type ParsedModelRef,
  PRESETS,
  parseModelRef,
  type ResolvedModelRef,
  resolveModelRef,
} from './model-ref.js';
export {
  costOf,
  findPrice,
  loadBundledPrices,
  type PriceEntry,
  PriceEntrySchema,
  type PriceTable,
  PriceTableSchema,
  parsePriceTable,
} from './prices.js';
export { defaultRedactor, Redactor } from './secrets.js';
export {
  AdaptiveConcurrencyLimiter,
  type AdaptiveConcurrencyOptions,
  type ConcurrencyState,
  withAdaptiveConcurrency,
} from './wrappers/adaptive-concurrency.js';
export {
  type DriftGuardOptions,
  DriftGuard,
  type DriftReport,
  ModelVersionDriftError,
  type VersionChange,
  withDriftGuard,
} from './wrappers/drift-guard.js';
export { withLoadBalancing } from './wrappers/load-balance.js';
export {
  type CallRecorderOptions,
  type CallRecordingSource,
  type CallRecordSink,
  defaultCallId,
  describeError,
  errorFromRecord,
  MemoryCallRecording,
  ReplayMissError,
  withCallRecorder,
  withReplay,
} from './wrappers/record-replay.js';
export {
  CACHE_KEY_VERSION,
  type CacheCounters,
  type CacheMode,
  MemoryResponseCacheStore,
  type ModelIdentity,
  type ResponseCacheStore,
  requestKey,
  type StoredResponse,
  toStoredResponse,
  withResponseCache,
} from './wrappers/response-cache.js';
export { attemptsOf, ModelCallFailure, type RetryOptions, retryDelayMs, withRetry } from './wrappers/retry.js';
export { withTimeout } from './wrappers/timeout.js';
export {
  type MeteredCall,
  UsageMeter,
  type UsageMeterOptions,
  type UsageTotals,
  withUsageMeter,
} from './wrappers/usage-meter.js';
