/**
 * Language packs: the data every language brings (scenario, personas, prompts, lexicon, phrase
 * bank, covariates, declared capabilities), their loader, registry and consistency check.
 */
export {
  type ConsistencyOptions,
  checkPackConsistency,
  findPackProblems,
  PHRASE_PLACEHOLDERS,
  type PackProblem,
  PROMPT_PLACEHOLDERS,
  placeholdersIn,
  SCENARIO_TURN_PLACEHOLDERS,
} from './consistency.js';
export {
  HELD_OUT_FILE,
  type HeldOutCategory,
  type HeldOutFigures,
  HeldOutFiguresSchema,
  type HeldOutLanguage,
  type HeldOutStatus,
  heldOutFor,
  lexiconHash,
  loadHeldOutFigures,
  parallelDetectionTable,
  recallSpread,
} from './held-out.js';
export { type PackSource, parseLanguagePack, readJsonFile, readLanguagePackFile } from './loader.js';
export {
  checkLanguagePacks,
  clearLanguagePackCache,
  languagePackFile,
  languagesDirectory,
  listLanguageTags,
  loadLanguagePack,
  loadLanguagePacks,
  loadValidationSet,
  type PackCheck,
  type RegistryOptions,
} from './registry.js';
export { type ValidationItem, ValidationItemSchema, ValidationSetSchema } from './validation-set.js';
