import { UserInputError } from '../contracts/index.js';
import { surrogateVariantOf } from './surrogate/surrogate-model.js';

/**
 * Model references: one string names a model everywhere (`--model`, a study's `models` list, the
 * manifest, the store). Parsing is pure; resolving reads the environment for base-URL overrides and
 * the *name* of the key variable, never its value (the value is read once, by `createModel`).
 *
 *   surrogate                                  built-in surrogate (resolved by the lead's resolver)
 *   mock:<script>                              scripted mock model for tests (idem)
 *   <preset>:<model>                           an OpenAI-compatible endpoint from PRESETS
 *   openai-compatible:<url>[,<url>...]#<model> any other OpenAI-compatible endpoint(s), load-balanced
 *   anthropic:<model>                          Anthropic Messages API
 *   gguf:<path-to-file>                        a local GGUF file run in-process by node-llama-cpp
 */

export interface OpenAiCompatiblePreset {
  readonly baseUrl: string;
  /** Environment variable holding the API key. */
  readonly apiKeyVariable: string;
  /** Hosted services refuse calls without a key: fail before the first call instead. */
  readonly apiKeyRequired: boolean;
  /** OpenAI deprecated `max_tokens` for `max_completion_tokens`; most other servers take the former. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Request settings the service is documented to ignore: each becomes a warning on every result. */
  readonly ignoredSettings: readonly ('seed' | 'topP')[];
  /** Short note for the presets table in the README and `--help`. */
  readonly description: string;
}

/** Presets: a default base URL and key variable per service; `<PRESET>_BASE_URL` overrides the URL. */
export const PRESETS: Readonly<Record<string, OpenAiCompatiblePreset>> = {
  openai: {
    baseUrl: 'https://api.openai.com/v1',
    apiKeyVariable: 'OPENAI_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_completion_tokens',
    ignoredSettings: [],
    description: 'OpenAI',
  },
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    apiKeyVariable: 'GROQ_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'Groq',
  },
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyVariable: 'OPENROUTER_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'OpenRouter (routes to many providers; the resolved model is recorded per call)',
  },
  together: {
    baseUrl: 'https://api.together.xyz/v1',
    apiKeyVariable: 'TOGETHER_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'Together AI',
  },
  fireworks: {
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    apiKeyVariable: 'FIREWORKS_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'Fireworks AI',
  },
  deepinfra: {
    baseUrl: 'https://api.deepinfra.com/v1/openai',
    apiKeyVariable: 'DEEPINFRA_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'DeepInfra',
  },
  deepseek: {
    baseUrl: 'https://api.deepseek.com/v1',
    apiKeyVariable: 'DEEPSEEK_API_KEY',
    apiKeyRequired: true,
    maxTokensField: 'max_tokens',
    ignoredSettings: ['seed'],
    description: 'DeepSeek (does not document `seed`)',
  },
  ollama: {
    baseUrl: 'http://127.0.0.1:11434/v1',
    apiKeyVariable: 'OLLAMA_API_KEY',
    apiKeyRequired: false,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'Ollama on this machine',
  },
  vllm: {
    baseUrl: 'http://127.0.0.1:8000/v1',
    apiKeyVariable: 'VLLM_API_KEY',
    apiKeyRequired: false,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'vLLM server (`vllm serve`)',
  },
  sglang: {
    baseUrl: 'http://127.0.0.1:30000/v1',
    apiKeyVariable: 'SGLANG_API_KEY',
    apiKeyRequired: false,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'SGLang server',
  },
  llamacpp: {
    baseUrl: 'http://127.0.0.1:8080/v1',
    apiKeyVariable: 'LLAMACPP_API_KEY',
    apiKeyRequired: false,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'llama.cpp `llama-server`',
  },
  lmstudio: {
    baseUrl: 'http://127.0.0.1:1234/v1',
    apiKeyVariable: 'LMSTUDIO_API_KEY',
    apiKeyRequired: false,
    maxTokensField: 'max_tokens',
    ignoredSettings: [],
    description: 'LM Studio local server',
  },
};

/** Key variable for `openai-compatible:` references (optional: local servers usually need none). */
export const OPENAI_COMPATIBLE_KEY_VARIABLE = 'OPENAI_COMPATIBLE_API_KEY';
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_KEY_VARIABLE = 'ANTHROPIC_API_KEY';

