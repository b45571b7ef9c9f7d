import { codeUnitAt, wordCodeTable } from './lexicon-characters.js';
import { hasClauseBoundary, type Negation, wordIndexAt } from './lexicon-negation.js';
import { literalPattern, packedArray } from './lexicon-terms.js';
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
 * - Each next part is matched at one of the next gap + 1 words after the previous part's end;
 *   clause punctuation or a clause word before it ends the search. The nearest word is tried first,
 *   and the drop rules (quotation, exclusion, sense, negation: the `judge`) are applied to the whole
 *   hit; when they drop it, the next occurrences of the last parts are tried (backtracking, nearest
 *   first) before the term fails at this start: a term's candidate is its first undropped hit.
 * - Per category, word starts are taken in order; at each, among the candidates that neither start
 *   before the category's resume point nor start inside a plain-term hit of the category, the
 *   undropped one ending last wins (then the earlier term, then the earlier start); the category
 *   resumes after the winner's first part, so words in its gaps stay available. When every
 *   candidate there is dropped, the one that would have won is reported as dropped, and the
 *   category's next hit may start inside it (docs/lexicon-format.md §2).
 *
 * How it stays cheap: one native RegExp over the anchors finds the places where a pattern could
 * start; words are looked at only there, once per text, and only when a first part matched.
 */

/** Why the drop rules of lexicon.ts drop a hit (null: kept). */
export type HitDropReason = 'quotation' | 'exclusion' | 'sense' | 'negation' | 'not-negated';

/** The drop rules, applied to every complete candidate (lexicon.ts's Matcher). */
export interface PatternJudge {
  patternDropReason(text: string, hit: PatternHit): HitDropReason | null;
}

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
  /** Set by `scan`: null for a hit that counts, else why the drop rules dropped it. */
  reason: HitDropReason | null;
}

/** Pattern terms that share their first part: it is matched once for all of them. */
export interface FirstPartGroup {
  first: PatternPart;
  entries: GroupEntry[];
}

interface GroupEntry {
  category: number;
  term: PatternTerm;
  /**
   * Ids (into the scanner's needles) of what the text must hold at or after the first part's end
   * for the further parts to match: each word part's literal, each stem part's anchor.
   */
  needles: readonly number[];
  /**
   * The first of `needles` the word-start walk finds the places of (a word-start needle), or -1.
   * When the walk made the text's requests and that needle was never seen in the text, the entry
   * cannot match: nine in ten entries of a common first word ("stay", "keep", "take") end here.
   */
  presenceNeedle: number;
}

interface AnchorNode {
  children: Map<number, AnchorNode>;
  groups: FirstPartGroup[] | null;
}

export interface PatternRequest {
  wordStart: number;
  partStart: number;
  group: FirstPartGroup;
}

