import type {
  ChatHistoryItem,
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  NodeLlamaCpp,
} from './node-llama-cpp-types.js';
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import {
  type ChatMessage,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  ModelCallError,
  UserInputError,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { importOptionalPeer, OPTIONAL_PEERS, optionalPeerInstallCommand } from '../optional-peers.js';
import { abortError } from './errors.js';

/**
 * Local GGUF models run in-process by `node-llama-cpp` (pinned 3.21.1). The package and its prebuilt
 * binaries weigh about 700 MB, so it is an optional peer dependency, imported lazily here and only
 * here: a user of hosted models never installs it, and one who asks for `gguf:` gets one message
 * saying how to add it.
 *
 * CPU by default (`gpu: false`, `build: "never"`: never compile llama.cpp behind the user's back);
 * `providerOptions.gpu: "auto"` (or cuda / vulkan / metal) uses a GPU when a prebuilt binary for it
 * is available.
 *
 * Prompt format: a model whose file carries a chat template is prompted through that template (via
 * node-llama-cpp's chat wrapper for it). A model without one (base models, test models) is prompted
 * in backfire's plain format, and every result says so in a warning:
 *
 *     System: <system message>
 *
 *     User: <user message>
 *
 *     Assistant: <assistant message>
 *
 *     Assistant:
 *
 * Generation stops at the end-of-generation token or when the model starts a new `User:` /
 * `System:` / `Assistant:` line.
 */

export const NODE_LLAMA_CPP_VERSION = OPTIONAL_PEERS['node-llama-cpp'].version;

export const GgufProviderOptionsSchema = z
  .object({
    /** false = CPU only (default); "auto" = a GPU when one is usable; or a specific backend. */
    gpu: z.union([z.literal(false), z.enum(['auto', 'cuda', 'vulkan', 'metal'])]).optional(),
    /** Context window in tokens (default: the smaller of the model's training context and 4096). */
    contextSize: z.number().int().min(128).optional(),
    /** Parallel sequences in one context: calls beyond this wait for a free sequence. */
    sequences: z.number().int().min(1).max(64).optional(),
    /**
     * CPU threads for evaluation (default: all cores but one, which the orchestrator needs: with
     * every core taken, llama.cpp's spinning threads and the event loop fight and each call crawls —
     * measured here, 15 s instead of 30 ms per call on 2 cores).
     */
    threads: z.number().int().min(1).optional(),
    topK: z.number().int().min(0).optional(),
    minP: z.number().min(0).max(1).optional(),
    /** "auto" uses the file's chat template when it has one; "plain" always uses backfire's plain format. */
    promptFormat: z.enum(['auto', 'plain']).optional(),
  })
  .strict();
export type GgufProviderOptions = z.infer<typeof GgufProviderOptionsSchema>;

export function parseGgufProviderOptions(value: unknown, ref: string): GgufProviderOptions {
  const parsed = GgufProviderOptionsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(`model "${ref}": providerOptions: ${issue?.message ?? 'invalid'}`, {
      path: `providerOptions${issue !== undefined && issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}`,
      fix: 'allowed keys for gguf models: gpu, contextSize, sequences, threads, topK, minP, promptFormat',
    });
  }
  return parsed.data;
}

/**
 * The optional peer's module name, held in a variable so the type checker does not look for its
 * declarations (a clone without it must still type-check; see node-llama-cpp-types.ts).
 */
const NODE_LLAMA_CPP_MODULE: string = 'node-llama-cpp';

/** The install command printed when the optional peer dependency is missing. */
export const NODE_LLAMA_CPP_INSTALL = optionalPeerInstallCommand(['node-llama-cpp']);

/**
 * Imports node-llama-cpp, or explains in one message how to add it. Typed `object` so that the
 * published declarations do not need the optional package's types.
 */
export function importNodeLlamaCpp(
  importer: () => Promise<unknown> = () => import(NODE_LLAMA_CPP_MODULE),
): Promise<object> {
  return importOptionalPeer<object>('node-llama-cpp', 'models', importer);
}

/** SHA-256 of a file, streamed: the model version of a GGUF model is the hash of its weights. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Resolves and checks a gguf path (relative to `cwd`) and hashes it. */
export async function identifyGgufFile(
  path: string,
  cwd: string,
  ref: string,
): Promise<{ file: string; sha256: string }> {
  const file = resolve(cwd, path);
  let isFile = false;
  try {
    isFile = (await stat(file)).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new UserInputError(`model "${ref}": no GGUF file at ${file}`, {
      path: 'models',
      fix: 'give the path of a .gguf file, absolute or relative to the current directory',
    });
  }
  return { file, sha256: await sha256File(file) };
}

