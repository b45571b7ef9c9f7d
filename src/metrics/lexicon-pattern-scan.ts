import { wordCodeTable } from './lexicon-characters.js';
import { hasClauseBoundary, type Negation, wordIndexAt } from './lexicon-negation.js';
import type { PatternPart, PatternTerm } from './lexicon-patterns.js';
import type { WordFinder } from './lexicon-words.js';
import type { Morphology } from './morphology.js';
import type { WordSpan } from './segmentation.js';

/**
 * Finding pattern terms (stems and discontinuous patterns, docs/lexicon-format.md §2-4) in one
 * normalised text. The rules, which lexicon-reference.test-support.ts states plainly:
 *
 * - The first part starts at a word start s: a word part at s, or right after a clitic prefix that
 *   starts at s; a stem part is the whole word starting at s, which must begin with the part's
 *   anchor at s or right after one clitic or declared prefix, and whose stem (or, after a clitic,
 *   the stem of the rest) equals the part's stem.
 * - Each next part is matched at the nearest of the next gap + 1 words after the previous part's
 *   end (greedy, no backtracking); clause punctuation or a clause word before it ends the search.
 * - Per category, word starts are taken in order; at each, among the candidates that neither start
 *   before the category's resume point nor start inside a plain-term hit of the category, the one
 *   ending last wins (then the earlier term, then the earlier start); the category resumes after
 *   the winner's first part, so words in its gaps stay available.
 *
 * How it stays cheap: anchors are literals of the lexicon's one candidate RegExp, so the places
 * where a pattern could start come out of the scan the plain terms need anyway; words are looked
 * at only there.
 */

export interface PatternHit {
  category: number;
  term: PatternTerm;
  start: number;
  /** End of the first part: exclusions are matched around [start, firstEnd). */
  firstEnd: number;
  end: number;
  /** The words around the hit, and the gaps between parts as [from, to) index pairs into them. */
  words: readonly WordSpan[];
  gapRanges: readonly number[];
}

interface AnchorNode {
  children: Map<number, AnchorNode>;
  entries: { category: number; term: PatternTerm }[] | null;
}

interface Request {
  wordStart: number;
  partStart: number;
  category: number;
  term: PatternTerm;
}

export class PatternScanner {
  readonly anchors: readonly string[];
  private readonly root: AnchorNode = { children: new Map(), entries: null };
  /** Words to look at around a candidate: the longest pattern's reach plus negation's margin. */
  private readonly margin: number;
  private readonly stemPrefixes: readonly string[];

  constructor(
    private readonly categories: readonly (readonly PatternTerm[])[],
    private readonly spaced: boolean,
    /** Normalised, longest first. */
    private readonly clitics: readonly string[],
    private readonly morphology: Morphology | null,
    private readonly wordFinder: WordFinder,
    private readonly negation: Negation,
  ) {
    const anchors = new Set<string>();
    let reach = 0;
    categories.forEach((terms, category) => {
      for (const term of terms) {
        anchors.add(term.anchor);
        reach = Math.max(reach, term.parts.length + term.gaps.reduce((sum, gap) => sum + gap, 0));
        let node = this.root;
        for (let index = 0; index < term.anchor.length; index += 1) {
          const code = term.anchor.charCodeAt(index);
          let child = node.children.get(code);
          if (child === undefined) {
            child = { children: new Map(), entries: null };
            node.children.set(code, child);
          }
          node = child;
        }
        node.entries ??= [];
        node.entries.push({ category, term });
      }
    });
    this.anchors = [...anchors];
    this.margin = reach + 1 + negation.margin;
    this.stemPrefixes = [...new Set([...clitics, ...(morphology?.prefixes ?? [])])];
  }

  get empty(): boolean {
    return this.anchors.length === 0;
  }

  /**
   * Pattern hits in `text`, given every place where one of the lexicon's literals starts (anchors
   * among them), and per category the spans of the plain-term candidates ([start, end, ...]).
   */
  scan(text: string, literalPlaces: readonly number[], plainSpans: readonly (readonly number[])[]): PatternHit[] {
    const requests: Request[] = [];
    for (const place of literalPlaces) this.requestsAt(text, place, requests);
    if (requests.length === 0) return [];
    requests.sort((a, b) => a.wordStart - b.wordStart);
    const nextAllowed = new Array<number>(this.categories.length).fill(0);
    const hits: PatternHit[] = [];
    let index = 0;
    while (index < requests.length) {
      const wordStart = requests[index]!.wordStart;
      const best = new Map<number, PatternHit>();
      for (; index < requests.length && requests[index]!.wordStart === wordStart; index += 1) {
        const request = requests[index]!;
        const hit = this.matchAt(text, request);
        if (hit === null) continue;
        if (hit.start < nextAllowed[hit.category]! || insideSpans(hit.start, plainSpans[hit.category] ?? [])) continue;
        const known = best.get(hit.category);
        if (known === undefined || comesBefore(hit, known)) best.set(hit.category, hit);
      }
      for (const [category, hit] of [...best].sort((a, b) => a[0] - b[0])) {
        nextAllowed[category] = hit.firstEnd;
        hits.push(hit);
      }
    }
    return hits;
  }

