import type { LanguagePack } from '../contracts/index.js';
import { lexiconHash } from '../languages/index.js';
import { codeUnitAt, spacedCutCodeTable, wordCodeTable } from './lexicon-characters.js';
import { Negation } from './lexicon-negation.js';
import {
  buildTermTrie,
  type CompiledTerm,
  createLiteralsFound,
  packedArray,
  hasCategory,
  type LiteralsFound,
  type TermNode,
  type TermTrie,
} from './lexicon-terms.js';
import {
  type FirstPartGroup,
  type HitDropReason,
  type PatternHit,
  type PatternJudge,
  type PatternRequest,
  PatternScanner,
} from './lexicon-pattern-scan.js';
import { DEFAULT_MAX_GAP, isPatternTerm, type PatternTerm, parsePatternTerm } from './lexicon-patterns.js';
import { SenseBlocks } from './lexicon-senses.js';
import { WordStartAutomaton } from './lexicon-word-starts.js';
import { createWordFinder, type WordFinder } from './lexicon-words.js';
import { createMorphology } from './morphology.js';
import { createScriptNormaliser } from './script-normalisation.js';

/**
 * Lexicon matching. Written by hand because it must follow each pack's declared capabilities
 * (segmentation, clitics, negation direction, quotation marks) without branching on a language.
 *
 * Rules (also documented in src/languages/README.md):
 * - text and terms are NFKC-normalised, typographic apostrophes (’ ʼ) become ASCII ones, both are
 *   lower-cased (unless the pack is case-sensitive), then the pack's declared script normalisation
 *   removes and folds characters (script-normalisation.ts); match offsets refer to that normalised
 *   text;
 * - a term matches only at a word start, optionally after one of the lexicon's clitic prefixes;
 * - a term ending in `*` may continue into the rest of the word (a stem); otherwise it must end at a
 *   word end; multi-word terms are allowed; within a category the longest term at a place wins,
 *   and the category's next hit starts after this one ends; a candidate that a rule below drops
 *   gives way to the shorter terms at its place and to those starting inside it, each checked on
 *   its own;
 * - a hit inside an occurrence of one of its category's `exclude` expressions is dropped; in
 *   whitespace scripts an exclusion is matched as a term (word start to word end; a final `*` lets
 *   it continue into its last word), in unspaced scripts as a substring;
 * - a hit with a negation cue among the `window` words before its first word (`before` cues), or
 *   right after it inside its own last word or among the `window` words after that (`after` cues),
 *   is dropped; clause punctuation between the cue and the hit ends the negation's reach;
 * - text between a pair of quotation marks is reported speech and is not scored, except a pair that
 *   encloses the whole text (the speaker's own voice);
 * - a category declared `registerOf` another counts only in a text with a hit of that other
 *   category (conformity and individuation are registers of protective speech: docs/codebook.md);
 *   negation does not drop a register's hits unless its category declares `"negation": "applies"`.
 *
 * How it stays fast (bench/README.md: >= 20 MB/s on one core). In whitespace scripts one walk visits the
 * word starts, the only places a term can start, and one automaton over every category's literals,
 * the pattern terms' anchors and the literals of their further parts (lexicon-word-starts.ts) yields
 * there at once the literals of all categories (the rules above are then applied per category), the
 * pattern requests and the places of those further parts; unspaced scripts walk it at every place
 * whose first character starts a literal. Exclusions are checked only at a hit, against the precomputed places of its
 * literal inside each exclusion. Negation looks at words only when a cue occurs in the hit's
 * clause (lexicon-negation.ts), and words are segmented only around candidates and such hits
 * (lexicon-words.ts), which matters most for unspaced scripts, where ICU segmentation is the
 * expensive part. The matcher this replaced (a RegExp scan per category, a search per exclusion,
 * whole-text segmentation) is kept in lexicon-reference.test-support.ts as the specification:
 * lexicon-differential.test.ts checks that both give identical matches and word counts.
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

/** Which rule of docs/lexicon-format.md made a hit: a plain term, a stem term, a gap pattern, a negated harmful act. */
export type LexiconRule = 'term' | 'stem' | 'pattern' | 'negated-harm';

/** Why a candidate hit did not count. */
export type LexiconDropReason = 'quotation' | 'exclusion' | 'sense' | 'negation' | 'not-negated' | 'register';

export interface LexiconExplanation {
  /** The hits `match` returns, each with the rule that made it. */
  matches: (LexiconMatch & { rule: LexiconRule })[];
  /** Candidate hits that were dropped, with the rule that found them and the reason they were dropped. */
  dropped: (LexiconMatch & { rule: LexiconRule; reason: LexiconDropReason })[];
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
  /** The matches with their rules, and the dropped candidates with their reasons (for debugging a lexicon). */
  explain(text: string): LexiconExplanation;
}

type LexiconPackView = Pick<LanguagePack, 'meta' | 'capabilities' | 'lexicon'>;

const MEMO_LIMIT = 100_000;

/**
 * Compiled lexicons by the content they are compiled from (`lexiconHash`: the lexicon and the
 * capabilities): one process compiles a pack once (20-180 ms each; hashing it costs a few), though
 * the score stage, the parity table and the validation figures each ask for it. Keyed by content,
 * not by object, so a pack changed in place (tests do) is compiled again. Bounded: a process that
 * compiles many variants (the tests) starts over rather than growing.
 */
const compiledLexicons = new Map<string, CompiledLexicon>();
const COMPILED_LEXICONS_LIMIT = 64;

