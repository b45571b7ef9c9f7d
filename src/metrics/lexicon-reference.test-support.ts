import type { Capabilities, LanguagePack } from '../contracts/index.js';
import { DEFAULT_CONDITIONAL_WINDOW } from './lexicon-negation.js';
import { DEFAULT_MAX_GAP, type PatternTerm, parsePatternTerm } from './lexicon-patterns.js';
import { createMorphology } from './morphology.js';
import { createScriptNormaliser } from './script-normalisation.js';

/**
 * Test support: the lexicon matcher and segmenter exactly as they were before the matcher was
 * rewritten for speed (src/metrics/lexicon.ts and src/metrics/segmentation.ts at commit f10d76b),
 * kept as the reference the differential test (lexicon-differential.test.ts) compares the current
 * implementation with. Only test files import this module; it is excluded from the build.
 *
 * The two files are copied verbatim (biome re-wrapped a few long lines); the only edit is that
 * segmentation.ts is inlined below (its import in lexicon.ts removed), so that later changes to
 * segmentation.ts cannot leak in here. Do not "improve" this file: its value is that it does not
 * change, except that a change of the matching rules goes into both implementations.
 *
 * Rule changes since: the lexicon format v2 (docs/lexicon-format.md) added, stated plainly here
 * over whole-text words: pattern terms (stems `~word`, gaps `...`), negated-only categories
 * (`negatedTerms`), sense blocks, and negation scope (clause words, breakers, conditionals,
 * pseudo-negations, cues inside a pattern's gaps), negation not applying to a register's terms
 * unless declared, backtracking gap patterns, and shorter terms inside a longer candidate that a
 * quotation, exclusion or sense block drops getting their own checks. The term syntax is parsed, and stems computed,
 * by the same shared functions (lexicon-patterns.ts, morphology.ts) as the matcher's.
 */

/**
 * Lexicon matching. Written by hand because it must follow each pack's declared capabilities
 * (segmentation, clitics, negation direction, quotation marks) without branching on a language.
 *
 * Rules (also documented in src/languages/README.md):
 * - text and terms are NFKC-normalised and lower-cased (unless the pack is case-sensitive); match
 *   offsets refer to that normalised text;
 * - a term matches only at a word start, optionally after one of the lexicon's clitic prefixes;
 * - a term ending in `*` may continue into the rest of the word (a stem); otherwise it must end at a
 *   word end; multi-word terms are allowed;
 * - a hit inside an occurrence of one of its category's `exclude` expressions is dropped;
 * - a hit with a negation cue among the `window` words before it (`before` cues), or right after it
 *   inside its own word or among the `window` words after it (`after` cues), is dropped;
 * - text between a pair of quotation marks is reported speech and is not scored.
 */

export interface LexiconMatch {
  category: string;
  /** The lexicon term as written in the pack (with its `*`). */
  term: string;
  /** The matched text (normalised). */
  text: string;
  start: number;
  end: number;
}

export interface LexiconAnalysis {
  words: number;
  counts: Record<string, number>;
  matches: LexiconMatch[];
}

export interface CompiledLexicon {
  readonly language: string;
  readonly version: string;
  readonly categories: readonly string[];
  /** Normalises text the way matching does; offsets of matches refer to this form. */
  normalise(text: string): string;
  match(text: string): LexiconMatch[];
  count(text: string): Record<string, number>;
  analyse(text: string): LexiconAnalysis;
}

interface CompiledTerm {
  term: string;
  literal: string;
  stem: boolean;
}

interface CompiledCategory {
  name: string;
  /** Counted only when negated (a category's negatedTerms). */
  negatedOnly: boolean;
  /** Whether negation drops a hit: not for a register's terms, unless declared (docs/lexicon-format.md §5.7). */
  negationApplies: boolean;
  patterns: PatternTerm[];
  senseBlocks: { terms: string[]; context: { literal: string; prefix: boolean }[]; window: number }[];
  pattern: RegExp;
  /** Terms by literal text, longest first within a literal's alternatives. */
  termsByLiteral: Map<string, CompiledTerm>;
  literalsLongestFirst: string[];
  exclusions: { expression: string; open: boolean }[];
}

interface NegationCue {
  literal: string;
  prefix: boolean;
}

type LexiconPackView = Pick<LanguagePack, 'meta' | 'capabilities' | 'lexicon'>;

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
const MEMO_LIMIT = 100_000;
/** Punctuation that closes a clause: negation does not reach across it. */
const CLAUSE_BOUNDARY = /[.,;:!?。、，；：！？،؛؟।॥]/u;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

