import { countO200kTokens } from './token-count.js';
import type { InstrumentRow, LanguagePack } from '../contracts/index.js';
import { createSegmenter } from './segmentation.js';
import { evaluateLexicon, type LexiconEvaluation } from './validation.js';

/**
 * The parity table: what each language's instrument looks like, side by side, so a reader can see
 * whether languages were measured comparably — lexicon sizes, how long the scenario is (characters,
 * words by the pack's own segmentation, and tokens of the o200k_base tokenizer used by current
 * OpenAI models, a common yardstick for prompt cost), validation scores and review status.
 */
export type ParityRow = InstrumentRow;

type ValidationItems = Parameters<typeof evaluateLexicon>[1];

export function parityRow(pack: LanguagePack, validationItems: ValidationItems | null): ParityRow {
  const scenarioText = [pack.scenario.setting, ...pack.scenario.turns.map((turn) => turn.text)].join('\n');
  const segmenter = createSegmenter(pack.capabilities, pack.meta.tag);
  const evaluation: LexiconEvaluation | null = validationItems === null ? null : evaluateLexicon(pack, validationItems);
  const validation: ParityRow['validation'] = {};
  for (const score of evaluation?.categories ?? []) {
    validation[score.category] = { precision: score.precision, recall: score.recall };
  }
  const scores = Object.values(validation)
    .flatMap((score) => [score.precision, score.recall])
    .filter((value): value is number => value !== null);
  return {
    language: pack.meta.tag,
    englishName: pack.meta.englishName,
    nativeName: pack.meta.nativeName,
    script: pack.capabilities.script,
    direction: pack.capabilities.direction,
    segmentation: pack.capabilities.segmentation,
    packVersion: pack.meta.version,
    reviewStatus: pack.meta.reviewStatus,
    lexiconVersion: pack.lexicon.version,
    lexiconTerms: Object.fromEntries(
      Object.entries(pack.lexicon.categories).map(([name, category]) => [name, category.terms.length]),
    ),
    scenarioCharacters: [...scenarioText].length,
    scenarioWords: segmenter.countWords(scenarioText),
    scenarioTokens: countO200kTokens(scenarioText),
    validationItems: validationItems?.length ?? 0,
    validation,
    minimumValidationScore: scores.length > 0 ? Math.min(...scores) : null,
    hofstede: { ...pack.covariates.hofstede },
    covariateCountry: pack.covariates.country,
  };
}