export class PatternScanner {
  readonly anchors: readonly string[];
  private readonly root: AnchorNode = { children: new Map(), groups: null };
  /** Words to look at around the candidates: the longest pattern's reach, or a conditional's. */
  private readonly margin: number;
  // Scratch space of a scan, reused across texts (matching is synchronous).
  private readonly nextAllowed: number[];
  private readonly best: (PatternHit | null)[];
  /** Per category, at the current word start, the winner among candidates the judge dropped. */
  private readonly bestDropped: (PatternHit | null)[];
  /** What `restAt` found: the first hit the judge keeps, else the first one it drops. */
  private kept: PatternHit | null = null;
  /** The categories with a candidate at the current word start (scratch of scanRequests). */
  private readonly touched: number[] = [];
  private firstDropped: PatternHit | null = null;
  /** Literals and anchors of the terms' further parts (see GroupEntry). */
  readonly needles: readonly string[];
  /** Per needle, in the text of the scan numbered needleScan: its first occurrence at or after needleFrom (-1: none). */
  private readonly needleAt: Int32Array;
  private readonly needleFrom: Int32Array;
  private readonly needleScan: Uint32Array;
  private scanNumber = 0;
  /** Finds (global, no `u` flag) every place where an anchor starts. */
  private readonly anchorPattern: RegExp;
  /** Each anchor's first-part groups (the arrays of the anchor trie's nodes). */
  readonly groupsByAnchor = new Map<string, FirstPartGroup[]>();
  /**
   * Whether the matcher's word-start walk (lexicon.ts) makes this scanner's requests: in whitespace
   * scripts, where a request needs an anchor at a word start or right after a clitic or declared
   * prefix that starts one (`stemPrefixes`, walked from their ends).
   */
  readonly inWordStartWalk: boolean;
  /**
   * Whether the walk also finds the needles' places: without clitics and declared prefixes, where
   * every part starts at a word start (after a prefix a stem part's anchor does not).
   */
  readonly needlesInWordStartWalk: boolean;
  /** What may stand before a stem part's anchor in its word: the clitics, then the declared prefixes (normalised). */
  readonly stemPrefixes: readonly string[];
  /**
   * Per needle, 1 when its first code unit is a letter, mark or digit: then every occurrence that
   * can match a part starts at a word start, and the word-start walk sees it (others are searched).
   */
  readonly needleAtWordStarts: Uint8Array;
  /** Per needle, its last word-start place in the text of the walk numbered needleWalkScan. */
  private readonly needleLastPlace: Int32Array;
  private readonly needleWalkScan: Uint32Array;
  /** Whether the current text's requests came from the word-start walk (needle places known). */
  private walked = false;
  /**
   * The walk's request objects, reused from text to text (the first `pooledRequests` are the
   * current text's): a request lives only until `scanRequests` has read it, and a dozen new
   * objects per English text were a share of the matcher's garbage.
   */
  private readonly requestPool: PatternRequest[] = [];
  private pooledRequests = 0;