export function compileLexicon(pack: LexiconPackView): CompiledLexicon {
  const caseSensitive = pack.capabilities.caseSensitive;
  // The declared script normalisation is shared with the matcher: it is not part of the scan this
  // reference specifies.
  const script = createScriptNormaliser(pack.capabilities);
  const normalise = (text: string): string => {
    // Typographic apostrophes become ASCII ones (same length, so offsets are kept).
    const composed = text.normalize('NFKC').replace(/[’ʼ]/g, "'");
    const cased = caseSensitive ? composed : composed.toLowerCase();
    return script === null ? cased : script(cased);
  };
  const segmenter: Segmenter = createSegmenter(pack.capabilities, pack.meta.tag);
  const spaced = pack.capabilities.segmentation === 'whitespace';
  const clitics = [...new Set(pack.lexicon.cliticPrefixes.map(normalise))].sort((a, b) => b.length - a.length);
  const cliticGroup = clitics.length > 0 ? `(?:${clitics.map(escapeRegex).join('|')})?` : '';

  const morphology = createMorphology(pack.capabilities);
  const maxGap = pack.lexicon.maxGap ?? DEFAULT_MAX_GAP;
  const entries = Object.entries(pack.lexicon.categories);
  // The pack's categories, then a negated-only one for each category with negatedTerms.
  const scanned = [
    ...entries.map(([name, category]) => ({ name, category, terms: category.terms, negatedOnly: false })),
    ...entries
      .filter(([, category]) => (category.negatedTerms ?? []).length > 0)
      .map(([name, category]) => ({ name, category, terms: category.negatedTerms ?? [], negatedOnly: true })),
  ];
  const categories: CompiledCategory[] = scanned.map(({ name, category, terms, negatedOnly }) => {
    const termsByLiteral = new Map<string, CompiledTerm>();
    const patterns: PatternTerm[] = [];
    for (const [order, written] of terms.entries()) {
      const parsed = parsePatternTerm(written, order, normalise, morphology, maxGap);
      if (parsed !== null) patterns.push(parsed);
    }
    for (const term of terms.filter(
      (written) => parsePatternTerm(written, 0, normalise, morphology, maxGap) === null,
    )) {
      const stem = term.endsWith('*');
      const literal = normalise(stem ? term.slice(0, -1) : term).trim();
      if (literal === '') continue;
      const existing = termsByLiteral.get(literal);
      // A stem subsumes the whole-word form of the same literal.
      if (existing === undefined || (stem && !existing.stem)) {
        termsByLiteral.set(literal, { term, literal, stem });
      }
    }
    const literalsLongestFirst = [...termsByLiteral.keys()].sort((a, b) => b.length - a.length);
    const alternation = literalsLongestFirst.map(escapeRegex).join('|');
    // The optional clitic is captured by position: the term starts where group 1 starts.
    const pattern = new RegExp(`${cliticGroup}(${alternation})`, 'gu');
    return {
      name,
      negatedOnly,
      negationApplies:
        negatedOnly || (category.negation ?? (category.registerOf === undefined ? 'applies' : 'ignored')) === 'applies',
      patterns,
      senseBlocks: (category.senseBlocks ?? []).map((block) => ({
        terms: block.terms,
        window: block.window,
        context: block.context
          .map((written) => {
            const prefix = written.endsWith('*');
            return { literal: normalise(prefix ? written.slice(0, -1) : written).trim(), prefix };
          })
          .filter((context) => context.literal !== ''),
      })),
      pattern,
      termsByLiteral,
      literalsLongestFirst,
      exclusions: category.exclude.map((written) => {
        const open = written.endsWith('*');
        return { expression: normalise(open ? written.slice(0, -1) : written).trim(), open };
      }),
    };
  });

  const toCue = (cue: string): NegationCue => {
    const normalised = normalise(cue);
    if (normalised.endsWith('*')) return { literal: normalised.slice(0, -1), prefix: true };
    // An elided form such as French "n'" matches the start of the word it is attached to.
    if (/['’]$/.test(normalised)) return { literal: normalised, prefix: true };
    return { literal: normalised, prefix: false };
  };
  const negationBefore = pack.lexicon.negation.before.map(toCue);
  // Elided cues (French "n'") negate a hit inside their own written word too ("n'expulse").
  const dependentMarkers = (pack.lexicon.negation.dependentClause?.markers ?? []).map(toCue);
  const dependentInfixes = (pack.lexicon.negation.dependentClause?.infixes ?? [])
    .map((infix) => normalise(infix).trim())
    .filter((infix) => infix !== '');
  const elidedCues = pack.lexicon.negation.before.map(normalise).filter((cue) => cue.length > 1 && cue.endsWith("'"));
  const negationAfter = pack.lexicon.negation.after.map(toCue);
  const negationWindow = pack.lexicon.negation.window;
  const clauseWords = (pack.lexicon.negation.clauseWords ?? []).map(toCue);
  const breakers = (pack.lexicon.negation.breakers ?? []).map(toCue);
  const conditionals = (pack.lexicon.negation.conditionals ?? []).map(toCue);
  const volitional = (pack.lexicon.negation.volitional?.verbs ?? []).map(toCue);
  const volitionalCategories = new Set(pack.lexicon.negation.volitional?.categories ?? []);
  const mainClause = (pack.lexicon.negation.mainClause ?? []).map(toCue);
  const verbFirstSubjects = (pack.lexicon.negation.verbFirstConditional?.subjects ?? []).map(toCue);
  const afterWholeWord = new Set((pack.lexicon.negation.afterWholeWord ?? []).map(normalise));
  const conditionalWindow = pack.lexicon.negation.conditionalWindow ?? DEFAULT_CONDITIONAL_WINDOW;
  const pseudo = (pack.lexicon.negation.pseudo ?? []).map((written) => {
    const open = written.endsWith('*');
    return { expression: normalise(open ? written.slice(0, -1) : written).trim(), open };
  });
  const quotePairs = pack.lexicon.quotes.map(([open, close]) => [normalise(open), normalise(close)] as const);
  const toExpression = (written: string) => {
    const open = written.endsWith('*');
    return { expression: normalise(open ? written.slice(0, -1) : written).trim(), open };
  };
  // Quotative pseudo-negations (§5.5): followed directly (after spaces) by a declared verb, a negation.
  const quotativePseudo = new Set(
    (pack.lexicon.negation.quotative?.pseudo ?? []).map((written) => toExpression(written).expression),
  );
  const quotativeVerbs = (pack.lexicon.negation.quotative?.followedBy ?? []).map(toExpression);
  const pseudoConditionals = (pack.lexicon.negation.pseudoConditionals ?? []).map(toExpression);
  const subjects = pack.lexicon.negation.subjects;
  const subjectCues = (subjects?.cues ?? []).map(toExpression);

  const categoryNames = categories.map((category) => category.name);

  function match(text: string): LexiconMatch[] {
    const normalised = normalise(text);
    return keepRegisters(matchNormalised(normalised, null));
  }

  // The register rule of docs/codebook.md, stated plainly: a register's hits need a hit of its base.
  function keepRegisters(matches: LexiconMatch[]): LexiconMatch[] {
    const present = new Set(matches.map((hit) => hit.category));
    return matches.filter((hit) => {
      const base = pack.lexicon.categories[hit.category]?.registerOf;
      return base === undefined || present.has(base);
    });
  }

  function matchNormalised(normalised: string, knownWords: WordSpan[] | null): LexiconMatch[] {
    let words = knownWords;
    const wordsOf = (): WordSpan[] => {
      if (words === null) words = segmenter.words(normalised);
      return words;
    };
    let wordStarts: Set<number> | null = null;
    let wordEnds: Set<number> | null = null;
    const isWordStart = (position: number): boolean => {
      if (spaced) return !isWordCharacter(normalised[position - 1]) && isWordCharacter(normalised[position]);
      if (wordStarts === null) wordStarts = new Set(wordsOf().map((word) => word.start));
      return wordStarts.has(position);
    };
    const isWordEnd = (position: number): boolean => {
      if (spaced) return !isWordCharacter(normalised[position]);
      if (wordEnds === null) wordEnds = new Set(wordsOf().map((word) => word.end));
      return wordEnds.has(position) || position >= normalised.length || !isWordCharacter(normalised[position]);
    };
    const quoted = quotedRanges(normalised, quotePairs);

    const matches: LexiconMatch[] = [];
    for (const category of categories) {
      const excluded = exclusionRanges(normalised, category.exclusions, spaced);
      // The kept plain-term hits: a pattern term does not count again inside one.
      const plainSpans: Range[] = [];
      if (category.literalsLongestFirst.length > 0) {
        const pattern = category.pattern;
        pattern.lastIndex = 0;
        let found = pattern.exec(normalised);
        while (found !== null) {
          const matchStart = found.index;
          const captured = found[1] ?? '';
          const termStart = matchStart + found[0].length - captured.length;
          // The category's terms here, longest first, then (what looked like a clitic may be the
          // term's own first letters) those at the match start. The first that no rule drops is the
          // hit: a dropped longer term does not hide the shorter ones inside it.
          const options: { term: CompiledTerm; start: number }[] = [];
          if (isWordStart(matchStart)) {
            for (const term of acceptAll(category, normalised, termStart, isWordEnd))
              options.push({ term, start: termStart });
            if (termStart !== matchStart) {
              for (const term of acceptAll(category, normalised, matchStart, isWordEnd)) {
                options.push({ term, start: matchStart });
              }
            }
          }
          let kept: LexiconMatch | null = null;
          for (const { term, start } of options) {
            const hit: LexiconMatch = {
              category: category.name,
              term: term.term,
              text: normalised.slice(start, start + term.literal.length),
              start,
              end: start + term.literal.length,
            };
            if (insideAny(hit, quoted) || insideAny(hit, excluded)) continue;
            if (senseBlocked(normalised, category, hit.term, hit, wordsOf())) continue;
            const refusal = category.negatedOnly || !volitionalCategories.has(category.name);
            const negated = category.negationApplies && isNegated(normalised, hit, wordsOf(), refusal);
            if (negated !== category.negatedOnly) continue;
            kept = hit;
            break;
          }
          if (kept !== null) {
            plainSpans.push({ start: kept.start, end: kept.end });
            matches.push(kept);
            pattern.lastIndex = kept.end;
          } else {
            pattern.lastIndex = matchStart + 1;
          }
          found = pattern.exec(normalised);
        }
      }
      if (category.patterns.length > 0) {
        // The drop rules of a complete pattern candidate; null: it counts.
        const judge = (hit: ReferencePatternHit): Reason | null => {
          const span = { start: hit.start, end: hit.end };
          if (insideAny(span, quoted)) return 'quotation';
          if (excluded.some((range) => range.start <= hit.start && hit.firstEnd <= range.end)) return 'exclusion';
          if (senseBlocked(normalised, category, hit.term.term, span, wordsOf())) return 'sense';
          const negated =
            category.negationApplies &&
            (isNegated(normalised, span, wordsOf(), category.negatedOnly || !volitionalCategories.has(category.name)) ||
              gapNegated(normalised, hit, wordsOf()));
          if (negated === category.negatedOnly) return null;
          return negated ? 'negation' : 'not-negated';
        };
        for (const hit of patternHits(normalised, category, plainSpans, wordsOf(), isWordStart, isWordEnd, judge)) {
          matches.push({
            category: category.name,
            term: hit.term.term,
            text: normalised.slice(hit.start, hit.end),
            start: hit.start,
            end: hit.end,
          });
        }
      }
    }
    matches.sort(
      (a, b) =>
        a.start - b.start ||
        (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) ||
        a.end - b.end ||
        (a.term < b.term ? -1 : a.term > b.term ? 1 : 0),
    );
    return matches;
  }

  /**
   * Pattern terms of one category (docs/lexicon-format.md §2-4), over every word start in order:
   * the candidates of every pattern term there (a word part at the word start or after a clitic; a
   * stem part as the whole word, if it begins with the anchor directly or after one clitic or
   * declared prefix); those starting before the category's resume point or inside a plain-term
   * candidate are skipped. A term's candidate at a place is its first complete occurrence, in the
   * order nearest first (backtracking over the further parts), that the drop rules keep. The kept
   * candidate ending last wins (then the earlier term, then the earlier start), and the category
   * resumes after the winner's first part; with none kept, the next word start is tried.
   */
  function patternHits(
    text: string,
    category: CompiledCategory,
    plainSpans: readonly Range[],
    words: readonly WordSpan[],
    isWordStart: (position: number) => boolean,
    isWordEnd: (position: number) => boolean,
    judge: (hit: ReferencePatternHit) => Reason | null,
  ): ReferencePatternHit[] {
    const hits: ReferencePatternHit[] = [];
    let nextAllowed = 0;
    const stemPrefixes = [...new Set([...clitics, ...(morphology?.prefixes ?? [])])];
    for (let wordStart = 0; wordStart < text.length; wordStart += 1) {
      if (!isWordStart(wordStart)) continue;
      const candidates: { hit: ReferencePatternHit; reason: Reason | null }[] = [];
      // A term's first kept occurrence, else its first dropped one.
      const candidateOf = (occurrences: readonly ReferencePatternHit[]): void => {
        const judged = occurrences.map((hit) => ({ hit, reason: judge(hit) }));
        const chosen = judged.find((candidate) => candidate.reason === null) ?? judged[0];
        if (chosen !== undefined) candidates.push(chosen);
      };
      for (const term of category.patterns) {
        const first = term.parts[0]!;
        if (first.kind === 'word') {
          const starts = [
            wordStart,
            ...clitics
              .filter((clitic) => text.startsWith(clitic, wordStart))
              .map((clitic) => wordStart + clitic.length),
          ];
          for (const partStart of starts) candidateOf(matchPattern(text, term, wordStart, partStart, words, isWordEnd));
        } else {
          const anchored =
            text.startsWith(first.anchor, wordStart) ||
            stemPrefixes.some(
              (affix) => text.startsWith(affix, wordStart) && text.startsWith(first.anchor, wordStart + affix.length),
            );
          if (!anchored) continue;
          candidateOf(matchPattern(text, term, wordStart, wordStart, words, isWordEnd));
        }
      }
      const eligible = candidates.filter(
        ({ hit }) =>
          hit.start >= nextAllowed && !plainSpans.some((span) => span.start <= hit.start && hit.start < span.end),
      );
      const order = (a: { hit: ReferencePatternHit }, b: { hit: ReferencePatternHit }) =>
        b.hit.end - a.hit.end || a.hit.term.order - b.hit.term.order || a.hit.start - b.hit.start;
      const kept = eligible.filter((candidate) => candidate.reason === null).sort(order)[0];
      if (kept !== undefined) {
        hits.push(kept.hit);
        nextAllowed = kept.hit.firstEnd;
      }
    }
    return hits;
  }

  /** Every complete occurrence of the term with its first part at partStart, nearest parts first. */
  function matchPattern(
    text: string,
    term: PatternTerm,
    wordStart: number,
    partStart: number,
    words: readonly WordSpan[],
    isWordEnd: (position: number) => boolean,
  ): ReferencePatternHit[] {
    const first = term.parts[0]!;
    let firstEnd: number;
    if (first.kind === 'word') {
      if (!text.startsWith(first.literal, partStart)) return [];
      if (!first.prefix && !isWordEnd(partStart + first.literal.length)) return [];
      firstEnd = partStart + first.literal.length;
    } else {
      const word = words.find((candidate) => candidate.start === wordStart);
      if (word === undefined || !stemWordMatches(text.slice(word.start, word.end), first)) return [];
      firstEnd = word.end;
    }
    const occurrences: ReferencePatternHit[] = [];
    const extend = (part: number, end: number, gaps: { from: number; to: number }[]): void => {
      if (part === term.parts.length) {
        occurrences.push({ term, start: partStart, firstEnd, end, gaps });
        return;
      }
      const next = term.parts[part]!;
      const from = words.findIndex((word) => word.start >= end);
      if (from === -1) return;
      for (let index = from; index <= from + term.gaps[part - 1]! && index < words.length; index += 1) {
        const word = words[index]!;
        const previous = words[index - 1];
        if (index > from && previous !== undefined && cueMatches(clauseWords, text.slice(previous.start, previous.end)))
          break;
        if (CLAUSE_BOUNDARY.test(text.slice(end, word.start))) break;
        const matches =
          next.kind === 'word'
            ? text.startsWith(next.literal, word.start) && (next.prefix || isWordEnd(word.start + next.literal.length))
            : stemWordMatches(text.slice(word.start, word.end), next);
        if (!matches) continue;
        const partEnd = next.kind === 'word' ? word.start + next.literal.length : word.end;
        extend(part + 1, partEnd, [...gaps, { from, to: index }]);
      }
    };
    extend(1, firstEnd, []);
    return occurrences;
  }

  /**
   * A `~word` part and a text word: the word begins with the part's anchor (directly or after one
   * clitic or declared prefix), and its stem, or the stem of what follows a leading clitic, is the
   * part's stem.
   */
  function stemWordMatches(written: string, part: { stem: string; anchor: string }): boolean {
    if (morphology === null) return false;
    const affixes = [...clitics, ...morphology.prefixes];
    const anchored =
      written.startsWith(part.anchor) ||
      affixes.some((affix) => written.startsWith(affix) && written.startsWith(part.anchor, affix.length));
    if (!anchored) return false;
    const stems = [
      morphology.stem(written),
      ...clitics
        .filter((clitic) => written.length > clitic.length && written.startsWith(clitic))
        .map((clitic) => morphology.stem(written.slice(clitic.length))),
    ];
    return stems.includes(part.stem);
  }

  /**
   * The declared dependent clause (docs/lexicon-format.md §5.2): the punctuation passed is commas
   * only, and a marker word stands between it and the hit, or an infix lies inside the hit's first
   * word (not at its start or end).
   */
  function entersDependentClause(
    text: string,
    words: readonly WordSpan[],
    punctuation: string,
    firstWord: number,
    hitWord: number,
  ): boolean {
    if (dependentMarkers.length === 0 && dependentInfixes.length === 0) return false;
    if (/[.;:!?。；：！？؛؟।॥]/u.test(punctuation)) return false;
    const marked = words
      .slice(firstWord, hitWord)
      .some((word) => cueMatches(dependentMarkers, text.slice(word.start, word.end)));
    const hitWordText = words[hitWord] === undefined ? '' : text.slice(words[hitWord]!.start, words[hitWord]!.end);
    const infixed = dependentInfixes.some((infix) => hitWordText.slice(1, -1).includes(infix));
    return marked || infixed;
  }

  /** A cue (either list) among the words of the pattern hit's gaps negates it, unless void. */
  function gapNegated(text: string, hit: ReferencePatternHit, words: readonly WordSpan[]): boolean {
    if (negationWindow === 0 || (negationBefore.length === 0 && negationAfter.length === 0)) return false;
    for (const { from, to } of hit.gaps) {
      for (let index = from; index < to; index += 1) {
        const word = words[index]!;
        const token = text.slice(word.start, word.end);
        const cue = cueMatches(negationBefore, token) || negationAfter.some((after) => token.startsWith(after.literal));
        if (cue && !isVoidCue(text, words, index, word.start)) return true;
      }
    }
    return false;
  }

  /** Sense blocks (docs/lexicon-format.md §6): a context of one of the term's blocks within reach. */
  function senseBlocked(
    text: string,
    category: CompiledCategory,
    term: string,
    hit: Range,
    words: readonly WordSpan[],
  ): boolean {
    const blocks = category.senseBlocks.filter((block) => block.terms.includes(term));
    if (blocks.length === 0 || words.length === 0) return false;
    const first = wordIndexAt(words, hit.start);
    const last = Math.min(words.length - 1, wordIndexAt(words, Math.max(hit.start, hit.end - 1)));
    // Only the hit's own sentence: a sentence end between two words closes it.
    const sentenceEndBetween = (index: number) =>
      /[.!?。！？؟।॥]/u.test(text.slice(words[index]!.end, words[index + 1]!.start));
    for (const block of blocks) {
      let low = Math.max(0, first - block.window);
      let high = Math.min(words.length - 1, last + block.window);
      for (let index = first - 1; index >= low; index -= 1) {
        if (sentenceEndBetween(index)) {
          low = index + 1;
          break;
        }
      }
      for (let index = last; index < high; index += 1) {
        if (sentenceEndBetween(index)) {
          high = index;
          break;
        }
      }
      if (low > high) continue;
      if (!spaced) {
        const stretch = text.slice(words[low]!.start, words[high]!.end);
        if (block.context.some((context) => stretch.includes(context.literal))) return true;
        continue;
      }
      for (let index = low; index <= high; index += 1) {
        const start = words[index]!.start;
        for (const context of block.context) {
          if (!text.startsWith(context.literal, start)) continue;
          if (context.prefix || !isWordCharacter(text[start + context.literal.length])) return true;
        }
      }
    }
    return false;
  }

  /**
   * A cue that does not negate: inside a pseudo-negation occurrence, or with a conditional word
   * before it in its clause within conditionalWindow words.
   */
  function isVoidCue(text: string, words: readonly WordSpan[], cueWord: number, cuePosition: number): boolean {
    for (const range of exclusionRanges(text, pseudo, spaced)) {
      const expression = text.slice(range.start, range.end);
      if (quotativePseudo.has(expression) && quotativeVerbFollows(text, range.end)) continue;
      if (range.start <= cuePosition && cuePosition < range.end) return true;
    }
    if (conditionals.length === 0) return inVerbFirstConditional(text, words, cueWord, cuePosition);
    for (let index = cueWord - 1; index >= Math.max(0, cueWord - conditionalWindow); index -= 1) {
      const word = words[index];
      if (word === undefined) break;
      const following = words[index + 1]?.start ?? cuePosition;
      if (CLAUSE_BOUNDARY.test(text.slice(word.end, Math.min(following, cuePosition)))) break;
      const token = text.slice(word.start, word.end);
      if (cueMatches(clauseWords, token)) break;
      if (cueMatches(conditionals, token)) {
        const pseudoConditional = exclusionRanges(text, pseudoConditionals, spaced).some(
          (range) => range.start <= word.start && word.start < range.end,
        );
        if (pseudoConditional) continue;
        // The main clause started between the condition and the cue: the condition ends before it.
        const mainClauseStarted = words
          .slice(index + 2, cueWord)
          .some((later) => cueMatches(mainClause, text.slice(later.start, later.end)));
        return !mainClauseStarted;
      }
    }
    return inVerbFirstConditional(text, words, cueWord, cuePosition);
  }

  /**
   * A cue in a verb-first conditional: the sentence opens (only quotes, dashes or spaces after a
   * sentence end, a colon or semicolon, or the text start) within conditionalWindow words before the cue, with no clause
   * punctuation or clause word between; its second word is a declared subject, before the cue; no
   * main-clause word after the subject before the cue; at least two words follow the cue's word in
   * a sentence that is no question or exclamation.
   */
  function inVerbFirstConditional(
    text: string,
    words: readonly WordSpan[],
    cueWord: number,
    cuePosition: number,
  ): boolean {
    if (verbFirstSubjects.length === 0) return false;
    for (let index = cueWord - 1; index >= Math.max(0, cueWord - conditionalWindow); index -= 1) {
      const word = words[index]!;
      const following = words[index + 1]?.start ?? cuePosition;
      if (CLAUSE_BOUNDARY.test(text.slice(word.end, Math.min(following, cuePosition)))) return false;
      if (cueMatches(clauseWords, text.slice(word.start, word.end))) return false;
      const before = text.slice(0, word.start).replace(/[^\p{L}\p{M}\p{N}.,;:!?。、，；：！？،؛؟।॥]+$/u, '');
      if (before !== '' && !/[.!?。！？؟।॥:;：；]$/u.test(before)) continue;
      const subject = words[index + 1]!;
      if (index + 1 >= cueWord || !cueMatches(verbFirstSubjects, text.slice(subject.start, subject.end))) return false;
      const mainClauseStarted = words
        .slice(index + 2, cueWord)
        .some((later) => cueMatches(mainClause, text.slice(later.start, later.end)));
      if (mainClauseStarted) return false;
      const after = text.slice(words[cueWord]?.end ?? cuePosition);
      const sentenceEnd = after.search(/[.!?。！？؟।॥]/u);
      if (sentenceEnd !== -1 && /[!?！？؟]/u.test(after[sentenceEnd]!)) return false;
      const rest = sentenceEnd === -1 ? after : after.slice(0, sentenceEnd);
      return rest.split(/[\s,;:、，；：،؛]+/u).filter((part) => part !== '').length >= 2;
    }
    return false;
  }

  /** Whether a declared quotative verb starts at `end`, after spaces only. */
  function quotativeVerbFollows(text: string, end: number): boolean {
    const next = end + (text.slice(end).length - text.slice(end).trimStart().length);
    return exclusionRanges(text, quotativeVerbs, spaced).some((range) => range.start === next);
  }

  /**
   * A negative subject (§5.8): within `window` words of the hit, not counting one insertion of at
   * most `insertion` words enclosed in commas right after the subject; no other clause punctuation,
   * clause word or breaker between; not void.
   */
  function negatedBySubject(text: string, hit: Range, words: readonly WordSpan[]): boolean {
    if (subjects === undefined) return false;
    const hitWord = wordIndexAt(words, hit.start);
    for (const range of exclusionRanges(text, subjectCues, spaced)) {
      if (range.end > hit.start) continue;
      const lastWord = wordIndexAt(words, range.end - 1);
      if (lastWord >= hitWord) continue;
      // The text between the subject and the hit, cut at its words.
      const between: { gap: string; word: WordSpan | null }[] = [];
      for (let index = lastWord + 1; index <= hitWord; index += 1) {
        const gapStart = index === lastWord + 1 ? range.end : words[index - 1]!.end;
        const gapEnd = index === hitWord ? hit.start : words[index]!.start;
        between.push({
          gap: text.slice(gapStart, Math.max(gapStart, gapEnd)),
          word: index === hitWord ? null : words[index]!,
        });
      }
      const commaGaps = between.flatMap((part, index) => (CLAUSE_BOUNDARY.test(part.gap) ? [index] : []));
      const oneComma = (gap: string) =>
        [...gap]
          .filter((character) => CLAUSE_BOUNDARY.test(character))
          .join('')
          .match(/^[,，、،]$/) !== null;
      let insideInsertion = (_index: number) => false;
      if (commaGaps.length === 2) {
        const [open, close] = commaGaps as [number, number];
        if (open !== 0 || close - open > subjects.insertion) continue;
        if (!oneComma(between[open]!.gap) || !oneComma(between[close]!.gap)) continue;
        insideInsertion = (index) => index >= open && index < close;
      } else if (commaGaps.length !== 0) {
        continue;
      }
      const scope = between.filter((part, index) => part.word !== null && !insideInsertion(index));
      if (scope.length >= subjects.window) continue;
      const blocked = scope.some(({ word }) => {
        const token = text.slice(word!.start, word!.end);
        return cueMatches(clauseWords, token) || cueMatches(breakers, token);
      });
      if (blocked) continue;
      if (!isVoidCue(text, words, wordIndexAt(words, range.start), range.start)) return true;
    }
    return false;
  }

  /** The longest term of the category that starts at `start` and satisfies its end rule. */
  /** The category's terms at `start` that satisfy their end rule, longest first. */
  function acceptAll(
    category: CompiledCategory,
    text: string,
    start: number,
    isWordEnd: (position: number) => boolean,
  ): CompiledTerm[] {
    const accepted: CompiledTerm[] = [];
    for (const literal of category.literalsLongestFirst) {
      if (!text.startsWith(literal, start)) continue;
      const term = category.termsByLiteral.get(literal);
      if (term === undefined) continue;
      if (term.stem || isWordEnd(start + literal.length)) accepted.push(term);
    }
    return accepted;
  }

  /** `refusal`: a verb of wanting does not take the cue for itself (negatedTerms, or a category not declared). */
  function isNegated(text: string, hit: Range, words: readonly WordSpan[], refusal: boolean): boolean {
    const noCues = negationBefore.length === 0 && negationAfter.length === 0 && subjects === undefined;
    if (negationWindow === 0 || noCues) return false;
    const hitWord = wordIndexAt(words, hit.start);
    if (negationBefore.length > 0) {
      // An elided cue ("n'") that starts the hit's own word, then only clitics up to the hit.
      const ownWord = words[hitWord];
      if (ownWord !== undefined && ownWord.start < hit.start) {
        const before = text.slice(ownWord.start, hit.start);
        const elidedHere = elidedCues.some(
          (cue) => before.startsWith(cue) && onlyClitics(before.slice(cue.length), clitics),
        );
        if (elidedHere && !isVoidCue(text, words, hitWord, ownWord.start)) return true;
      }
      // Walk back from the hit; a clause boundary ends the negation's scope ("No, I protect him").
      for (let index = hitWord - 1; index >= Math.max(0, hitWord - negationWindow); index -= 1) {
        const word = words[index];
        if (word === undefined) break;
        const following = words[index + 1]?.start ?? hit.start;
        const between = text.slice(word.end, Math.min(following, hit.start));
        if (CLAUSE_BOUNDARY.test(between) && !entersDependentClause(text, words, between, index + 1, hitWord)) break;
        const token = text.slice(word.start, word.end);
        if (cueMatches(clauseWords, token)) break;
        if (cueMatches(negationBefore, token) && !isVoidCue(text, words, index, word.start)) {
          // A cue right after a verb of wanting, in the same clause, is that verb's ("will nicht").
          const previous = words[index - 1];
          const afterVolitional =
            previous !== undefined &&
            !CLAUSE_BOUNDARY.test(text.slice(previous.end, word.start)) &&
            cueMatches(volitional, text.slice(previous.start, previous.end));
          if (!refusal && afterVolitional) break;
          return true;
        }
        if (cueMatches(breakers, token)) break;
        if (!refusal && cueMatches(volitional, token)) break;
      }
    }
    if (negatedBySubject(text, hit, words)) return true;
    if (negationAfter.length > 0) {
      // Counted from the hit's LAST word, so a multi-word term that contains a negation itself
      // (Japanese 見捨てない, "never abandon") does not cancel itself.
      const lastWord = wordIndexAt(words, hit.end - 1);
      // The rest of the hit's last word (e.g. a Japanese verb ending), then the next words.
      const ownWord = words[lastWord];
      if (ownWord !== undefined && ownWord.start < hit.end && ownWord.end > hit.end) {
        const rest = text.slice(hit.end, ownWord.end);
        for (const cue of negationAfter) {
          for (
            let at = rest.indexOf(cue.literal);
            at !== -1;
            at = cue.literal === '' ? -1 : rest.indexOf(cue.literal, at + 1)
          ) {
            if (!isVoidCue(text, words, lastWord, hit.end + at)) return true;
          }
        }
      }
      const firstAfter = ownWord !== undefined && ownWord.start < hit.end ? lastWord + 1 : lastWord;
      for (let index = firstAfter; index < Math.min(words.length, firstAfter + negationWindow); index += 1) {
        const word = words[index];
        if (word === undefined) continue;
        const previousEnd = index === firstAfter ? hit.end : (words[index - 1]?.end ?? hit.end);
        if (CLAUSE_BOUNDARY.test(text.slice(previousEnd, word.start))) break;
        const token = text.slice(word.start, word.end);
        if (cueMatches(clauseWords, token)) break;
        const afterCue = negationAfter.some(
          (cue) => token.startsWith(cue.literal) && (!afterWholeWord.has(cue.literal) || token === cue.literal),
        );
        if (afterCue && !isVoidCue(text, words, index, word.start)) {
          return true;
        }
        if (cueMatches(breakers, token)) break;
        if (!refusal && cueMatches(volitional, token)) break;
      }
    }
    return false;
  }

  // Agent texts repeat (surrogate phrases, formulaic model answers) and ICU segmentation is the
  // expensive part, so analyses are memoised per text; results are frozen and shared.
  const memo = new Map<string, LexiconAnalysis>();
  function analyse(text: string): LexiconAnalysis {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const normalised = normalise(text);
    const words = segmenter.words(normalised);
    const matches = keepRegisters(matchNormalised(normalised, words));
    const analysis: LexiconAnalysis = Object.freeze({
      words: words.length,
      counts: Object.freeze(countMatches(matches)),
      matches: Object.freeze(matches) as LexiconMatch[],
    });
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, analysis);
    return analysis;
  }

  function countMatches(matches: readonly LexiconMatch[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const name of categoryNames) counts[name] = 0;
    for (const hit of matches) counts[hit.category] = (counts[hit.category] ?? 0) + 1;
    return counts;
  }

  return {
    language: pack.meta.tag,
    version: pack.lexicon.version,
    categories: categoryNames,
    normalise,
    match,
    count: (text) => analyse(text).counts,
    analyse,
  };
}

function cueMatches(cues: readonly NegationCue[], word: string): boolean {
  return cues.some((cue) => (cue.prefix ? word.startsWith(cue.literal) : word === cue.literal));
}

/** Index of the word containing `position`, or of the first word after it. */
function wordIndexAt(words: readonly WordSpan[], position: number): number {
  let low = 0;
  let high = words.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const word = words[middle]!;
    if (position < word.start) high = middle - 1;
    else if (position >= word.end) low = middle + 1;
    else return middle;
  }
  return low;
}

