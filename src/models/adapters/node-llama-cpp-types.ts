/**
 * The part of node-llama-cpp's API the gguf adapter uses, described structurally. node-llama-cpp is
 * an optional peer (its prebuilt binaries weigh ~700 MB), so a clone's `npm ci` does not install it
 * and the type checker must not need its declarations; the adapter checks the real module at run
 * time and the GGUF tests run it wherever it is installed (`.ci/run` installs it).
 */

export type ChatHistoryItem =
  | { type: 'system'; text: string }
  | { type: 'user'; text: string }
  | { type: 'model'; response: string[] };

export interface GenerationMeta {
  response: string;
  metadata: { stopReason: string };
}

export interface TokenMeterState {
  readonly usedInputTokens: number;
  readonly usedOutputTokens: number;
}

export interface LlamaContextSequence {
  readonly tokenMeter: {
    getState(): TokenMeterState;
    diff(state: TokenMeterState): TokenMeterState;
  };
}

export interface LlamaContext {
  getSequence(): LlamaContextSequence;
  dispose(): Promise<void>;
}

export interface LlamaModel {
  readonly trainContextSize: number;
  readonly fileInfo: { metadata: { tokenizer?: { chat_template?: unknown } } };
  readonly tokenizer: unknown;
  tokenize(text: string): readonly unknown[];
  createContext(options: {
    contextSize: number;
    sequences: number;
    threads?: number;
    seed?: number;
  }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}

export interface Llama {
  readonly gpu: string | false;
  loadModel(options: { modelPath: string; gpuLayers: number | 'auto' }): Promise<LlamaModel>;
}

export interface ChatWrapper {
  generateContextState(options: { chatHistory: ChatHistoryItem[] }): {
    contextText: { tokenize(tokenizer: unknown): readonly unknown[] };
  };
}

export interface NodeLlamaCpp {
  getLlama(options: { gpu: unknown; build: 'never'; logLevel: unknown }): Promise<Llama>;
  readonly LlamaLogLevel: { readonly error: unknown };
  resolveChatWrapper(model: LlamaModel, options: { warningLogs: boolean }): unknown;
  LlamaCompletion: new (options: {
    contextSequence: LlamaContextSequence;
    autoDisposeSequence: boolean;
  }) => { generateCompletionWithMeta(prompt: string, options: object): Promise<GenerationMeta> };
  LlamaChat: new (options: {
    contextSequence: LlamaContextSequence;
    chatWrapper: ChatWrapper;
    autoDisposeSequence: boolean;
  }) => {
    generateResponse(history: ChatHistoryItem[], options: object): Promise<GenerationMeta>;
    dispose(options: { disposeSequence: boolean }): void;
  };
}