  constructor(
    categories: readonly (readonly PatternTerm[])[],
    private readonly spaced: boolean,
    /** Normalised, longest first. */
    private readonly clitics: readonly string[],
    private readonly morphology: Morphology | null,
    private readonly wordFinder: WordFinder,
    private readonly negation: Negation,
  ) {
    const anchors = new Set<string>();
    const needleIds = new Map<string, number>();
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
            child = { children: new Map(), groups: null };
            node.children.set(code, child);
          }
          node = child;
        }
        if (node.groups === null) {
          node.groups = [];
          this.groupsByAnchor.set(term.anchor, node.groups);
        }
        const first = term.parts[0]!;
        let group = node.groups.find((known) => samePart(known.first, first));
        if (group === undefined) {
          group = { first, entries: [] };
          node.groups.push(group);
        }
        const needles = term.parts.slice(1).map((part) => {
          const needle = part.kind === 'word' ? part.literal : part.anchor;
          let id = needleIds.get(needle);
          if (id === undefined) {
            id = needleIds.size;
            needleIds.set(needle, id);
          }
          return id;
        });
        group.entries.push({ category, term, needles, presenceNeedle: -1 });
      }
    });
    this.anchors = [...anchors];
    this.needles = [...needleIds.keys()];
    this.needleAt = new Int32Array(this.needles.length);
    this.needleFrom = new Int32Array(this.needles.length);
    this.needleScan = new Uint32Array(this.needles.length);
    this.needleLastPlace = new Int32Array(this.needles.length);
    this.needleWalkScan = new Uint32Array(this.needles.length);
    const isWord = wordCodeTable();
    this.needleAtWordStarts = Uint8Array.from(this.needles, (needle) =>
      needle !== '' && isWord[needle.charCodeAt(0)] === 1 ? 1 : 0,
    );
    for (const groups of this.groupsByAnchor.values()) {
      for (const group of groups) {
        for (const entry of group.entries) {
          entry.presenceNeedle = entry.needles.find((id) => this.needleAtWordStarts[id] === 1) ?? -1;
        }
      }
    }
    this.anchorPattern = literalPattern(this.anchors.filter((anchor) => anchor !== ''));
    // After a first part, its further parts; before a cue in a gap, a conditional's reach.
    this.margin = Math.max(reach + 1, negation.voidMargin);
    this.stemPrefixes = [...new Set([...clitics, ...(morphology?.prefixes ?? [])])];
    this.inWordStartWalk = spaced;
    this.needlesInWordStartWalk = spaced && this.stemPrefixes.length === 0;
    this.nextAllowed = packedArray(categories.length, 0);
    this.best = new Array<PatternHit | null>(categories.length).fill(null);
    this.bestDropped = new Array<PatternHit | null>(categories.length).fill(null);
  }

  get empty(): boolean {
    return this.anchors.length === 0;
  }

  /**
   * Pattern hits in `text`, given per category the spans of the plain-term candidates ([start, end,
   * ...]), for the scripts the matcher's word-start walk does not cover (`inWordStartWalk` false:
   * unspaced scripts, where only the segmenter knows the word starts).
   */
  scan(text: string, plainSpans: readonly (readonly number[])[], judge: PatternJudge): PatternHit[] {
    // The anchors have their own RegExp: in the plain terms' one, every anchor place (common short
    // words among them) went through the plain candidate checks, which tripled their cost.
    const requests: PatternRequest[] = [];
    const anchorPattern = this.anchorPattern;
    anchorPattern.lastIndex = 0;
    let found = anchorPattern.exec(text);
    while (found !== null) {
      this.requestsAt(text, found.index, requests);
      anchorPattern.lastIndex = found.index + 1;
      found = anchorPattern.exec(text);
    }
    if (requests.length === 0) return [];
    this.nextScanNumber();
    this.walked = false;
    requests.sort((a, b) => a.wordStart - b.wordStart);
    return this.scanRequests(text, requests, plainSpans, judge);
  }

  /** Numbers a new text for the needle caches (0 is never used, so a fresh cache is never current). */
  private nextScanNumber(): void {
    this.scanNumber = this.scanNumber === 0xffffffff ? 1 : this.scanNumber + 1;
  }

  /**
   * Starts a text whose requests and needle places the matcher's word-start walk finds
   * (`inWordStartWalk`): through `requestsForGroups` and `needleAt`, then `scanRequests`.
   */
  beginWalk(): void {
    this.nextScanNumber();
    this.walked = this.needlesInWordStartWalk;
    this.pooledRequests = 0;
  }

  /** A request of the walk's current text, from the pool. */
  private walkRequest(wordStart: number, partStart: number, group: FirstPartGroup): PatternRequest {
    let request = this.requestPool[this.pooledRequests];
    if (request === undefined) {
      request = { wordStart, partStart, group };
      this.requestPool.push(request);
    } else {
      request.wordStart = wordStart;
      request.partStart = partStart;
      request.group = group;
    }
    this.pooledRequests += 1;
    return request;
  }

  /**
   * The requests of the first-part groups of an anchor that the walk found at the word start
   * `place` (requestsAt, for a word start in a script without clitics or prefixes).
   */
  requestsForGroups(text: string, place: number, groups: readonly FirstPartGroup[], into: PatternRequest[]): void {
    for (let index = 0; index < groups.length; index += 1) {
      const group = groups[index]!;
      const first = group.first;
      // A word part that does not match at `place` (the anchor "i" at the start of "it") can give
      // no hit from a request there: no request.
      if (first.kind === 'word' && !this.wordPartAt(text, first, place)) continue;
      into.push(this.walkRequest(place, place, group));
    }
  }

  /**
   * The requests of the first-part groups of an anchor that the walk found right after `affix` (one
   * of `stemPrefixes`), which starts the word at `wordStart` (requestsAt's affix requests).
   */
  affixRequestsForGroups(
    text: string,
    wordStart: number,
    affix: string,
    groups: readonly FirstPartGroup[],
    into: PatternRequest[],
  ): void {
    const place = wordStart + affix.length;
    for (let index = 0; index < groups.length; index += 1) {
      const group = groups[index]!;
      const first = group.first;
      if (first.kind === 'word') {
        // A word part may follow a clitic only, and must match where the anchor starts.
        if (!this.clitics.includes(affix) || !this.wordPartAt(text, first, place)) continue;
        into.push(this.walkRequest(wordStart, place, group));
      } else {
        into.push(this.walkRequest(wordStart, wordStart, group));
      }
    }
  }

  /** Records that the needles (ids) occur at the word start `place` (places come in text order). */
  needlesAt(needles: readonly number[], place: number): void {
    const scan = this.scanNumber;
    for (let index = 0; index < needles.length; index += 1) {
      const id = needles[index]!;
      this.needleWalkScan[id] = scan;
      this.needleLastPlace[id] = place;
    }
  }

  /** Pattern hits from the requests of a text (sorted by word start); see `scan`. */
  scanRequests(
    text: string,
    requests: readonly PatternRequest[],
    plainSpans: readonly (readonly number[])[],
    judge: PatternJudge,
  ): PatternHit[] {
    if (requests.length === 0) return [];
    // One stretch of words for every request of the text, found only when a term with several
    // parts passes the cheap checks (segmenting around each request was most of the cost).
    let words: WordSpan[] | null = null;
    const wordsOfText = (): WordSpan[] => {
      words ??= this.wordFinder.wordsAround(
        requests[0]!.wordStart,
        requests[requests.length - 1]!.wordStart + 1,
        this.margin,
      );
      return words;
    };
    const nextAllowed = this.nextAllowed;
    nextAllowed.fill(0);
    const best = this.best;
    const bestDropped = this.bestDropped;
    const hits: PatternHit[] = [];
    // Whether needle places are known from the walk; if so, which needles the text holds at all.
    const walked = this.walked;
    const needleWalkScan = this.needleWalkScan;
    const scanNumber = this.scanNumber;
    let index = 0;
    while (index < requests.length) {
      const wordStart = requests[index]!.wordStart;
      const touched = this.touched;
      // Only when needed: setting an array's length is a call into the runtime, even to its length.
      if (touched.length !== 0) touched.length = 0;
      for (; index < requests.length && requests[index]!.wordStart === wordStart; index += 1) {
        const request = requests[index]!;
        const partStart = request.partStart;
        // Unknown until a term needs it; -1: the first part does not match here.
        let firstEnd = -2;
        for (const entry of request.group.entries) {
          const presenceNeedle = entry.presenceNeedle;
          if (walked && presenceNeedle !== -1 && needleWalkScan[presenceNeedle] !== scanNumber) continue;
          const { category, term, needles } = entry;
          if (partStart < nextAllowed[category]! || insideSpans(partStart, plainSpans[category] ?? [])) continue;
          if (firstEnd === -2) firstEnd = this.firstPartEnd(text, request);
          if (firstEnd === -1) break;
          // A further part can only match where its literal (or anchor) occurs after the first
          // part: most terms of a common first word ("in", "keep") fail here, before the words
          // of the text are found and walked.
          if (!this.needlesAfter(text, needles, firstEnd)) continue;
          if (term.parts.length === 1) {
            const single: PatternHit = {
              category,
              term,
              start: partStart,
              firstEnd,
              end: firstEnd,
              words: NO_WORDS,
              gapRanges: NO_GAPS,
              reason: null,
            };
            single.reason = judge.patternDropReason(text, single);
            this.kept = single.reason === null ? single : null;
            this.firstDropped = single.reason === null ? null : single;
          } else {
            this.restAt(text, category, term, partStart, firstEnd, wordsOfText(), judge);
          }
          const { kept, firstDropped } = this;
          if (kept === null && firstDropped === null) continue;
          if (best[category] === null && bestDropped[category] === null) touched.push(category);
          if (kept !== null) {
            const known = best[category] ?? null;
            if (known === null || comesBefore(kept, known)) best[category] = kept;
          } else if (firstDropped !== null) {
            const known = bestDropped[category] ?? null;
            if (known === null || comesBefore(firstDropped, known)) bestDropped[category] = firstDropped;
          }
        }
      }
      touched.sort((a, b) => a - b);
      for (const category of touched) {
        const hit = best[category] ?? bestDropped[category]!;
        best[category] = null;
        bestDropped[category] = null;
        // A dropped candidate leaves the place to the other terms.
        if (hit.reason === null) nextAllowed[category] = hit.firstEnd;
        hits.push(hit);
      }
    }
    return hits;
  }

  /**
   * Whether every needle occurs in the text at or after `from`. Per text, each needle's occurrence
   * found from an earlier `from` is kept (requests come in text order): it answers a later `from`
   * without a search when it lies at or after it, or when there was none (V8's lastIndexOf, which
   * would answer every `from` at once, is a slow search).
   */
  private needlesAfter(text: string, needles: readonly number[], from: number): boolean {
    for (let index = 0; index < needles.length; index += 1) {
      const id = needles[index]!;
      let found: number;
      if (this.walked && this.needleAtWordStarts[id] === 1) {
        // The walk saw every word start: a part can only match at one at or after `from`, so the
        // needle's last such place answers (an occurrence inside a word cannot match a part).
        if (this.needleWalkScan[id] !== this.scanNumber || this.needleLastPlace[id]! < from) return false;
        continue;
      }
      if (this.needleScan[id] === this.scanNumber && from >= this.needleFrom[id]!) {
        found = this.needleAt[id]!;
        if (found !== -1 && found < from) {
          found = text.indexOf(this.needles[id]!, from);
          this.needleFrom[id] = from;
          this.needleAt[id] = found;
        }
      } else {
        found = text.indexOf(this.needles[id]!, from);
        this.needleScan[id] = this.scanNumber;
        this.needleFrom[id] = from;
        this.needleAt[id] = found;
      }
      if (found === -1) return false;
    }
    return true;
  }

  /** The requests of the anchors that start at `place`, one per word start they may belong to. */
  private requestsAt(text: string, place: number, into: PatternRequest[]): void {
    let node: AnchorNode | undefined = this.root;
    for (let index = place; index < text.length; index += 1) {
      node = node.children.get(text.charCodeAt(index));
      if (node === undefined) return;
      if (node.groups === null) continue;
      const startsWord = this.startsWord(text, place);
      for (const group of node.groups) {
        const first = group.first;
        // A word part that does not match at `place` (the anchor "i" at the start of "it") can
        // give no hit from a request there, with or without a clitic before it: no request.
        if (first.kind === 'word' && !this.wordPartAt(text, first, place)) continue;
        if (startsWord) into.push({ wordStart: place, partStart: place, group });
        const before = first.kind === 'word' ? this.clitics : this.stemPrefixes;
        for (const affix of before) {
          const start = place - affix.length;
          if (start >= 0 && text.startsWith(affix, start) && this.startsWord(text, start)) {
            into.push({ wordStart: start, partStart: first.kind === 'word' ? place : start, group });
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
    return this.spaced ? wordCodeTable()[codeUnitAt(text, position)] !== 1 : this.wordFinder.endsWordAt(position);
  }

  /** Where the request's first part ends, or -1 when it does not match there. */
  private firstPartEnd(text: string, request: PatternRequest): number {
    const { wordStart, partStart } = request;
    const first = request.group.first;
    if (first.kind === 'word') {
      return this.wordPartAt(text, first, partStart) ? partStart + first.literal.length : -1;
    }
    const end = this.wordFinder.wordEndAt(wordStart);
    if (end === -1 || !this.stemPartIs(text, first, { start: wordStart, end })) return -1;
    return end;
  }

  /**
   * The further parts of a term whose first part matched at [start, firstEnd), nearest first with
   * backtracking: sets `kept` to the first complete hit the judge keeps, else `firstDropped` to the
   * first complete hit it drops (both null: the parts do not match).
   */
  private restAt(
    text: string,
    category: number,
    term: PatternTerm,
    start: number,
    firstEnd: number,
    words: readonly WordSpan[],
    judge: PatternJudge,
  ): void {
    this.kept = null;
    this.firstDropped = null;
    const gapRanges = packedArray(2 * (term.parts.length - 1), 0);
    this.partsFrom(text, { category, term, start, firstEnd, end: firstEnd, words, gapRanges, reason: null }, 1, judge);
  }

  /** Matches parts[part..] after `hit.end`; true once a complete hit is kept. */
  private partsFrom(text: string, hit: PatternHit, part: number, judge: PatternJudge): boolean {
    const { term, words } = hit;
    if (part === term.parts.length) {
      // Written out in the order of the other hit literals, not spread: a spread clone has a hidden
      // class of its own, which made every load of a hit's fields polymorphic.
      const complete: PatternHit = {
        category: hit.category,
        term: hit.term,
        start: hit.start,
        firstEnd: hit.firstEnd,
        end: hit.end,
        words: hit.words,
        gapRanges: hit.gapRanges.slice(),
        reason: hit.reason,
      };
      complete.reason = judge.patternDropReason(text, complete);
      if (complete.reason === null) {
        this.kept = complete;
        return true;
      }
      this.firstDropped ??= complete;
      return false;
    }
    const next = term.parts[part]!;
    const end = hit.end;
    const gapRanges = hit.gapRanges as number[];
    // The first word starting at or after the previous part's end (a `*` part may end inside a word).
    let from = wordIndexAt(words, end);
    if (from < words.length && words[from]!.start < end) from += 1;
    for (let index = from; index <= from + term.gaps[part - 1]! && index < words.length; index += 1) {
      const word = words[index]!;
      if (index > from && this.negation.isClauseWord(text, words[index - 1]!.start, words[index - 1]!.end)) break;
      if (hasClauseBoundary(text, end, word.start)) break;
      const matches =
        next.kind === 'word' ? this.wordPartAt(text, next, word.start) : this.stemPartIs(text, next, word);
      if (!matches) continue;
      gapRanges[2 * (part - 1)] = from;
      gapRanges[2 * (part - 1) + 1] = index;
      hit.end = next.kind === 'word' ? word.start + next.literal.length : word.end;
      const done = this.partsFrom(text, hit, part + 1, judge);
      hit.end = end;
      if (done) return true;
    }
    return false;
  }

  private wordPartAt(text: string, part: Extract<PatternPart, { kind: 'word' }>, start: number): boolean {
    return text.startsWith(part.literal, start) && (part.prefix || this.endsWord(text, start + part.literal.length));
  }

  private stemPartIs(text: string, part: Extract<PatternPart, { kind: 'stem' }>, word: WordSpan): boolean {
    const morphology = this.morphology;
    if (morphology === null) return false;
    const written = text.slice(word.start, word.end);
    const anchor = part.anchor;
    if (
      !written.startsWith(anchor) &&
      !this.stemPrefixes.some((affix) => written.startsWith(anchor, affix.length) && written.startsWith(affix))
    ) {
      return false;
    }
    if (morphology.stem(written) === part.stem) return true;
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

const NO_WORDS: readonly WordSpan[] = [];
const NO_GAPS: readonly number[] = [];

function samePart(a: PatternPart, b: PatternPart): boolean {
  if (a.kind === 'word') return b.kind === 'word' && a.literal === b.literal && a.prefix === b.prefix;
  return b.kind === 'stem' && a.stem === b.stem && a.anchor === b.anchor;
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
