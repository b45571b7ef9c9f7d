import type { Lexicon } from '../contracts/index.js';
import { codeUnitAt, SENTENCE_END_CHARACTERS, wordCodeTable } from './lexicon-characters.js';
import { wordIndexAt } from './lexicon-negation.js';
import { escapeForRegExp } from './lexicon-terms.js';
import type { WordFinder } from './lexicon-words.js';
import type { WordSpan } from './segmentation.js';

/**
 * Sense blocks (docs/lexicon-format.md §6): a hit of one of a block's terms is dropped when one of
 * its context expressions occurs within `window` words of the hit, so that a body word in the cold
 * scenes ("her body is shaking from the cold") is not counted as sexual. Context expressions are
 * plain terms: from a word start, whole words unless written with a final `*`; in unspaced scripts
 * substrings of the words in reach.
 */

interface CompiledBlock {
  context: readonly { literal: string; prefix: boolean }[];
  window: number;
  /** Finds any context literal anywhere: most texts hold none, and then no word need be found. */
  anyContext: RegExp | null;
  /** The text `anyContext` was last run on, and its answer. */
  testedText: string | null;
  present: boolean;
}

export class SenseBlocks {
  /** Per category index, the blocks of each term as written; null when the category has none. */
  private readonly byCategory: (Map<string, CompiledBlock[]> | null)[];
  /** The widest window of any block: how many words `blocks` reads on each side. */
  readonly margin: number;

  constructor(
    categories: readonly (Lexicon['categories'][string]['senseBlocks'] | undefined)[],
    normalise: (text: string) => string,
    private readonly spaced: boolean,
    private readonly wordFinder: WordFinder,
  ) {
    let margin = 0;
    this.byCategory = categories.map((blocks) => {
      if (blocks === undefined || blocks.length === 0) return null;
      const byTerm = new Map<string, CompiledBlock[]>();
      for (const block of blocks) {
        margin = Math.max(margin, block.window);
        const context = block.context
          .map((written) => {
            const prefix = written.endsWith('*');
            return { literal: normalise(prefix ? written.slice(0, -1) : written).trim(), prefix };
          })
          .filter((entry) => entry.literal !== '');
        const compiled: CompiledBlock = {
          window: block.window,
          context,
          anyContext:
            context.length === 0 ? null : new RegExp(context.map((entry) => escapeForRegExp(entry.literal)).join('|')),
          testedText: null,
          present: false,
        };
        for (const term of block.terms) byTerm.set(term, [...(byTerm.get(term) ?? []), compiled]);
      }
      return byTerm;
    });
    this.margin = margin;
  }

  /** Whether the category has sense blocks for the term (as written): only then is `blocks` worth asking. */
  has(category: number, term: string): boolean {
    return this.byCategory[category]?.has(term) ?? false;
  }

  /** Whether a context of one of the term's blocks occurs within reach of the hit text[start, end). */
  blocks(text: string, category: number, term: string, start: number, end: number): boolean {
    const blocks = this.byCategory[category]?.get(term);
    if (blocks === undefined || !blocks.some((block) => contextOccurs(block, text))) return false;
    const words = this.wordFinder.wordsAround(start, end, this.margin);
    if (words.length === 0) return false;
    const first = wordIndexAt(words, start);
    const last = Math.min(words.length - 1, wordIndexAt(words, Math.max(start, end - 1)));
    const isWord = wordCodeTable();
    for (const block of blocks) {
      // A context counts only in the hit's own sentence (docs/lexicon-format.md §6).
      const low = sentenceStartWord(text, words, first, Math.max(0, first - block.window));
      const high = sentenceEndWord(text, words, last, Math.min(words.length - 1, last + block.window));
      if (low > high) continue;
      if (!this.spaced) {
        const stretch = text.slice(words[low]!.start, words[high]!.end);
        if (block.context.some((context) => stretch.includes(context.literal))) return true;
        continue;
      }
      for (let index = low; index <= high; index += 1) {
        const wordStart = words[index]!.start;
        for (const context of block.context) {
          if (!text.startsWith(context.literal, wordStart)) continue;
          if (context.prefix || isWord[codeUnitAt(text, wordStart + context.literal.length)] !== 1) return true;
        }
      }
    }
    return false;
  }
}

/** Punctuation that ends a sentence: a sense block's context does not reach across it. */
const SENTENCE_END = new Uint8Array(0x10000);
for (const character of SENTENCE_END_CHARACTERS) SENTENCE_END[character.charCodeAt(0)] = 1;

function hasSentenceEnd(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (SENTENCE_END[codeUnitAt(text, index)] === 1) return true;
  return false;
}

/** The first word from `low` up to `first` that is in the sentence of words[first]. */
function sentenceStartWord(text: string, words: readonly WordSpan[], first: number, low: number): number {
  for (let index = Math.min(first, words.length - 1); index > low; index -= 1) {
    if (hasSentenceEnd(text, words[index - 1]!.end, words[index]!.start)) return index;
  }
  return low;
}

/** The last word from `last` up to `high` that is in the sentence of words[last]. */
function sentenceEndWord(text: string, words: readonly WordSpan[], last: number, high: number): number {
  for (let index = Math.max(last, 0); index < high; index += 1) {
    if (hasSentenceEnd(text, words[index]!.end, words[index + 1]!.start)) return index;
  }
  return high;
}

/** Whether one of the block's context literals occurs anywhere in the text (remembered for the last text). */
function contextOccurs(block: CompiledBlock, text: string): boolean {
  if (block.anyContext === null) return false;
  if (block.testedText !== text) {
    block.testedText = text;
    block.present = block.anyContext.test(text);
  }
  return block.present;
}
