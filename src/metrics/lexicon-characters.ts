/**
 * Character classes the lexicon matcher asks about character by character (word starts and ends,
 * cut points of the segmenters), as tables over UTF-16 code units: a Unicode-property RegExp test
 * per character was a large part of the old matcher's profile. Each table answers exactly what its
 * RegExp answers for that single code unit, so a lone surrogate (half of an astral character) is
 * classified the way the old per-character tests classified it.
 */

/** Letters, marks and digits: the code-unit test behind `isWordCharacter` (segmentation.ts). */
const WORD_CHARACTER = /[\p{L}\p{M}\p{N}]/u;

/** Scripts ICU hands to its Chinese/Japanese dictionary engine (word.txt's `$KanaKanji`). */
const KANA_KANJI = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

const WHITESPACE = /\s/u;

/** What joins runs of letters into one whitespace-segmented word: `don't`, `well-known`. */
const JOINERS = new Set([..."'’-‐"].map((character) => character.charCodeAt(0)));
/** JOINERS as a table: asked after every word of every text, where a Set lookup showed in profiles. */
const JOINER_TABLE = new Uint8Array(0x10000);
for (const code of JOINERS) JOINER_TABLE[code] = 1;

/**
 * Punctuation that ends a sentence. A sense block's context does not reach across it
 * (lexicon-senses.ts); with commas, semicolons and colons it is also where a clause ends, which
 * negation does not reach across (lexicon-negation.ts), so both lists are written here once.
 */
export const SENTENCE_END_CHARACTERS = '.!?。！？؟।॥';
export const CLAUSE_BOUNDARY_CHARACTERS = `${SENTENCE_END_CHARACTERS},;:、，；：،؛`;

let wordTable: Uint8Array | null = null;
let spacedCutTable: Uint8Array | null = null;

/**
 * 1 for every UTF-16 code unit that is a letter, mark or digit, else 0 (surrogate halves are 0).
 * Built whole on first use (about 10 ms): the matcher reads it for every character of every text,
 * so the lookup must be a bare typed-array read.
 */
export function wordCodeTable(): Uint8Array {
  if (wordTable === null) {
    wordTable = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code += 1) {
      if (WORD_CHARACTER.test(String.fromCharCode(code))) wordTable[code] = 1;
    }
  }
  return wordTable;
}

/**
 * The UTF-16 code unit at `index` of `text`, or 0 outside the text, where `charCodeAt` answers NaN.
 * The tables here are read with it wherever a position may lie outside the text (a word-end check
 * at the end of a text): a typed-array read site that has once seen a NaN key falls back to V8's
 * generic keyed load for good, and an out-of-range `charCodeAt` leaves its call site slower too;
 * together they made segmentation and the word tests two to three times slower. Code unit 0 (NUL)
 * answers as the end of a text did: no letter, joiner, clause boundary or cut.
 */
export function codeUnitAt(text: string, index: number): number {
  return index >= 0 && index < text.length ? text.charCodeAt(index) : 0;
}

/** Whether one UTF-16 code unit is a letter, mark or digit; false past the end of a text (NaN). */
export function isWordCode(code: number): boolean {
  // `| 0`: NaN reads as NUL, not a letter (see codeUnitAt).
  return (wordTable ?? wordCodeTable())[code | 0] === 1;
}

/** Whether the code unit is an apostrophe or hyphen that may join two runs into one word. */
export function isJoinerCode(code: number): boolean {
  // NaN past the end of a text reads as NUL: not a joiner (see codeUnitAt).
  return JOINER_TABLE[code | 0] === 1;
}

/**
 * 1 for code units that whitespace-segmented words never contain: such words are runs of letters,
 * marks and digits joined by single apostrophes or hyphens, found left to right, so segmenting from
 * (or up to) such a character gives the same words as segmenting the whole text. Surrogates are
 * never cuts, because the segmenter reads astral letters as letters.
 */
export function spacedCutCodeTable(): Uint8Array {
  if (spacedCutTable === null) {
    const words = wordCodeTable();
    spacedCutTable = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code += 1) {
      const surrogate = code >= 0xd800 && code <= 0xdfff;
      if (words[code] === 0 && !JOINERS.has(code) && !surrogate) spacedCutTable[code] = 1;
    }
  }
  return spacedCutTable;
}