export function compileLexicon(pack: LexiconPackView): CompiledLexicon {
  const key = `${pack.meta.tag}\n${lexiconHash(pack)}`;
  const known = compiledLexicons.get(key);
  if (known !== undefined) return known;
  const compiled = compileLexiconOnce(pack);
  if (compiledLexicons.size >= COMPILED_LEXICONS_LIMIT) compiledLexicons.clear();
  compiledLexicons.set(key, compiled);
  return compiled;
}

function compileLexiconOnce(pack: LexiconPackView): CompiledLexicon {
  const caseSensitive = pack.capabilities.caseSensitive;
  const script = createScriptNormaliser(pack.capabilities);
  const normalise = (text: string): string => {
    // Typographic apostrophes become ASCII ones (same length, so offsets are kept).
    const composed = text.normalize('NFKC').replace(/[’ʼ]/g, "'");
    const cased = caseSensitive ? composed : composed.toLowerCase();
    return script === null ? cased : script(cased);
  };
  const spaced = pack.capabilities.segmentation === 'whitespace';
  // Built once per process (a few milliseconds), here rather than inside the first text matched.
  wordCodeTable();
  spacedCutCodeTable();
  const categoryNames = Object.keys(pack.lexicon.categories);
  // The categories the scan runs over: the pack's own, then one per category with `negatedTerms`,
  // reported under that category's name but counted only when negated (docs/lexicon-format.md §5.6).
  const scanned = internalCategories(pack.lexicon.categories);
  const morphology = createMorphology(pack.capabilities);
  const maxGap = pack.lexicon.maxGap ?? DEFAULT_MAX_GAP;
  const patternsPerCategory: PatternTerm[][] = [];
  const exclusionsPerCategory: Exclusion[][] = [];
  const termsPerCategory = scanned.map((category) => {
    const exclusions = category.exclude
      .map((expression) => parseExclusion(expression, normalise))
      .filter((exclusion) => exclusion.expression !== '');
    exclusionsPerCategory.push(exclusions);
    const termsByLiteral = new Map<string, CompiledTerm>();
    const patterns: PatternTerm[] = [];
    category.terms.forEach((term, order) => {
      const pattern = parsePatternTerm(term, order, normalise, morphology, maxGap);
      if (pattern !== null) {
        patterns.push(pattern);
        return;
      }
      const stem = term.endsWith('*');
      const literal = normalise(stem ? term.slice(0, -1) : term).trim();
      if (literal === '') return;
      const existing = termsByLiteral.get(literal);
      // A stem subsumes the whole-word form of the same literal.
      if (existing === undefined || (stem && !existing.stem)) {
        termsByLiteral.set(literal, { term, literal, stem, exclusionContexts: exclusionContexts(literal, exclusions) });
      }
    });
    patternsPerCategory.push(patterns);
    return [...termsByLiteral.values()];
  });
  // Longest first: the old alternation RegExp tried clitics in this order, and the first one after
  // which the category has a term decides where the term starts.
  const clitics = [...new Set(pack.lexicon.cliticPrefixes.map(normalise))].sort((a, b) => b.length - a.length);
  const wordFinder = createWordFinder(pack.capabilities, pack.meta.tag);
  const negation = new Negation(pack.lexicon.negation, normalise, spaced, clitics, scanned);
  const patterns = new PatternScanner(patternsPerCategory, spaced, clitics, morphology, wordFinder, negation);
  const matcher = new Matcher({
    spaced,
    categoryNames: scanned.map((category) => category.name),
    negatedOnly: scanned.map((category) => category.negatedOnly),
    negationApplies: scanned.map((category) => category.negationApplies),
    trie: buildTermTrie(termsPerCategory),
    patterns: patterns.empty ? null : patterns,
    exclusions: exclusionsPerCategory,
    senses: new SenseBlocks(
      scanned.map((category) => category.senseBlocks),
      normalise,
      spaced,
      wordFinder,
    ),
    clitics,
    wordFinder,
    negation,
    quotePairs: pack.lexicon.quotes.map(([open, close]) => [normalise(open), normalise(close)] as const),
  });

  const keepRegisters = registerRule(pack.lexicon.categories);

  // Agent texts repeat (surrogate phrases, formulaic model answers), so analyses are memoised per
  // text; results are frozen and shared.
  const memo = new Map<string, LexiconAnalysis>();
  function analyse(text: string): LexiconAnalysis {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const normalised = normalise(text);
    const words = wordFinder.countWords(normalised);
    const matches = keepRegisters(matcher.match(normalised));
    const analysis: LexiconAnalysis = Object.freeze({
      words,
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
    match: (text) => keepRegisters(matcher.match(normalise(text))),
    count: (text) => analyse(text).counts,
    analyse,
    explain(text) {
      const dropped: DroppedHit[] = [];
      const all = matcher.match(normalise(text), dropped);
      const kept = keepRegisters(all);
      const registerDrops = all.filter((hit) => !kept.includes(hit));
      const explained = (hit: LexiconMatch, negatedOnly: boolean) => ({ ...hit, rule: ruleOf(hit.term, negatedOnly) });
      return {
        matches: kept.map((hit) => explained(hit, negatedTermsOf(hit.category).has(hit.term))),
        dropped: [
          ...dropped.map(({ hit, reason, negatedOnly }) => ({ ...explained(hit, negatedOnly), reason })),
          ...registerDrops.map((hit) => ({
            ...explained(hit, negatedTermsOf(hit.category).has(hit.term)),
            reason: 'register' as const,
          })),
        ].sort((a, b) => a.start - b.start || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0)),
      };
    },
  };

  function negatedTermsOf(category: string): Set<string> {
    return new Set(pack.lexicon.categories[category]?.negatedTerms ?? []);
  }
}

/** A candidate dropped by a rule, recorded only when a text is explained. */
interface DroppedHit {
  hit: LexiconMatch;
  reason: Exclude<LexiconDropReason, 'register'>;
  negatedOnly: boolean;
}

function ruleOf(term: string, negatedOnly: boolean): LexiconRule {
  if (negatedOnly) return 'negated-harm';
  if (!isPatternTerm(term)) return 'term';
  return term.split(' ').some((word) => /^\.\.\.\d?$/.test(word)) ? 'pattern' : 'stem';
}

interface ScannedCategory {
  name: string;
  terms: readonly string[];
  exclude: readonly string[];
  senseBlocks: LanguagePack['lexicon']['categories'][string]['senseBlocks'];
  /** Hits count only when negated: the category's `negatedTerms`. */
  negatedOnly: boolean;
  /** Whether a negation cue drops a hit of `terms` (negatedTerms always need one). */
  negationApplies: boolean;
}

/** The pack's categories, then, for each with `negatedTerms`, a negated-only category of the same name. */
function internalCategories(categories: LanguagePack['lexicon']['categories']): ScannedCategory[] {
  const entries = Object.entries(categories);
  return [
    ...entries.map(([name, category]) => ({
      name,
      terms: category.terms,
      exclude: category.exclude,
      senseBlocks: category.senseBlocks,
      negatedOnly: false,
      negationApplies: negationApplies(category),
    })),
    ...entries
      .filter(([, category]) => (category.negatedTerms ?? []).length > 0)
      .map(([name, category]) => ({
        name,
        terms: category.negatedTerms ?? [],
        exclude: category.exclude,
        senseBlocks: category.senseBlocks,
        negatedOnly: true,
        negationApplies: true,
      })),
  ];
}

/**
 * Whether negation drops a hit of the category's `terms` (docs/lexicon-format.md §5.7). The
 * codebook makes conformity and individuation registers of protective speech, and protective speech
 * is very often negated ("none of us will sign", "nobody in our group signs"): a cue there negates
 * the harmful act, not the register marker. So negation does not apply to a `registerOf` category
 * unless the pack declares `"negation": "applies"`.
 */
function negationApplies(category: LanguagePack['lexicon']['categories'][string]): boolean {
  return (category.negation ?? (category.registerOf === undefined ? 'applies' : 'ignored')) === 'applies';
}

/**
 * The codebook's register rule (docs/codebook.md): a category declared `registerOf` another (the
 * conformity and individuation registers of protective speech) counts only in a text that has a
 * hit of that other category; elsewhere its hits are dropped. Applied per text, since the unit of
 * the instrument is one action.
 */
function registerRule(categories: LanguagePack['lexicon']['categories']): (matches: LexiconMatch[]) => LexiconMatch[] {
  const baseOf = new Map<string, string>();
  for (const [name, category] of Object.entries(categories)) {
    if (category.registerOf !== undefined) baseOf.set(name, category.registerOf);
  }
  if (baseOf.size === 0) return (matches) => matches;
  return (matches) => {
    let dropsAny = false;
    for (const hit of matches) {
      const base = baseOf.get(hit.category);
      if (base !== undefined && !matches.some((other) => other.category === base)) {
        dropsAny = true;
        break;
      }
    }
    if (!dropsAny) return matches;
    const present = new Set(matches.map((hit) => hit.category));
    return matches.filter((hit) => {
      const base = baseOf.get(hit.category);
      return base === undefined || present.has(base);
    });
  };
}

interface MatcherParts {
  spaced: boolean;
  /** Per scanned category (the pack's, then the negated-only ones), the name hits are reported under. */
  categoryNames: readonly string[];
  negatedOnly: readonly boolean[];
  /** Per scanned category, whether a negation cue drops its hits (false: a register's markers). */
  negationApplies: readonly boolean[];
  trie: TermTrie;
  /** Null when the lexicon has no pattern terms. */
  patterns: PatternScanner | null;
  exclusions: readonly (readonly Exclusion[])[];
  senses: SenseBlocks;
  /** Normalised, longest first. */
  clitics: readonly string[];
  wordFinder: WordFinder;
  negation: Negation;
  quotePairs: readonly (readonly [string, string])[];
}

/**
 * The scan over one normalised text. A class rather than closures inside compileLexicon: every
 * pack's matcher then runs the same functions, so the code V8 optimises for the first language is
 * still valid for the next (closures per pack made it deoptimise and start over at each language).
 */
class Matcher implements PatternJudge {
  private readonly spaced: boolean;
  private readonly categoryNames: readonly string[];
  private readonly negatedOnly: readonly boolean[];
  private readonly negationApplies: readonly boolean[];
  private readonly trie: TermTrie;
  private readonly patterns: PatternScanner | null;
  private readonly exclusions: readonly (readonly Exclusion[])[];
  private readonly senses: SenseBlocks;
  private readonly patternExclusions = new Map<PatternTerm, readonly Exclusion[]>();
  /** Where the current text's dropped candidates go when it is explained; null otherwise. */
  private dropped: DroppedHit[] | null = null;
  /** The current text's quoted stretches, found on first need (null: not yet). */
  private quoted: number[] | null = null;
  /** Normalised, longest first. */
  private readonly clitics: readonly string[];
  private readonly cliticsByFirstCode: Map<number, string[]>;
  private readonly wordFinder: WordFinder;
  private readonly negation: Negation;
  private readonly quotePairs: readonly (readonly [string, string])[];
  // Scratch space of the scan, reused across calls (matching is synchronous and allocates
  // nothing per character).
  private readonly nextAllowed: number[];
  private readonly literalsHere = createLiteralsFound();
  private readonly literalsAfterClitic: LiteralsFound[];
  private readonly cliticLengths: number[];
  /**
   * The literals, and in whitespace scripts without clitics or prefixes the pattern anchors and
   * needles too, as one automaton walked from each word start (lexicon-word-starts.ts).
   */
  private readonly automaton: WordStartAutomaton<WordStartPayload>;
  /** The pattern scanner whose requests and needles the word-start walk finds; null: it scans itself. */
  private readonly walkedPatterns: PatternScanner | null;
  /** 1 for each code unit a literal, anchor, needle or clitic starts with: where a walk may find something. */
  private readonly walkFirstUnits: Uint8Array;
  /** 1 for each code unit a clitic starts with: where a plain candidate may start before a clitic. */
  private readonly cliticFirstUnits = new Uint8Array(0x10000);
  /** The walked scanner's clitics and declared prefixes by first code unit: anchors are walked from their ends too. */
  private readonly walkAffixes = new Map<number, string[]>();
  private readonly requests: PatternRequest[] = [];
  /** The negation's before cues when the walk finds their places (null: negation searches for them). */
  private readonly walkedCues: readonly string[] | null;
  /** Per scanned category, the current text's plain hit spans (reused from text to text). */
  private readonly plainSpansScratch: number[][];

  constructor(parts: MatcherParts) {
    this.spaced = parts.spaced;
    this.categoryNames = parts.categoryNames;
    this.negatedOnly = parts.negatedOnly;
    this.negationApplies = parts.negationApplies;
    this.trie = parts.trie;
    this.patterns = parts.patterns;
    this.exclusions = parts.exclusions;
    this.senses = parts.senses;
    this.clitics = parts.clitics;
    this.cliticsByFirstCode = new Map();
    for (const clitic of parts.clitics) {
      const code = clitic.charCodeAt(0);
      this.cliticsByFirstCode.set(code, [...(this.cliticsByFirstCode.get(code) ?? []), clitic]);
    }
    this.wordFinder = parts.wordFinder;
    this.negation = parts.negation;
    this.quotePairs = parts.quotePairs;
    this.nextAllowed = packedArray(parts.categoryNames.length, 0);
    this.plainSpansScratch = parts.categoryNames.map(() => []);
    this.literalsAfterClitic = parts.clitics.map(() => createLiteralsFound());
    this.cliticLengths = packedArray(parts.clitics.length, 0);
    this.walkedPatterns = parts.spaced && parts.patterns?.inWordStartWalk === true ? parts.patterns : null;
    this.walkedCues = parts.spaced && parts.negation.active ? parts.negation.walkableBeforeCues : null;
    this.automaton = new WordStartAutomaton(wordStartEntries(parts.trie, this.walkedPatterns, this.walkedCues));
    this.walkFirstUnits = this.automaton.firstUnits.slice();
    for (const code of this.cliticsByFirstCode.keys()) {
      this.walkFirstUnits[code] = 1;
      this.cliticFirstUnits[code] = 1;
    }
    for (const affix of this.walkedPatterns?.stemPrefixes ?? []) {
      if (affix === '') continue;
      const code = affix.charCodeAt(0);
      this.walkAffixes.set(code, [...(this.walkAffixes.get(code) ?? []), affix]);
      this.walkFirstUnits[code] = 1;
    }
  }

  /** `dropped`, when given, receives the candidates the rules drop and why (explain; slower). */
  match(text: string, dropped: DroppedHit[] | null = null): LexiconMatch[] {
    this.dropped = dropped;
    this.quoted = null;
    this.wordFinder.setText(text);
    this.negation.setText(text);
    this.nextAllowed.fill(0);
    // The RegExp skips, natively, every place where no literal starts; the places where a category
    // may have a candidate are there and before clitics ending there. They are examined exactly,
    // in order, since each category's scan resumes after its previous kept hit.
    const hits: LexiconMatch[] = [];
    const categories: number[] = [];
    if (this.spaced) this.walkWordStarts(text, hits, categories);
    else if (this.clitics.length === 0) this.walkUnspaced(text, hits, categories);
    else for (const position of this.unspacedCandidatePlaces(text)) this.candidateAt(text, position, hits, categories);
    // candidateAt applied the rules that drop hits: what it found counts.
    const matches = hits;
    if (this.patterns !== null) {
      // The scan applies the drop rules itself (patternDropReason), so that a dropped candidate can
      // give way to a later occurrence of its parts or to another term.
      const plainSpans = this.plainSpans(hits, categories);
      const patternHits =
        this.walkedPatterns !== null
          ? this.walkedPatterns.scanRequests(text, this.requests, plainSpans, this)
          : this.patterns.scan(text, plainSpans, this);
      for (const hit of patternHits) {
        const reason = hit.reason;
        if (reason === null) matches.push(this.patternMatch(text, hit));
        else
          this.dropped?.push({
            hit: this.patternMatch(text, hit),
            reason,
            negatedOnly: this.negatedOnly[hit.category]!,
          });
      }
    }
    sortMatches(matches);
    return matches;
  }

  /** Per scanned category, the spans of its kept plain-term hits (a pattern does not count again inside one). */
  private plainSpans(hits: readonly LexiconMatch[], categories: readonly number[]): number[][] {
    const spans = this.plainSpansScratch;
    // Setting a length calls into the runtime: only for the categories that had hits.
    for (const categorySpans of spans) if (categorySpans.length !== 0) categorySpans.length = 0;
    for (let index = 0; index < hits.length; index += 1) {
      spans[categories[index]!]!.push(hits[index]!.start, hits[index]!.end);
    }
    return spans;
  }

  private patternMatch(text: string, hit: PatternHit): LexiconMatch {
    return {
      category: this.categoryNames[hit.category]!,
      term: hit.term.term,
      text: text.slice(hit.start, hit.end),
      start: hit.start,
      end: hit.end,
    };
  }

  /** The drop rules of dropReason, for a pattern hit (a cue inside its gaps negates it too); null: kept. */
  patternDropReason(text: string, hit: PatternHit): HitDropReason | null {
    this.quoted ??= quotedRanges(text, this.quotePairs);
    if (insideQuotation(hit, this.quoted)) return 'quotation';
    if (insideAnyExclusion(text, hit.start, hit.firstEnd, this.exclusionsOf(hit), this.spaced)) return 'exclusion';
    if (this.senses.has(hit.category, hit.term.term)) {
      if (this.senses.blocks(text, hit.category, hit.term.term, hit.start, hit.end)) return 'sense';
    }
    const negated =
      this.negation.active &&
      this.negationApplies[hit.category]! &&
      (this.isNegated(text, hit, hit.category) || this.gapNegated(text, hit));
    if (negated === this.negatedOnly[hit.category]) return null;
    return negated ? 'negation' : 'not-negated';
  }

  /**
   * The exclusions of the hit's category that could hold its first part: those containing the
   * term's anchor (which the first part's text holds), found once per term.
   */
  private exclusionsOf(hit: PatternHit): readonly Exclusion[] {
    let exclusions = this.patternExclusions.get(hit.term);
    if (exclusions === undefined) {
      exclusions = this.exclusions[hit.category]!.filter((exclusion) => exclusion.expression.includes(hit.term.anchor));
      this.patternExclusions.set(hit.term, exclusions);
    }
    return exclusions;
  }

  private gapNegated(text: string, hit: PatternHit): boolean {
    for (let index = 0; index < hit.gapRanges.length; index += 2) {
      if (this.negation.negatesGap(text, hit.words, hit.gapRanges[index]!, hit.gapRanges[index + 1]!)) return true;
    }
    return false;
  }

  /**
   * Whitespace scripts: every word start (a letter, mark or digit after none) whose first code unit
   * may begin something is walked once through the automaton, which gives the literals that start
   * there (the plain candidates, examined at once, in text order, as each category's scan resumes
   * after its previous kept hit) and, when the pattern scanner is walked too, its requests and the
   * places of its needles. Terms start only at word starts there (directly or after a clitic that
   * starts one), so no other place can hold a candidate. This replaces a RegExp over the literals'
   * starts, an anchor walk and one needle search each per text.
   */
  private walkWordStarts(text: string, hits: LexiconMatch[], categories: number[]): void {
    const isWord = wordCodeTable();
    const { automaton, walkFirstUnits, literalsHere, cliticFirstUnits } = this;
    const { payloads, payloadOf, rootSteps, alphabet, steps } = automaton;
    const patterns = this.walkedPatterns;
    const requests = this.requests;
    if (requests.length !== 0) requests.length = 0;
    patterns?.beginWalk();
    const negation = this.walkedCues === null ? null : this.negation;
    negation?.beginWalk();
    let previousIsWord = false;
    for (let place = 0; place < text.length; place += 1) {
      const code = text.charCodeAt(place);
      const here = isWord[code] === 1;
      if (here && !previousIsWord && walkFirstUnits[code] === 1) {
        literalsHere.count = 0;
        let cueHere = false;
        // automaton.next, written out: this loop is the matcher's hottest.
        let step = rootSteps[code * 2]!;
        let base = rootSteps[code * 2 + 1]!;
        let state = 0;
        for (let index = place + 1; ; index += 1) {
          if (step === 0) break;
          state = step >> 1;
          if ((step & 1) === 1) {
            const payload = payloads[payloadOf[state]! - 1]!;
            if (payload.term !== null) literalsHere.nodes[literalsHere.count++] = payload.term;
            if (patterns !== null) {
              if (payload.groups !== null) patterns.requestsForGroups(text, place, payload.groups, requests);
              if (payload.needles !== null) patterns.needlesAt(payload.needles, place);
            }
            if (payload.beforeCue && !cueHere && negation !== null) {
              cueHere = true;
              negation.beforeCueAt(text, place);
            }
          }
          if (index >= text.length) break;
          const letter = alphabet[text.charCodeAt(index)]!;
          if (letter === 0) break;
          const slot = (base + letter) * 4;
          if (steps[slot] !== state + 1) break;
          step = steps[slot + 1]!;
          base = steps[slot + 2]!;
        }
        if (patterns !== null && this.walkAffixes.size > 0)
          this.walkAfterAffixes(text, place, code, patterns, requests);
        if (literalsHere.count > 0 || cliticFirstUnits[code] === 1) this.candidateWith(text, place, hits, categories);
      }
      previousIsWord = here;
    }
  }

  /**
   * The pattern requests of anchors that start right after a clitic or declared prefix starting the
   * word at `wordStart` (anchors only: the plain terms after clitics are candidateWith's).
   */
  private walkAfterAffixes(
    text: string,
    wordStart: number,
    code: number,
    patterns: PatternScanner,
    requests: PatternRequest[],
  ): void {
    const affixes = this.walkAffixes.get(code);
    if (affixes === undefined) return;
    const { automaton } = this;
    const { payloads, payloadOf } = automaton;
    for (const affix of affixes) {
      if (!text.startsWith(affix, wordStart)) continue;
      let state = 0;
      for (let index = wordStart + affix.length; index < text.length; index += 1) {
        const step = automaton.next(state, text.charCodeAt(index));
        if (step === 0) break;
        state = step >> 1;
        if ((step & 1) === 0) continue;
        const ending = payloadOf[state]!;
        const groups = payloads[ending - 1]!.groups;
        if (groups !== null) patterns.affixRequestsForGroups(text, wordStart, affix, groups, requests);
      }
    }
  }

  /**
   * Unspaced scripts without clitics: every position whose first code unit starts a literal is
   * walked once, and a place where literals start is examined with them at once (it used to be
   * collected first and walked again).
   */
  private walkUnspaced(text: string, hits: LexiconMatch[], categories: number[]): void {
    const firstUnits = this.walkFirstUnits;
    const found = this.literalsHere;
    for (let place = 0; place < text.length; place += 1) {
      if (firstUnits[text.charCodeAt(place)] !== 1) continue;
      this.literalsAt(text, place, found);
      if (found.count > 0) this.candidateWith(text, place, hits, categories);
    }
  }

  /** Fills `found` with the trie nodes of the literals that start at `start`, shortest first. */
  private literalsAt(text: string, start: number, found: LiteralsFound): void {
    // automaton.next, written out as in walkWordStarts (unspaced scripts call this at most places).
    const { payloads, payloadOf, rootSteps, alphabet, steps } = this.automaton;
    found.count = 0;
    if (start >= text.length) return;
    const first = text.charCodeAt(start);
    let step = rootSteps[first * 2]!;
    let base = rootSteps[first * 2 + 1]!;
    for (let index = start + 1; step !== 0; index += 1) {
      const state = step >> 1;
      if ((step & 1) === 1) {
        const term = payloads[payloadOf[state]! - 1]!.term;
        if (term !== null) found.nodes[found.count++] = term;
      }
      if (index >= text.length) return;
      const letter = alphabet[text.charCodeAt(index)]!;
      if (letter === 0) return;
      const slot = (base + letter) * 4;
      if (steps[slot] !== state + 1) return;
      step = steps[slot + 1]!;
      base = steps[slot + 2]!;
    }
  }

  /**
   * The places of unspaced scripts with clitics, where short literals (one kanji) start at most
   * places: every position whose first code unit starts a literal and where the trie finds one,
   * and the places before the clitics that end there; sorted and distinct.
   */
  private unspacedCandidatePlaces(text: string): number[] {
    const places: number[] = [];
    const firstUnits = this.automaton.firstUnits;
    const found = this.literalsHere;
    let sorted = true;
    for (let literalStart = 0; literalStart < text.length; literalStart += 1) {
      if (firstUnits[text.charCodeAt(literalStart)] !== 1) continue;
      this.literalsAt(text, literalStart, found);
      if (found.count === 0) continue;
      addPlace(literalStart, places);
      for (const clitic of this.clitics) {
        const start = literalStart - clitic.length;
        if (start >= 0 && text.startsWith(clitic, start)) {
          sorted &&= places.length === 0 || places[places.length - 1]! < start;
          addPlace(start, places);
        }
      }
    }
    if (!sorted) {
      places.sort((a, b) => a - b);
      return places.filter((place, index) => index === 0 || place !== places[index - 1]);
    }
    return places;
  }

  /** Every category's hit (if any) at `position` (see candidateWith), the literals there found first. */
  private candidateAt(text: string, position: number, hits: LexiconMatch[], categories: number[]): void {
    this.literalsAt(text, position, this.literalsHere);
    this.candidateWith(text, position, hits, categories);
  }

  /**
   * Every category's hit (if any) at `position`: its longest term there that no rule drops, given
   * the literals that start there in `literalsHere`.
   */
  private candidateWith(text: string, position: number, hits: LexiconMatch[], categories: number[]): void {
    const { nextAllowed, literalsHere, literalsAfterClitic, cliticLengths } = this;
    const code = text.charCodeAt(position);
    let anyLiteral = literalsHere.count > 0;
    let cliticCount = 0;
    const clitics = this.cliticsByFirstCode.get(code);
    if (clitics !== undefined) {
      for (const clitic of clitics) {
        if (!text.startsWith(clitic, position)) continue;
        const after = literalsAfterClitic[cliticCount]!;
        this.literalsAt(text, position + clitic.length, after);
        anyLiteral ||= after.count > 0;
        cliticLengths[cliticCount] = clitic.length;
        cliticCount += 1;
      }
    }
    if (!anyLiteral) return;

    let wordStart = this.spaced ? 1 : -1;
    for (let category = 0; category < nextAllowed.length; category += 1) {
      if (position < nextAllowed[category]!) continue;
      // Where the old RegExp would have put the term: after the first clitic that the category has
      // a term after, else right here.
      let termStart = -1;
      let candidates = literalsHere;
      for (let index = 0; index < cliticCount; index += 1) {
        if (hasCategory(literalsAfterClitic[index]!, category)) {
          termStart = position + cliticLengths[index]!;
          candidates = literalsAfterClitic[index]!;
          break;
        }
      }
      if (termStart === -1) {
        if (!hasCategory(literalsHere, category)) continue;
        termStart = position;
      }
      if (wordStart === -1) wordStart = this.wordFinder.startsWordAt(position) ? 1 : 0;
      if (wordStart === 0) return;

      // The category's literals here, longest first; then, since what looked like a clitic may be
      // the term's own first letters, those at the place itself. The first that no rule drops is
      // the hit (docs/lexicon-format.md §2: a dropped longer term does not hide the shorter ones
      // inside it; the category resumes after a kept hit only).
      let found = candidates;
      let below = found.count;
      for (;;) {
        const index = this.acceptIndex(text, found, category, termStart, below);
        if (index === -1) {
          if (found === literalsHere || termStart === position) break;
          found = literalsHere;
          below = found.count;
          termStart = position;
          continue;
        }
        const accepted = found.nodes[index]!.terms![category]!;
        const hit: LexiconMatch = {
          category: this.categoryNames[category]!,
          term: accepted.term,
          text: accepted.literal,
          start: termStart,
          end: termStart + accepted.literal.length,
        };
        const reason = this.dropReason(text, hit, accepted, category);
        if (reason !== null) {
          this.dropped?.push({ hit, reason, negatedOnly: this.negatedOnly[category]! });
          below = index;
          continue;
        }
        nextAllowed[category] = hit.end;
        hits.push(hit);
        categories.push(category);
        break;
      }
    }
  }

  /** Why the rules drop a plain-term candidate (null: it counts): quotation, exclusion, sense, negation. */
  private dropReason(text: string, hit: LexiconMatch, term: CompiledTerm, category: number): HitDropReason | null {
    this.quoted ??= quotedRanges(text, this.quotePairs);
    if (this.quoted.length > 0 && insideQuotation(hit, this.quoted)) return 'quotation';
    if (term.exclusionContexts.length > 0 && insideExclusion(text, hit.start, term, this.spaced)) return 'exclusion';
    if (this.senses.has(category, term.term) && this.senses.blocks(text, category, term.term, hit.start, hit.end)) {
      return 'sense';
    }
    // A negated hit is dropped, except in a negated-only category (negatedTerms), where only
    // negated hits count.
    const negatedOnly = this.negatedOnly[category]!;
    const negated = this.negation.active && this.negationApplies[category]! && this.isNegated(text, hit, category);
    if (negated === negatedOnly) return null;
    return negated ? 'negation' : 'not-negated';
  }

  /**
   * Index (into `found`, shortest first) of the longest literal of the category below `below` that
   * satisfies its end rule; -1 when none.
   */
  private acceptIndex(text: string, found: LiteralsFound, category: number, start: number, below: number): number {
    for (let index = below - 1; index >= 0; index -= 1) {
      const term = found.nodes[index]!.terms![category];
      if (term === undefined) continue;
      if (term.stem || this.isWordEnd(text, start + term.literal.length)) return index;
    }
    return -1;
  }

  private isWordEnd(text: string, position: number): boolean {
    return this.spaced ? wordCodeTable()[codeUnitAt(text, position)] !== 1 : this.wordFinder.endsWordAt(position);
  }

  private isNegated(text: string, hit: { start: number; end: number }, category: number): boolean {
    const negation = this.negation;
    return (
      negation.mayNegate(hit.start, hit.end) &&
      negation.isNegated(
        text,
        hit.start,
        hit.end,
        this.wordFinder.wordsAround(hit.start, hit.end, negation.margin),
        category,
      )
    );
  }
}

/** Appends a place unless it is the last one already. */
function addPlace(position: number, places: number[]): void {
  if (places.length > 0 && places[places.length - 1] === position) return;
  places.push(position);
}

/**
 * What ends at a state of the word-start automaton. A class, built only through its constructor,
 * so that every payload of every lexicon has one hidden class: payloads merged with object spreads
 * had several, and the walk's four loads of a payload (term, groups, needles, beforeCue) were
 * megamorphic (V8's --log-ic), a stub-cache probe each.
 */
class WordStartPayload {
  constructor(
    /** The plain literal's trie node (its terms per category). */
    readonly term: TermNode | null,
    /** The first-part groups of the pattern anchor. */
    readonly groups: readonly FirstPartGroup[] | null,
    /** Ids of the pattern needles. */
    readonly needles: number[] | null,
    /** A before cue of negation ends here. */
    readonly beforeCue: boolean,
  ) {}
}

/** The strings of the word-start automaton: every literal of the trie, and the walked scanner's anchors and needles. */
function wordStartEntries(
  trie: TermTrie,
  patterns: PatternScanner | null,
  beforeCues: readonly string[] | null,
): [string, (known: WordStartPayload | null) => WordStartPayload][] {
  const entries: [string, (known: WordStartPayload | null) => WordStartPayload][] = [];
  for (const cue of beforeCues ?? []) {
    entries.push([
      cue,
      (known) => new WordStartPayload(known?.term ?? null, known?.groups ?? null, known?.needles ?? null, true),
    ]);
  }
  const visit = (node: TermNode, literal: string): void => {
    if (node.terms !== null) {
      entries.push([
        literal,
        (known) => new WordStartPayload(node, known?.groups ?? null, known?.needles ?? null, known?.beforeCue ?? false),
      ]);
    }
    for (const [code, child] of node.children) visit(child, literal + String.fromCharCode(code));
  };
  visit(trie.root, '');
  if (patterns !== null) {
    for (const [anchor, groups] of patterns.groupsByAnchor) {
      entries.push([
        anchor,
        (known) => new WordStartPayload(known?.term ?? null, groups, known?.needles ?? null, known?.beforeCue ?? false),
      ]);
    }
    if (patterns.needlesInWordStartWalk) {
      patterns.needles.forEach((needle, id) => {
        entries.push([
          needle,
          (known) =>
            new WordStartPayload(
              known?.term ?? null,
              known?.groups ?? null,
              [...(known?.needles ?? []), id],
              known?.beforeCue ?? false,
            ),
        ]);
      });
    }
  }
  return entries;
}

interface Exclusion {
  expression: string;
  /** Written with a final `*`: the expression may continue into the rest of its last word. */
  open: boolean;
}

function parseExclusion(written: string, normalise: (text: string) => string): Exclusion {
  const open = written.endsWith('*');
  return { expression: normalise(open ? written.slice(0, -1) : written).trim(), open };
}

/** Every place `literal` occurs inside one of the exclusion expressions (overlaps included). */
function exclusionContexts(literal: string, exclusions: readonly Exclusion[]): CompiledTerm['exclusionContexts'] {
  const contexts: { expression: string; offset: number; open: boolean }[] = [];
  for (const { expression, open } of exclusions) {
    let offset = expression.indexOf(literal);
    while (offset !== -1) {
      contexts.push({ expression, offset, open });
      offset = expression.indexOf(literal, offset + 1);
    }
  }
  return contexts;
}

/**
 * Whether the hit at `start` lies inside an occurrence of one of its term's exclusions. Exclusions
 * are matched as terms, not substrings: in whitespace scripts the occurrence must start at a word
 * start and end at a word end (unless written with a final `*`), so that Italian "rifiuti" (rubbish)
 * does not cancel "rifiutiamo" (we refuse). In unspaced scripts an occurrence is a substring, as
 * terms themselves are matched there.
 */
function insideExclusion(text: string, start: number, term: CompiledTerm, spaced: boolean): boolean {
  const isWord = wordCodeTable();
  for (const { expression, offset, open } of term.exclusionContexts) {
    const begin = start - offset;
    // startsWith clamps a negative position to 0: an occurrence cannot begin before the text.
    if (begin < 0 || !text.startsWith(expression, begin)) continue;
    if (spaced) {
      if (begin > 0 && isWord[text.charCodeAt(begin - 1)] === 1) continue;
      const end = begin + expression.length;
      if (!open && end < text.length && isWord[text.charCodeAt(end)] === 1) continue;
    }
    return true;
  }
  return false;
}

/**
 * By start, then category name: the order the matcher has always returned. Hits come out nearly
 * sorted and few per text, where an insertion sort beats Array.prototype.sort's setup cost; no two
 * hits share both start and category, so any correct sort gives this same order.
 */
function sortMatches(matches: LexiconMatch[]): void {
  for (let index = 1; index < matches.length; index += 1) {
    const hit = matches[index]!;
    let before = index - 1;
    while (before >= 0 && comesAfter(matches[before]!, hit)) {
      matches[before + 1] = matches[before]!;
      before -= 1;
    }
    matches[before + 1] = hit;
  }
}

/**
 * By start, then category, then end, then term: a plain hit, a pattern hit and a negated-term hit of
 * one category may share a start (the reference sorts by the same keys).
 */
function comesAfter(a: LexiconMatch, b: LexiconMatch): boolean {
  if (a.start !== b.start) return a.start > b.start;
  if (a.category !== b.category) return a.category > b.category;
  if (a.end !== b.end) return a.end > b.end;
  return a.term > b.term;
}

/**
 * Whether text[start, firstEnd) (a pattern hit's first part) lies inside an occurrence of one of the
 * exclusions, matched as terms in whitespace scripts and as substrings in unspaced ones.
 */
function insideAnyExclusion(
  text: string,
  start: number,
  firstEnd: number,
  exclusions: readonly Exclusion[],
  spaced: boolean,
): boolean {
  const isWord = wordCodeTable();
  for (const { expression, open } of exclusions) {
    for (
      let begin = text.indexOf(expression, Math.max(0, firstEnd - expression.length));
      begin !== -1 && begin <= start;
      begin = text.indexOf(expression, begin + 1)
    ) {
      if (spaced) {
        if (begin > 0 && isWord[text.charCodeAt(begin - 1)] === 1) continue;
        const end = begin + expression.length;
        if (!open && end < text.length && isWord[text.charCodeAt(end)] === 1) continue;
      }
      return true;
    }
  }
  return false;
}

function insideQuotation(hit: { start: number; end: number }, quoted: readonly number[]): boolean {
  for (let index = 0; index < quoted.length; index += 2) {
    if (hit.start >= quoted[index]! && hit.end <= quoted[index + 1]!) return true;
  }
  return false;
}

/**
 * Quoted stretches as [start, end, start, end, ...] (numbers only, so that the array has the same
 * shape in every text and V8's optimised code for the loop above stays valid).
 */
function quotedRanges(text: string, pairs: readonly (readonly [string, string])[]): number[] {
  const ranges: number[] = [];
  let trimmed: string | null = null;
  for (const [open, close] of pairs) {
    let from = text.indexOf(open);
    // Most texts quote nothing: look no further.
    if (from === -1) continue;
    trimmed ??= text.trim();
    // A pair that encloses the whole utterance is the speaker's own voice, not reported speech.
    if (
      trimmed.startsWith(open) &&
      trimmed.endsWith(close) &&
      trimmed.indexOf(close, open.length) === trimmed.length - close.length
    ) {
      continue;
    }
    while (from !== -1) {
      const closing = text.indexOf(close, from + open.length);
      if (closing === -1) break;
      ranges.push(from, closing + close.length);
      from = text.indexOf(open, closing + close.length);
    }
  }
  return ranges;
}
