import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserInputError } from '../contracts/index.js';
import { isSurrogateRef, MOCK_SCRIPTS, requireOptionalPeers, resolveModelRef } from '../models/index.js';
import type { LoadedStudy } from '../runner/index.js';

/**
 * Resolves every model a study names, and finds its key, before the run folder is touched: an unknown
 * provider, a missing key, a missing GGUF file or a missing optional package (the Anthropic SDK,
 * node-llama-cpp) is an error in the study (or `--model`), so it must stop the command with nothing
 * written, not after the store was created.
 */
export function checkStudyModels(
  loaded: LoadedStudy,
  options: { fromFlag: boolean; replaying: boolean; env?: Readonly<Record<string, string | undefined>> },
): void {
  const env = options.env ?? process.env;
  loaded.study.models.forEach((ref, index) => {
    const where = options.fromFlag ? { path: '--model' } : { file: loaded.file, path: `models[${index}]` };
    try {
      checkModel(ref, loaded, env, options.replaying);
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      throw new UserInputError(error.message, { ...where, fix: error.fix }, error.additionalProblems);
    }
  });
}

function checkModel(
  ref: string,
  loaded: LoadedStudy,
  env: Readonly<Record<string, string | undefined>>,
  replaying: boolean,
): void {
  if (isSurrogateRef(ref)) return;
  if (ref.startsWith('mock:')) {
    const script = ref.slice('mock:'.length);
    if (!Object.hasOwn(MOCK_SCRIPTS, script)) {
      throw new UserInputError(`model "${ref}": no mock script "${script}"`, {
        fix: `use one of: ${Object.keys(MOCK_SCRIPTS)
          .map((name) => `mock:${name}`)
          .join(', ')}`,
      });
    }
    return;
  }
  const modelOptions = loaded.study.modelOptions[ref];
  const resolved = resolveModelRef(ref, env, {
    baseUrl: modelOptions?.baseUrl,
    apiKeyVariable: modelOptions?.apiKeyVariable,
  });
  // A replay answers from the record: it needs neither a key nor the weights.
  if (replaying) return;
  if (resolved.kind === 'gguf') {
    if (!existsSync(resolve(resolved.path))) {
      throw new UserInputError(`model "${ref}": no GGUF file at ${resolved.path}`, {
        fix: 'check the path after "gguf:" (relative paths are read from the current folder)',
      });
    }
    requireOptionalPeers(['node-llama-cpp'], 'models');
    return;
  }
  if (resolved.kind === 'anthropic') requireOptionalPeers(['@anthropic-ai/sdk'], 'models');
  const keyRequired =
    resolved.kind === 'anthropic' || (resolved.kind === 'openai-compatible' && resolved.apiKeyRequired);
  if (keyRequired && (env[resolved.apiKeyVariable] ?? '').trim() === '') {
    throw new UserInputError(`model "${ref}" needs an API key, and ${resolved.apiKeyVariable} is not set`, {
      fix: `set the environment variable ${resolved.apiKeyVariable} to your key (keys are read from the environment only and never stored)`,
    });
  }
}