/** Renders messages in backfire's plain prompt format (see the header comment). */
export function renderPlainPrompt(messages: readonly ChatMessage[]): string {
  const label = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  const turns = messages.map((message) => `${label[message.role]}: ${message.content}`);
  return `${[...turns, 'Assistant:'].join('\n\n')}`;
}

const PLAIN_STOP_TRIGGERS = ['\nUser:', '\nSystem:', '\nAssistant:'];

const PLAIN_FORMAT_WARNING =
  'the GGUF file has no chat template: messages were rendered in backfire plain format (System:/User:/Assistant:)';

/** One Llama runtime per GPU setting per process: starting one takes seconds. */
const runtimes = new Map<string, Promise<Llama>>();

function runtimeFor(llamaCpp: NodeLlamaCpp, gpu: GgufProviderOptions['gpu']): Promise<Llama> {
  const key = String(gpu ?? false);
  let runtime = runtimes.get(key);
  if (runtime === undefined) {
    runtime = llamaCpp.getLlama({
      gpu: gpu ?? false,
      build: 'never',
      logLevel: llamaCpp.LlamaLogLevel.error,
    });
    runtimes.set(key, runtime);
    runtime.catch(() => runtimes.delete(key));
  }
  return runtime;
}

export interface GgufAdapterOptions {
  ref: string;
  /** Absolute path and content hash, from `identifyGgufFile`. */
  file: string;
  sha256: string;
  providerOptions?: GgufProviderOptions | undefined;
  /** For tests: replaces `import('node-llama-cpp')`. */
  importer?: () => Promise<unknown>;
}

export class GgufAdapter implements ChatModel {
  readonly ref: string;
  readonly surrogate = false;
  /** `<file name>@sha256:<hash>`: the weights, whatever the file is called later. */
  readonly modelVersion: string;
  /** Whether prompts go through the file's chat template. */
  readonly usesChatTemplate: boolean;
  /** GPU backend in use, or false for CPU. */
  readonly gpu: string | false;
  readonly #llamaCpp: NodeLlamaCpp;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #chatWrapper: ChatWrapper | undefined;
  readonly #free: LlamaContextSequence[];
  readonly #waiting: ((sequence: LlamaContextSequence) => void)[] = [];
  readonly #options: GgufProviderOptions;

  private constructor(init: {
    ref: string;
    modelVersion: string;
    llamaCpp: NodeLlamaCpp;
    model: LlamaModel;
    context: LlamaContext;
    chatWrapper: ChatWrapper | undefined;
    sequences: LlamaContextSequence[];
    options: GgufProviderOptions;
    gpu: string | false;
  }) {
    this.ref = init.ref;
    this.modelVersion = init.modelVersion;
    this.#llamaCpp = init.llamaCpp;
    this.#model = init.model;
    this.#context = init.context;
    this.#chatWrapper = init.chatWrapper;
    this.usesChatTemplate = init.chatWrapper !== undefined;
    this.#free = init.sequences;
    this.#options = init.options;
    this.gpu = init.gpu;
  }