  /** The requests of the anchors that start at `place`, one per word start they may belong to. */
  private requestsAt(text: string, place: number, into: Request[]): void {
    let node: AnchorNode | undefined = this.root;
    for (let index = place; index < text.length; index += 1) {
      node = node.children.get(text.charCodeAt(index));
      if (node === undefined) return;
      if (node.entries === null) continue;
      for (const { category, term } of node.entries) {
        const first = term.parts[0]!;
        if (this.startsWord(text, place)) into.push({ wordStart: place, partStart: place, category, term });
        const before = first.kind === 'word' ? this.clitics : this.stemPrefixes;
        for (const affix of before) {
          const start = place - affix.length;
          if (start >= 0 && text.startsWith(affix, start) && this.startsWord(text, start)) {
            into.push({ wordStart: start, partStart: first.kind === 'word' ? place : start, category, term });
          }
        }
      }
    }
  }

  private startsWord(text: string, position: number): boolean {
    if (!this.spaced) return this.wordFinder.startsWordAt(position);
    const isWord = wordCodeTable();
    return isWord[text.charCodeAt(position)] === 1 && (position === 0 || isWord[text.charCodeAt(position - 1)] !== 1);
  }

  private endsWord(text: string, position: number): boolean {
    return this.spaced ? wordCodeTable()[text.charCodeAt(position)] !== 1 : this.wordFinder.endsWordAt(position);
  }

  private matchAt(text: string, request: Request): PatternHit | null {
    const { term, wordStart, partStart } = request;
    const words = this.wordFinder.wordsAround(wordStart, wordStart + 1, this.margin);
    const first = term.parts[0]!;
    let end: number;
    if (first.kind === 'word') {
      if (!this.wordPartAt(text, first, partStart)) return null;
      end = partStart + first.literal.length;
    } else {
      const word = words[wordIndexAt(words, wordStart)];
      if (word === undefined || word.start !== wordStart || !this.stemPartIs(text, first, word, true)) return null;
      end = word.end;
    }
    const firstEnd = end;
    const gapRanges: number[] = [];
    for (let part = 1; part < term.parts.length; part += 1) {
      const next = term.parts[part]!;
      // The first word starting at or after the previous part's end (a `*` part may end inside a word).
      let from = wordIndexAt(words, end);
      if (from < words.length && words[from]!.start < end) from += 1;
      let found = -1;
      for (let index = from; index <= from + term.gaps[part - 1]! && index < words.length; index += 1) {
        const word = words[index]!;
        if (index > from && this.negation.isClauseWord(text, words[index - 1]!.start, words[index - 1]!.end)) break;
        if (hasClauseBoundary(text, end, word.start)) break;
        const matches =
          next.kind === 'word' ? this.wordPartAt(text, next, word.start) : this.stemPartIs(text, next, word, false);
        if (matches) {
          found = index;
          break;
        }
      }
      if (found === -1) return null;
      gapRanges.push(from, found);
      const word = words[found]!;
      end = next.kind === 'word' ? word.start + next.literal.length : word.end;
    }
    return { category: request.category, term, start: partStart, firstEnd, end, words, gapRanges };
  }

  private wordPartAt(text: string, part: Extract<PatternPart, { kind: 'word' }>, start: number): boolean {
    return text.startsWith(part.literal, start) && (part.prefix || this.endsWord(text, start + part.literal.length));
  }

  private stemPartIs(
    text: string,
    part: Extract<PatternPart, { kind: 'stem' }>,
    word: WordSpan,
    first: boolean,
  ): boolean {
    const morphology = this.morphology;
    if (morphology === null) return false;
    const written = text.slice(word.start, word.end);
    if (morphology.stem(written) === part.stem) return true;
    if (!first) return false;
    for (const clitic of this.clitics) {
      if (
        written.length > clitic.length &&
        written.startsWith(clitic) &&
        morphology.stem(written.slice(clitic.length)) === part.stem
      ) {
        return true;
      }
    }
    return false;
  }
}

function insideSpans(position: number, spans: readonly number[]): boolean {
  for (let index = 0; index < spans.length; index += 2) {
    if (spans[index]! <= position && position < spans[index + 1]!) return true;
  }
  return false;
}

/** The candidate that wins at one word start: the one ending last, then the earlier term, then the earlier start. */
function comesBefore(a: PatternHit, b: PatternHit): boolean {
  if (a.end !== b.end) return a.end > b.end;
  if (a.term.order !== b.term.order) return a.term.order < b.term.order;
  return a.start < b.start;
}
