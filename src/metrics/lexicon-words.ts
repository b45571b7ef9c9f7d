import type { Capabilities } from '../contracts/index.js';
import { codeUnitAt, isJoinerCode, isWordCode, unspacedCuts, wordCodeTable } from './lexicon-characters.js';
import type { WordSpan } from './segmentation.js';

/**
 * Word boundaries for the lexicon matcher, computed only where a hit needs them.
 *
 * The matcher used to segment every text whole as soon as it held one candidate. For unspaced
 * scripts that meant a full ICU dictionary pass (about 1-2 MB/s), which capped Japanese and Chinese
 * scoring however fast the rest was. Both segmentations are local, though: whitespace words never
 * reach across a character that is neither a letter, mark, digit, apostrophe nor hyphen, and ICU
 * never joins words across the cut characters of lexicon-characters.ts. So a text is split into
 * chunks at such characters, and only the chunks around a candidate are segmented. For unspaced
 * scripts chunk segmentations are cached by their text: agent utterances reuse clauses (the
 * surrogate's phrase bank, formulaic model answers), so most chunks are segmented once per run.
 *
 * Finders are classes holding the state of the text being matched (matching is synchronous), so
 * that the matcher's calls reach the same functions whatever the pack, which keeps V8's optimised
 * code valid from one language to the next.
 */

/** Bits of a chunk's boundary flags: a word starts / ends at this offset. */
const WORD_START = 1;
const WORD_END = 2;

/**
 * Cached chunks per compiled lexicon; cleared when full, like the analysis memo. A key may keep the
 * text it was sliced from alive, hence a bound well below the memo's.
 */
const CHUNK_CACHE_LIMIT = 20_000;

interface ChunkWords {
  /** Word spans relative to the chunk start, as [start0, end0, start1, end1, ...]. */
  spans: Int32Array;
  /** WORD_START / WORD_END bits per offset 0..length. */
  flags: Uint8Array;
}

export interface WordFinder {
  /** Makes `text` the text the next questions are about. */
  setText(text: string): void;
  /** Whether a segment the segmenter calls a word starts at `position` (asked for unspaced scripts). */
  startsWordAt(position: number): boolean;
  /**
   * Whether `position` ends a word: a segmenter word ends there, or the text ends, or the next
   * character is not a letter, mark or digit (asked for unspaced scripts).
   */
  endsWordAt(position: number): boolean;
  /**
   * The words of a stretch of the text that contains [start, end) and at least `margin` words
   * wholly before `start` and `margin` words wholly after `end`, unless it reaches the text's edge
   * first. The spans are exactly the whole-text segmentation's spans in that stretch.
   */
  wordsAround(start: number, end: number, margin: number): WordSpan[];
  /** Number of words in a text, as the pack's segmenter counts them. */
  countWords(text: string): number;
  /** The end of the segmenter's word that starts at `start`, or -1 when none starts there. */
  wordEndAt(start: number): number;
}

export function createWordFinder(capabilities: Pick<Capabilities, 'segmentation'>, locale: string): WordFinder {
  return capabilities.segmentation === 'intl-segmenter' ? new UnspacedWordFinder(locale) : new SpacedWordFinder();
}

/** Words as runs of letters, marks and digits joined by single apostrophes or hyphens. */
class SpacedWordFinder implements WordFinder {
  private text = '';
  /**
   * The current text's words, found on the first `wordsAround` call and then returned for every
   * later one: the whole text is a stretch the contract allows, and a text with pattern terms,
   * negation and sense checks asks several times (each stretch used to be segmented and allocated
   * anew). Agent texts are short, so segmenting one whole costs about what one stretch did.
   */
  private words: WordSpan[] | null = null;
  /**
   * The spans handed out, reused from text to text (the list and its span objects): nothing keeps
   * the words of a text once the matcher moves to the next (a hit's words are read during the
   * scan only), and allocating about forty spans per text was a large part of the garbage.
   */
  private readonly pool: WordSpan[] = [];
  private readonly list: WordSpan[] = [];

  setText(text: string): void {
    this.text = text;
    this.words = null;
  }

  startsWordAt(position: number): boolean {
    return isWordCode(codeUnitAt(this.text, position)) && !isWordCode(codeUnitAt(this.text, position - 1));
  }

