import type { Capabilities } from '../contracts/index.js';

/**
 * Word segmentation by declared capability. Shared code never asks which language it is: a pack
 * declares `whitespace` (words are runs of letters, marks and digits, with inner apostrophes and
 * hyphens kept) or `intl-segmenter` (ICU word boundaries via Intl.Segmenter, for unspaced scripts).
 */

export interface WordSpan {
  start: number;
  end: number;
}

const SPACED_WORD = /[\p{L}\p{M}\p{N}]+(?:['’\-‐][\p{L}\p{M}\p{N}]+)*/gu;
const WORD_CHARACTER = /[\p{L}\p{M}\p{N}]/u;

export interface Segmenter {
  words(text: string): WordSpan[];
  countWords(text: string): number;
}

export function createSegmenter(capabilities: Pick<Capabilities, 'segmentation'>, locale: string): Segmenter {
  if (capabilities.segmentation === 'intl-segmenter') {
    const segmenter = new Intl.Segmenter(locale, { granularity: 'word' });
    const words = (text: string): WordSpan[] => {
      const spans: WordSpan[] = [];
      for (const segment of segmenter.segment(text)) {
        if (segment.isWordLike) {
          spans.push({ start: segment.index, end: segment.index + segment.segment.length });
        }
      }
      return spans;
    };
    return { words, countWords: (text) => words(text).length };
  }
  return {
    words(text) {
      const spans: WordSpan[] = [];
      for (const match of text.matchAll(SPACED_WORD)) {
        spans.push({ start: match.index, end: match.index + match[0].length });
      }
      return spans;
    },
    countWords(text) {
      let count = 0;
      SPACED_WORD.lastIndex = 0;
      while (SPACED_WORD.exec(text) !== null) count += 1;
      return count;
    },
  };
}

export function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && WORD_CHARACTER.test(character);
}
