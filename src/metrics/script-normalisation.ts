import type { Capabilities } from '../contracts/index.js';

/**
 * A pack's declared script normalisation (capabilities.scriptNormalisation) as one function over
 * already NFKC-normalised text: characters removed, then letters folded. The lexicon applies it to
 * texts, terms, exclusions and negation cues alike, so a vocalised Arabic word, or a Hindi word
 * written with or without its nukta, meets the same term. Shared code knows no script: the pack
 * names the characters.
 */
export function createScriptNormaliser(
  capabilities: Pick<Capabilities, 'scriptNormalisation'>,
): ((text: string) => string) | null {
  if (capabilities.scriptNormalisation === undefined) return null;
  const { remove, fold } = capabilities.scriptNormalisation;
  const folds = Object.entries(fold);
  if (remove.length === 0 && folds.length === 0) return null;
  const removal =
    remove.length === 0
      ? null
      : new RegExp(`[${remove.map((entry) => [...entry].map(escapeInClass).join('')).join('')}]`, 'gu');
  const foldTable = new Map(folds);
  const folding =
    folds.length === 0 ? null : new RegExp(`[${folds.map(([from]) => escapeInClass(from)).join('')}]`, 'gu');
  return (text) => {
    let result = removal === null ? text : text.replace(removal, '');
    if (folding !== null) result = result.replace(folding, (letter) => foldTable.get(letter) ?? letter);
    return result;
  };
}

/** Escapes a character for use inside a RegExp character class; a lone "-" of a range stays. */
function escapeInClass(character: string): string {
  return character === '-' ? '-' : character.replace(/[\\\]^[]/g, '\\$&');
}