  /**
   * Without segmenting the text: a word starts at `start` when a run of letters, marks and digits
   * starts there that is not joined to the run before it (a joiner right after a letter, as in
   * don't). Next to an astral character the words are asked instead.
   */
  wordEndAt(start: number): number {
    const text = this.text;
    const before = codeUnitAt(text, start - 1);
    const twoBefore = codeUnitAt(text, start - 2);
    if ((twoBefore >= 0xdc00 && twoBefore <= 0xdfff) || (before >= 0xdc00 && before <= 0xdfff)) {
      const word = this.wordsAround(start, start + 1, 0).find((candidate) => candidate.start === start);
      return word === undefined ? -1 : word.end;
    }
    if (isWordCode(before) || (isJoinerCode(before) && isWordCode(twoBefore))) return -1;
    const end = spacedWordEnd(text, start);
    return end === start ? -1 : end;
  }

  endsWordAt(position: number): boolean {
    return !isWordCode(codeUnitAt(this.text, position));
  }

  wordsAround(_start: number, _end: number, _margin: number): WordSpan[] {
    if (this.words !== null) return this.words;
    const text = this.text;
    const isWord = wordCodeTable();
    const { pool, list } = this;
    let count = 0;
    let index = 0;
    while (index < text.length) {
      const code = text.charCodeAt(index);
      // Most characters between words are neither letters nor the start of an astral one: no
      // word starts there (as countWords does).
      const wordEnd = isWord[code] === 1 || (code >= 0xd800 && code <= 0xdbff) ? spacedWordEnd(text, index) : index;
      if (wordEnd === index) {
        index += 1;
      } else {
        let span = pool[count];
        if (span === undefined) {
          span = { start: index, end: wordEnd };
          pool.push(span);
        } else {
          span.start = index;
          span.end = wordEnd;
        }
        list[count] = span;
        count += 1;
        index = wordEnd;
      }
    }
    if (list.length !== count) list.length = count;
    this.words = list;
    return list;
  }

  countWords(text: string): number {
    const isWord = wordCodeTable();
    let count = 0;
    let index = 0;
    while (index < text.length) {
      const code = text.charCodeAt(index);
      // Most characters between words are neither letters nor the start of an astral one.
      const wordEnd = isWord[code] === 1 || (code >= 0xd800 && code <= 0xdbff) ? spacedWordEnd(text, index) : index;
      if (wordEnd === index) {
        index += 1;
      } else {
        count += 1;
        index = wordEnd;
      }
    }
    return count;
  }
}

/**
 * The end of the whitespace-segmentation word starting at `start`, or `start` when none starts
 * there. Hand-written for speed, it reads exactly what the segmenter's RegExp
 * `[\p{L}\p{M}\p{N}]+(?:['’\-‐][\p{L}\p{M}\p{N}]+)*` (scanned left to right) reads: runs of
 * letters, marks and digits, astral ones included, joined by single apostrophes or hyphens.
 * lexicon-words.test.ts compares the two on random text.
 */
function spacedWordEnd(text: string, start: number): number {
  let index = runEnd(text, start);
  if (index === start) return start;
  while (isJoinerCode(codeUnitAt(text, index))) {
    const next = runEnd(text, index + 1);
    if (next === index + 1) break;
    index = next;
  }
  return index;
}

/** The end of the run of letters, marks and digits (astral ones included) from `from`. */
function runEnd(text: string, from: number): number {
  const isWord = wordCodeTable();
  let index = from;
  for (;;) {
    const code = codeUnitAt(text, index);
    if (isWord[code] === 1) {
      index += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && isAstralWordAt(text, index)) {
      index += 2;
    } else {
      return index;
    }
  }
}