export type ParsedModelRef =
  | { kind: 'builtin'; ref: string }
  | {
      kind: 'openai-compatible';
      ref: string;
      /** Preset name, or null for `openai-compatible:`. */
      preset: string | null;
      model: string;
      /** Base URLs written in the reference itself (`openai-compatible:` only). */
      baseUrls: readonly string[];
    }
  | { kind: 'anthropic'; ref: string; model: string }
  | { kind: 'gguf'; ref: string; path: string };

function refError(ref: string, message: string, fix: string): UserInputError {
  return new UserInputError(`model "${displayRef(ref)}": ${message}`, { path: 'models', fix });
}

/** A reference as it may be shown: credentials a user wrongly put in a URL are masked. */
export function displayRef(ref: string): string {
  return ref
    .replace(/\/\/[^/@#\s]*@/g, '//[redacted]@')
    .replace(/([?&][^=&#]*(?:key|token|secret|password|sig)[^=&#]*=)[^&#]*/gi, '$1[redacted]');
}

const PRESET_NAMES = Object.keys(PRESETS).join(', ');
const REF_FORMS =
  'use surrogate, mock:<script>, <preset>:<model> (presets: ' +
  PRESET_NAMES +
  '), openai-compatible:<base-url>#<model>, anthropic:<model> or gguf:<path-to-file>';

/**
 * Whether a reference names the surrogate (`surrogate` or `surrogate:<variant>`): the one answer for
 * code that has only a reference (study checks, analysis, preregistration). A built model answers
 * the same question with its `surrogate` capability, which every wrapper passes through.
 */
export function isSurrogateRef(ref: string): boolean {
  return surrogateVariantOf(ref) !== undefined;
}

/** Built-in models (the surrogate and `mock:<script>`): no network, no key, no price. */
export function isBuiltinModelRef(ref: string): boolean {
  return isSurrogateRef(ref) || ref.startsWith('mock:');
}

/** Parses a reference without looking at the environment. Throws UserInputError naming the fix. */
export function parseModelRef(ref: string): ParsedModelRef {
  const trimmed = ref.trim();
  if (trimmed === '') {
    throw refError(ref, 'empty model reference', REF_FORMS);
  }
  if (isBuiltinModelRef(trimmed)) {
    return { kind: 'builtin', ref: trimmed };
  }
  const colon = trimmed.indexOf(':');
  if (colon <= 0) {
    throw refError(ref, 'no provider prefix', REF_FORMS);
  }
  const scheme = trimmed.slice(0, colon);
  const rest = trimmed.slice(colon + 1);
  if (rest === '') {
    throw refError(ref, `nothing after "${scheme}:"`, REF_FORMS);
  }
  if (scheme === 'anthropic') {
    return { kind: 'anthropic', ref: trimmed, model: rest };
  }
  if (scheme === 'gguf') {
    return { kind: 'gguf', ref: trimmed, path: rest };
  }
  if (scheme === 'openai-compatible') {
    const hash = rest.lastIndexOf('#');
    if (hash <= 0 || hash === rest.length - 1) {
      throw refError(
        ref,
        'missing "#<model>" after the base URL',
        'write openai-compatible:<base-url>[,<base-url>...]#<model>, e.g. openai-compatible:http://127.0.0.1:8000/v1#meta-llama/Llama-3.3-70B-Instruct',
      );
    }
    const baseUrls = splitBaseUrls(rest.slice(0, hash), ref);
    return { kind: 'openai-compatible', ref: trimmed, preset: null, model: rest.slice(hash + 1), baseUrls };
  }
  if (Object.hasOwn(PRESETS, scheme)) {
    return { kind: 'openai-compatible', ref: trimmed, preset: scheme, model: rest, baseUrls: [] };
  }
  throw refError(ref, `unknown provider "${scheme}"`, REF_FORMS);
}

/**
 * Splits and checks a comma-separated base-URL list. Credentials in a URL would be copied into the
 * manifest with the reference, so they are refused: keys belong in the key variable.
 */
export function splitBaseUrls(list: string, ref: string): string[] {
  const urls = list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (urls.length === 0) {
    throw refError(ref, 'no base URL', 'give at least one base URL, e.g. http://127.0.0.1:8000/v1');
  }
  return urls.map((text) => normaliseBaseUrl(text, ref));
}

const CREDENTIAL_QUERY = /key|token|secret|password|signature|sig$/i;

function normaliseBaseUrl(text: string, ref: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refError(
      ref,
      `"${displayRef(text)}" is not a URL`,
      'write an absolute http(s) URL such as http://127.0.0.1:8000/v1',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refError(ref, `unsupported protocol "${url.protocol}"`, 'use an http:// or https:// base URL');
  }
  if (url.username !== '' || url.password !== '') {
    // The URL has a secret in it: do not echo it back.
    throw refError(
      ref,
      'the base URL contains credentials',
      'remove user:password@ from the URL and put the key in the API-key variable',
    );
  }
  for (const name of url.searchParams.keys()) {
    if (CREDENTIAL_QUERY.test(name)) {
      throw refError(
        ref,
        `the base URL carries a credential-like query parameter "${name}"`,
        'remove it from the URL and put the key in the API-key variable',
      );
    }
  }
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export interface ResolveOverrides {
  /** Replaces the preset's base URL(s); comma-separated for load balancing. */
  baseUrl?: string | undefined;
  /** Replaces the name of the key variable. */
  apiKeyVariable?: string | undefined;
}

export type ResolvedModelRef =
  | { kind: 'builtin'; ref: string }
  | {
      kind: 'openai-compatible';
      ref: string;
      preset: string | null;
      model: string;
      baseUrls: readonly string[];
      apiKeyVariable: string;
      apiKeyRequired: boolean;
      maxTokensField: 'max_tokens' | 'max_completion_tokens';
      ignoredSettings: readonly ('seed' | 'topP')[];
      /** Provider name used to look up prices: the preset, or the host for other endpoints. */
      priceProvider: string;
    }
  | {
      kind: 'anthropic';
      ref: string;
      model: string;
      baseUrl: string;
      apiKeyVariable: string;
      priceProvider: 'anthropic';
    }
  | { kind: 'gguf'; ref: string; path: string; priceProvider: 'gguf' };

/** The environment variable that overrides a preset's base URL, e.g. GROQ_BASE_URL. */
export function baseUrlVariable(preset: string): string {
  return `${preset.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BASE_URL`;
}

/**
 * Resolves base URLs and the key variable's name. Precedence: explicit override, then
 * `<PRESET>_BASE_URL` from the environment, then the preset default.
 */
export function resolveModelRef(
  ref: string,
  env: Readonly<Record<string, string | undefined>>,
  overrides: ResolveOverrides = {},
): ResolvedModelRef {
  const parsed = parseModelRef(ref);
  switch (parsed.kind) {
    case 'builtin':
      return parsed;
    case 'gguf':
      return { ...parsed, priceProvider: 'gguf' };
    case 'anthropic': {
      const fromEnv = nonEmpty(env.ANTHROPIC_BASE_URL);
      const baseUrl = overrides.baseUrl ?? fromEnv ?? ANTHROPIC_DEFAULT_BASE_URL;
      const [url] = splitBaseUrls(baseUrl, ref);
      return {
        ...parsed,
        baseUrl: url ?? ANTHROPIC_DEFAULT_BASE_URL,
        apiKeyVariable: overrides.apiKeyVariable ?? ANTHROPIC_KEY_VARIABLE,
        priceProvider: 'anthropic',
      };
    }
    case 'openai-compatible': {
      const preset = parsed.preset === null ? undefined : PRESETS[parsed.preset];
      let baseUrls: readonly string[] = parsed.baseUrls;
      if (overrides.baseUrl !== undefined) {
        baseUrls = splitBaseUrls(overrides.baseUrl, ref);
      } else if (preset !== undefined && parsed.preset !== null) {
        const fromEnv = nonEmpty(env[baseUrlVariable(parsed.preset)]);
        baseUrls = splitBaseUrls(fromEnv ?? preset.baseUrl, ref);
      }
      return {
        ...parsed,
        baseUrls,
        apiKeyVariable: overrides.apiKeyVariable ?? preset?.apiKeyVariable ?? OPENAI_COMPATIBLE_KEY_VARIABLE,
        apiKeyRequired: preset?.apiKeyRequired ?? false,
        maxTokensField: preset?.maxTokensField ?? 'max_tokens',
        ignoredSettings: preset?.ignoredSettings ?? [],
        priceProvider: parsed.preset ?? presetForBaseUrls(baseUrls) ?? hostOf(baseUrls[0]),
      };
    }
  }
}

/** `openai-compatible:https://api.groq.com/openai/v1#m` is priced like `groq:m`. */
function presetForBaseUrls(baseUrls: readonly string[]): string | undefined {
  const first = baseUrls[0];
  return Object.entries(PRESETS).find(([, preset]) => preset.baseUrl === first)?.[0];
}

function hostOf(url: string | undefined): string {
  if (url === undefined) {
    return 'unknown';
  }
  return new URL(url).host;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