  /** Loads the model now, so a missing package or a broken file fails before the first call. */
  static async load(options: GgufAdapterOptions): Promise<GgufAdapter> {
    const llamaCpp = (await importNodeLlamaCpp(options.importer)) as NodeLlamaCpp;
    const providerOptions = options.providerOptions ?? {};
    const llama = await runtimeFor(llamaCpp, providerOptions.gpu);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: options.file,
        gpuLayers: llama.gpu === false ? 0 : 'auto',
      });
    } catch (error) {
      throw new UserInputError(
        `model "${options.ref}": node-llama-cpp could not load ${options.file}: ${(error as Error).message}`,
        {
          path: 'models',
          fix: 'check that the file is a complete GGUF model supported by llama.cpp',
        },
      );
    }
    const sequenceCount = providerOptions.sequences ?? 1;
    const context = await model.createContext({
      contextSize: providerOptions.contextSize ?? Math.min(model.trainContextSize, 4096),
      sequences: sequenceCount,
      threads: providerOptions.threads ?? Math.max(1, availableParallelism() - 1),
    });
    const sequences = Array.from({ length: sequenceCount }, () => context.getSequence());
    const template = model.fileInfo.metadata.tokenizer?.chat_template;
    const hasTemplate = typeof template === 'string' && template.trim() !== '';
    const chatWrapper =
      hasTemplate && providerOptions.promptFormat !== 'plain'
        ? (llamaCpp.resolveChatWrapper(model, { warningLogs: false }) as ChatWrapper)
        : undefined;
    return new GgufAdapter({
      ref: options.ref,
      modelVersion: `${basename(options.file)}@sha256:${options.sha256}`,
      llamaCpp,
      model,
      context,
      chatWrapper,
      sequences,
      options: providerOptions,
      gpu: llama.gpu,
    });
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (request.signal?.aborted === true) {
      throw abortError(request.signal);
    }
    const sequence = await this.#acquire(request.signal);
    try {
      return await this.#generateOn(sequence, request);
    } finally {
      this.#release(sequence);
    }
  }

  async #generateOn(sequence: LlamaContextSequence, request: GenerateRequest): Promise<GenerateResult> {
    const warnings: string[] = [];
    const sampling = {
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      seed: request.seed,
      ...(request.topP === undefined ? {} : { topP: request.topP }),
      ...(this.#options.topK === undefined ? {} : { topK: this.#options.topK }),
      ...(this.#options.minP === undefined ? {} : { minP: this.#options.minP }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    };
    const before = sequence.tokenMeter.getState();
    let text: string;
    let stopReason: string;
    let promptTokens: number;
    try {
      if (this.#chatWrapper === undefined) {
        warnings.push(PLAIN_FORMAT_WARNING);
        const prompt = renderPlainPrompt(request.messages);
        promptTokens = this.#model.tokenize(prompt).length;
        const completion = new this.#llamaCpp.LlamaCompletion({
          contextSequence: sequence,
          autoDisposeSequence: false,
        });
        const response = await completion.generateCompletionWithMeta(prompt, {
          ...sampling,
          customStopTriggers: PLAIN_STOP_TRIGGERS,
        });
        text = response.response;
        stopReason = response.metadata.stopReason;
      } else {
        const history = toChatHistory(request.messages);
        promptTokens = this.#chatWrapper
          .generateContextState({ chatHistory: history })
          .contextText.tokenize(this.#model.tokenizer).length;
        const chat = new this.#llamaCpp.LlamaChat({
          contextSequence: sequence,
          chatWrapper: this.#chatWrapper,
          autoDisposeSequence: false,
        });
        const response = await chat.generateResponse(history, sampling);
        chat.dispose({ disposeSequence: false });
        text = response.response;
        stopReason = response.metadata.stopReason;
      }
    } catch (error) {
      if (request.signal?.aborted === true) {
        throw abortError(request.signal);
      }
      throw new ModelCallError('server', `gguf: generation failed: ${(error as Error).message}`, { retryable: false });
    }
    if (stopReason === 'abort') {
      throw abortError(request.signal);
    }
    const used = sequence.tokenMeter.diff(before);
    return {
      text: text.trim(),
      usage: { promptTokens, completionTokens: used.usedOutputTokens },
      finishReason: mapStopReason(stopReason),
      modelVersion: this.modelVersion,
      warnings,
    };
  }

  #acquire(signal: AbortSignal | undefined): Promise<LlamaContextSequence> {
    const free = this.#free.pop();
    if (free !== undefined) {
      return Promise.resolve(free);
    }
    return new Promise((resolvePromise, reject) => {
      const waiter = (sequence: LlamaContextSequence): void => {
        signal?.removeEventListener('abort', onAbort);
        resolvePromise(sequence);
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) {
          this.#waiting.splice(index, 1);
        }
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #release(sequence: LlamaContextSequence): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#free.push(sequence);
    } else {
      next(sequence);
    }
  }

  async close(): Promise<void> {
    await this.#context.dispose();
    await this.#model.dispose();
  }
}

function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') {
      return { type: 'system', text: message.content };
    }
    if (message.role === 'user') {
      return { type: 'user', text: message.content };
    }
    return { type: 'model', response: [message.content] };
  });
  // node-llama-cpp completes the last model turn: an empty one asks for a new answer.
  history.push({ type: 'model', response: [] });
  return history;
}

function mapStopReason(reason: string): FinishReason {
  switch (reason) {
    case 'eogToken':
    case 'stopGenerationTrigger':
    case 'customStopTrigger':
      return 'stop';
    case 'maxTokens':
      return 'length';
    default:
      return 'other';
  }
}
