import type { LanguagePack, Study } from '../contracts/index.js';
import { compileLexicon, type CompiledLexicon } from '../metrics/index.js';
import {
  type ChatModel,
  createNamedMockModel,
  createSurrogateModel,
  resolveSurrogateVariant,
  surrogateVariantOf,
} from '../models/index.js';
import { covariatesFor, type LoadedStudy } from '../runner/index.js';

/**
 * Builds the models a study names. The composition root: the surrogate gets the packs, the study's
 * parameter overrides, the covariates and the lexicon matcher (how it "hears" the group).
 */
export async function createStudyModels(loaded: LoadedStudy): Promise<Map<string, ChatModel>> {
  const models = new Map<string, ChatModel>();
  for (const ref of loaded.study.models) {
    models.set(ref, await createModelForRef(ref, loaded.study, loaded.packs, loaded));
  }
  return models;
}

async function createModelForRef(
  ref: string,
  study: Study,
  packs: ReadonlyMap<string, LanguagePack>,
  loaded: LoadedStudy,
): Promise<ChatModel> {
  const variant = surrogateVariantOf(ref);
  if (variant !== undefined) {
    const lexicons = new Map<string, CompiledLexicon>();
    return createSurrogateModel({
      ref,
      packs,
      parameters: resolveSurrogateVariant(
        study.surrogate.parameters,
        variant === null ? undefined : study.surrogate.variants[variant],
      ),
      covariates: covariatesFor(loaded),
      scoreText: (language, text) => {
        let lexicon = lexicons.get(language);
        if (lexicon === undefined) {
          const pack = packs.get(language);
          if (pack === undefined) return {};
          lexicon = compileLexicon(pack);
          lexicons.set(language, lexicon);
        }
        return lexicon.count(text);
      },
    });
  }
  const mock = createNamedMockModel(ref);
  if (mock !== undefined) return mock;
  throw new Error(`model "${ref}" is not supported yet`);
}

export function isSurrogateRef(ref: string): boolean {
  return surrogateVariantOf(ref) !== undefined;
}
