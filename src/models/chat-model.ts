import type { GenerateRequest, GenerateResult } from '../contracts/index.js';

/**
 * The one model interface. Every adapter (surrogate, mock, openai-compatible, anthropic, gguf) and
 * every wrapper (retry, rate limit, cache, record/replay, meter, drift guard) implements it; wrappers
 * take a `ChatModel` and return a `ChatModel`, so cross-cutting behaviour never lives in an adapter.
 */
export interface ChatModel {
  /** The model reference it was created from, e.g. `surrogate`, `groq:llama-3.3-70b-versatile`. */
  readonly ref: string;
  /** True for the built-in surrogate: its output is never a finding about any LLM. */
  readonly surrogate: boolean;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /**
   * The hash a call is stored and cached under, for models that cache or replay; when absent the
   * engine hashes the request itself.
   */
  requestHash?(request: GenerateRequest): string;
  /** Releases sockets, native handles and timers. */
  close?(): Promise<void>;
}

/** A wrapper: takes a model, returns a model with the same interface. */
export type ChatModelWrapper = (inner: ChatModel) => ChatModel;