/** Whether a surrogate pair that is a letter, mark or digit starts at `index`. */
function isAstralWordAt(text: string, index: number): boolean {
  const high = text.charCodeAt(index);
  const low = codeUnitAt(text, index + 1);
  return low >= 0xdc00 && low <= 0xdfff && isAstralWordCodePoint((high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000);
}

const ASTRAL_WORD_CHARACTER = /^[\p{L}\p{M}\p{N}]$/u;
const astralWordCodePoints = new Map<number, boolean>();

function isAstralWordCodePoint(codePoint: number): boolean {
  let known = astralWordCodePoints.get(codePoint);
  if (known === undefined) {
    known = ASTRAL_WORD_CHARACTER.test(String.fromCodePoint(codePoint));
    if (astralWordCodePoints.size < 10_000) astralWordCodePoints.set(codePoint, known);
  }
  return known;
}

/** ICU word segments (Intl.Segmenter), found chunk by chunk and cached by chunk text. */
class UnspacedWordFinder implements WordFinder {
  private readonly segmenter: Intl.Segmenter;
  private readonly cache = new Map<string, ChunkWords>();
  private text = '';
  /** Chunk starts of the current text (computed on first need) and their segmentations. */
  private starts: number[] | null = null;
  private chunks: (ChunkWords | undefined)[] = [];

  constructor(locale: string) {
    this.segmenter = new Intl.Segmenter(locale, { granularity: 'word' });
  }

  setText(text: string): void {
    this.text = text;
    this.starts = null;
    this.chunks = [];
  }

  startsWordAt(position: number): boolean {
    return (this.flagAt(this.chunkAt(position), position) & WORD_START) !== 0;
  }

  endsWordAt(position: number): boolean {
    if (position >= this.text.length || !isWordCode(codeUnitAt(this.text, position))) return true;
    // A word ending here lies in the chunk of the character before it.
    return position > 0 && (this.flagAt(this.chunkAt(position - 1), position) & WORD_END) !== 0;
  }

  wordsAround(start: number, end: number, margin: number): WordSpan[] {
    const lastChunk = this.chunkStarts().length - 1;
    let first = this.chunkAt(start);
    let last = this.chunkAt(Math.max(start, end - 1));
    for (;;) {
      const words: WordSpan[] = [];
      for (let chunk = first; chunk <= last; chunk += 1) this.pushSpans(chunk, words);
      const atStart = first === 0;
      const atEnd = last === lastChunk;
      if (hasMargin(words, start, end, margin, atStart, atEnd)) return words;
      if (!atStart && countBefore(words, start) < margin) first -= 1;
      if (!atEnd && countAfter(words, end) < margin) last += 1;
    }
  }

  wordEndAt(start: number): number {
    const word = this.wordsAround(start, start + 1, 0).find((candidate) => candidate.start === start);
    return word === undefined ? -1 : word.end;
  }

  countWords(text: string): number {
    const starts = unspacedCuts(text);
    let count = 0;
    for (let chunk = 0; chunk < starts.length; chunk += 1) {
      count += this.segment(text.slice(starts[chunk]!, starts[chunk + 1] ?? text.length)).spans.length / 2;
    }
    return count;
  }

  private segment(chunk: string): ChunkWords {
    const known = this.cache.get(chunk);
    if (known !== undefined) return known;
    const spans: number[] = [];
    const flags = new Uint8Array(chunk.length + 1);
    for (const segment of this.segmenter.segment(chunk)) {
      if (!segment.isWordLike) continue;
      const end = segment.index + segment.segment.length;
      spans.push(segment.index, end);
      flags[segment.index]! |= WORD_START;
      flags[end]! |= WORD_END;
    }
    const words: ChunkWords = { spans: Int32Array.from(spans), flags };
    if (this.cache.size >= CHUNK_CACHE_LIMIT) this.cache.clear();
    this.cache.set(chunk, words);
    return words;
  }

  private chunkStarts(): number[] {
    this.starts ??= unspacedCuts(this.text);
    return this.starts;
  }

  private chunkWords(chunk: number): ChunkWords {
    let words = this.chunks[chunk];
    if (words === undefined) {
      const starts = this.chunkStarts();
      words = this.segment(this.text.slice(starts[chunk]!, starts[chunk + 1] ?? this.text.length));
      this.chunks[chunk] = words;
    }
    return words;
  }

  /** Index of the chunk holding `position` (the last chunk for the text's end). */
  private chunkAt(position: number): number {
    const starts = this.chunkStarts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  private flagAt(chunk: number, position: number): number {
    return this.chunkWords(chunk).flags[position - this.chunkStarts()[chunk]!] ?? 0;
  }

  private pushSpans(chunk: number, into: WordSpan[]): void {
    const offset = this.chunkStarts()[chunk]!;
    const spans = this.chunkWords(chunk).spans;
    for (let index = 0; index < spans.length; index += 2) {
      into.push({ start: offset + spans[index]!, end: offset + spans[index + 1]! });
    }
  }
}

function countBefore(words: readonly WordSpan[], position: number): number {
  let count = 0;
  for (const word of words) if (word.end <= position) count += 1;
  return count;
}

function countAfter(words: readonly WordSpan[], position: number): number {
  let count = 0;
  for (const word of words) if (word.start >= position) count += 1;
  return count;
}

function hasMargin(
  words: readonly WordSpan[],
  start: number,
  end: number,
  margin: number,
  atStart: boolean,
  atEnd: boolean,
): boolean {
  return (atStart || countBefore(words, start) >= margin) && (atEnd || countAfter(words, end) >= margin);
}
