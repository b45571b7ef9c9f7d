import { francAll } from 'franc';

/**
 * Output-language check: tags each action with the language a maintained detector (franc) ranks
 * first, and decides whether the action is in the intended language.
 *
 * - Detection chooses among the languages that have a pack (their declared `detectorCode`): a model
 *   falling back to English or to another studied language is caught, and detection is four times
 *   faster than over franc's full list.
 * - Short utterances are ambiguous between close languages (es/pt/it, for instance), so an action
 *   counts as *in the intended language* when that language scores within `tolerance` of the best
 *   candidate (franc's scores are relative to the best, which scores 1). On the packs' phrase banks
 *   this cuts false "wrong language" flags from up to 13 in 78 phrases to at most 5 (Turkish).
 * - Texts shorter than `minLength` characters are "und" (undetermined) and count neither way.
 * Results are memoised by text because agent utterances repeat.
 */
export interface LanguageClassification {
  /** ISO 639-3 code ranked first, or "und". */
  detected: string;
  /** Whether the intended language is (close to) the best candidate; null when undetermined. */
  intended: boolean | null;
}

export interface LanguageDetector {
  classify(text: string, intendedCode: string): LanguageClassification;
}

export function createLanguageDetector(
  candidateCodes: readonly string[],
  minLength = 10,
  tolerance = 0.9,
): LanguageDetector {
  const only = [...new Set(candidateCodes)];
  const memo = new Map<string, [string, number][]>();
  const rank = (text: string): [string, number][] => {
    let ranked = memo.get(text);
    if (ranked === undefined) {
      ranked = text.length < minLength ? [] : francAll(text, { minLength, only }).filter(([code]) => code !== 'und');
      if (memo.size > 200_000) memo.clear();
      memo.set(text, ranked);
    }
    return ranked;
  };
  return {
    classify(text, intendedCode) {
      const ranked = rank(text);
      const best = ranked[0];
      if (best === undefined) return { detected: 'und', intended: null };
      const intendedScore = ranked.find(([code]) => code === intendedCode)?.[1] ?? 0;
      return { detected: best[0], intended: intendedScore >= tolerance };
    },
  };
}