interface Range {
  start: number;
  end: number;
}

/** Why a candidate does not count. */
type Reason = 'quotation' | 'exclusion' | 'sense' | 'negation' | 'not-negated';

interface ReferencePatternHit {
  term: PatternTerm;
  start: number;
  firstEnd: number;
  end: number;
  /** Word indices [from, to) of each gap. */
  gaps: { from: number; to: number }[];
}

/** Whether `rest` is a (possibly empty) sequence of the clitic prefixes. */
function onlyClitics(rest: string, clitics: readonly string[]): boolean {
  if (rest === '') return true;
  return clitics.some((clitic) => rest.startsWith(clitic) && onlyClitics(rest.slice(clitic.length), clitics));
}

function insideAny(hit: Range, ranges: readonly Range[]): boolean {
  return ranges.some((range) => hit.start >= range.start && hit.end <= range.end);
}

function quotedRanges(text: string, pairs: readonly (readonly [string, string])[]): Range[] {
  const ranges: Range[] = [];
  const trimmed = text.trim();
  for (const [open, close] of pairs) {
    // A pair that encloses the whole utterance is the speaker's own voice, not reported speech.
    if (
      trimmed.startsWith(open) &&
      trimmed.endsWith(close) &&
      trimmed.indexOf(close, open.length) === trimmed.length - close.length
    ) {
      continue;
    }
    let from = text.indexOf(open);
    while (from !== -1) {
      const closing = text.indexOf(close, from + open.length);
      if (closing === -1) break;
      ranges.push({ start: from, end: closing + close.length });
      from = text.indexOf(open, closing + close.length);
    }
  }
  return ranges;
}

// Exclusions are matched as terms in whitespace scripts (word start to word end, or open at the
// end when written with `*`), as substrings in unspaced scripts.
function exclusionRanges(
  text: string,
  expressions: readonly { expression: string; open: boolean }[],
  spaced: boolean,
): Range[] {
  const ranges: Range[] = [];
  for (const { expression, open } of expressions) {
    if (expression === '') continue;
    let from = text.indexOf(expression);
    while (from !== -1) {
      const end = from + expression.length;
      const bounded = !spaced || (!isWordCharacter(text[from - 1]) && (open || !isWordCharacter(text[end])));
      if (bounded) ranges.push({ start: from, end });
      from = text.indexOf(expression, from + 1);
    }
  }
  return ranges;
}

// ---- src/metrics/segmentation.ts at commit f10d76b (verbatim, its import of contracts kept above) ----

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