const UNKNOWN = 0;
const NO = 1;
const YES = 2;

/** A lazily filled table, for classes asked about only at a few places of a text. */
function lazyTable(pattern: RegExp): (code: number) => boolean {
  const table = new Uint8Array(0x10000);
  return (code) => {
    if (!(code >= 0 && code < 0x10000)) return false;
    let known = table[code]!;
    if (known === UNKNOWN) {
      known = pattern.test(String.fromCharCode(code)) ? YES : NO;
      table[code] = known;
    }
    return known === YES;
  };
}

const isKanaKanji = lazyTable(KANA_KANJI);
const isWhitespace = lazyTable(WHITESPACE);

/**
 * Characters of Word_Break class Other, Newline or space (UAX #29), none of them emoji, dictionary
 * characters or quotes: ICU's word rules (icu4c/source/data/brkitr/rules/word.txt) always break
 * before them, and no rule looks back across them, so the text after one segments the same whether
 * or not the text before it is present. (After whitespace a space does not break, WB3d; hence the
 * check on the previous character.)
 */
const ALWAYS_CUT = 1;
/**
 * Mid-word punctuation (Word_Break MidNum, MidLetter, MidNumLet, quotes: `1,000`, `e.g.`, `don't`)
 * joins letters or digits on both sides. After a kana or kanji it cannot: ICU's rules join those to
 * nothing but more kana and kanji, and its dictionary runs stop at punctuation. After NFKC the
 * Chinese comma and colon are ASCII, so this is what lets Chinese clauses be segmented separately.
 */
const CUT_AFTER_KANA_KANJI = 2;

const ALWAYS_CUT_CHARACTERS = ' \n。、!?「」『』()“”【】《》〈〉〔〕';
const CUT_AFTER_KANA_KANJI_CHARACTERS = ',.:;\'"';

/** ALWAYS_CUT or CUT_AFTER_KANA_KANJI per code unit; 0 for the rest (nearly every character). */
const UNSPACED_CUT = new Uint8Array(0x10000);
for (const character of ALWAYS_CUT_CHARACTERS) UNSPACED_CUT[character.charCodeAt(0)] = ALWAYS_CUT;
for (const character of CUT_AFTER_KANA_KANJI_CHARACTERS) UNSPACED_CUT[character.charCodeAt(0)] = CUT_AFTER_KANA_KANJI;

/** Finds the characters that may be cuts, natively, skipping everything between them. */
const MAYBE_CUT = new RegExp(
  `[${[...ALWAYS_CUT_CHARACTERS, ...CUT_AFTER_KANA_KANJI_CHARACTERS].map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`,
  'g',
);

/**
 * Whether position `index` of `text` is a place where Intl.Segmenter (ICU word boundaries) always
 * breaks and where segmenting the text on each side separately gives the same word segments as
 * segmenting the whole text. The set is deliberately narrow: digits and most ASCII punctuation
 * are not cuts, because UAX #29 joins `abc123`, `3.5` or `don't`. lexicon-words.test.ts checks the
 * claim against whole-text segmentation on random mixtures of scripts, digits and punctuation.
 */
export function isUnspacedCut(text: string, index: number): boolean {
  if (index === 0) return true;
  const kind = UNSPACED_CUT[codeUnitAt(text, index)];
  if (kind === ALWAYS_CUT) return !isWhitespace(text.charCodeAt(index - 1));
  return kind === CUT_AFTER_KANA_KANJI && isKanaKanji(text.charCodeAt(index - 1));
}

/** Every cut of `text` (0 first), in order. */
export function unspacedCuts(text: string): number[] {
  const cuts = [0];
  MAYBE_CUT.lastIndex = 1;
  let found = MAYBE_CUT.exec(text);
  while (found !== null) {
    if (isUnspacedCut(text, found.index)) cuts.push(found.index);
    found = MAYBE_CUT.exec(text);
  }
  return cuts;
}
