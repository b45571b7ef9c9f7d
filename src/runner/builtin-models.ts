import { type CompiledLexicon, compileLexicon } from '../metrics/index.js';
import {
  type ChatModel,
  createNamedMockModel,
  createSurrogateModel,
  resolveSurrogateVariant,
  surrogateVariantOf,
} from '../models/index.js';
import { covariatesFor } from './pipeline.js';
import type { LoadedStudy } from './study-file.js';

/**
 * `surrogate`, `surrogate:<variant>` and `mock:<script>`: models that need no network and no key
 * (`isBuiltinModelRef` in models). This builds the bare model; `createModel` puts its wrapper stack
 * around it (the CLI passes this function as `resolveBuiltin`).
 * The surrogate gets the study's packs, parameter overrides (and the variant's), covariates, and the
 * lexicon matcher through which it "hears" the group.
 */
export function createBuiltinModel(ref: string, loaded: LoadedStudy): ChatModel | undefined {
  const variant = surrogateVariantOf(ref);
  if (variant !== undefined) {
    const lexicons = new Map<string, CompiledLexicon>();
    const study = loaded.study;
    return createSurrogateModel({
      ref,
      packs: loaded.packs,
      parameters: resolveSurrogateVariant(
        study.surrogate.parameters,
        variant === null ? undefined : study.surrogate.variants[variant],
      ),
      covariates: covariatesFor(loaded),
      scoreText: (language, text) => {
        let lexicon = lexicons.get(language);
        if (lexicon === undefined) {
          const pack = loaded.packs.get(language);
          if (pack === undefined) return {};
          lexicon = compileLexicon(pack);
          lexicons.set(language, lexicon);
        }
        return lexicon.count(text);
      },
    });
  }
  return createNamedMockModel(ref);
}
