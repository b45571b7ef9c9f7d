import type { Lexicon } from '../contracts/index.js';
import {
  CLAUSE_BOUNDARY_CHARACTERS,
  SENTENCE_END_CHARACTERS,
  codeUnitAt,
  isUnspacedCut,
  isWordCode,
  wordCodeTable,
} from './lexicon-characters.js';
import { escapeForRegExp, literalPattern } from './lexicon-terms.js';
import type { WordSpan } from './segmentation.js';

/**
 * Negation cues around a lexicon hit (the rules are in lexicon.ts's header).
 *
 * Finding the words around a hit was most of the cost of negation, and most hits have no cue
 * anywhere near them. So a text's cue occurrences and clause punctuation are first found with
 * native RegExp scans (once per text, on its first hit), and the words around a hit are looked at
 * only when a cue occurs in the hit's clause. Cues are then compared in place in the text, looked
 * up by their first code unit, instead of slicing out each word and comparing it with every cue
 * (42 of them in English).
 */

/** Punctuation that closes a clause: negation does not reach across it. */
const CLAUSE_BOUNDARY = new Uint8Array(0x10000);
for (const character of CLAUSE_BOUNDARY_CHARACTERS) CLAUSE_BOUNDARY[character.charCodeAt(0)] = 1;
const CLAUSE_BOUNDARY_PATTERN = new RegExp(`[${CLAUSE_BOUNDARY_CHARACTERS}]`, 'g');
/** The clause punctuation a declared dependent clause lets a cue reach through: commas. */
const COMMAS = new Uint8Array(0x10000);
for (const character of ',，、،') COMMAS[character.charCodeAt(0)] = 1;

/** A pseudo-negation (docs/lexicon-format.md §5.5), normalised; `open`: written with a final `*`. */
interface PseudoNegation {
  expression: string;
  open: boolean;
}

/**
 * Declared expressions (docs/lexicon-format.md §5.5), found as terms in whitespace scripts (a final
 * `*` keeps the last word open), as substrings in ICU scripts: the pseudo-negations and the scope
 * rules added after them (quotative verbs, pseudo-conditionals, negative subjects), each searched
 * only when a text's question needs it.
 */
class ExpressionSet {
  private readonly expressions: readonly PseudoNegation[];

  constructor(
    written: readonly string[],
    normalise: (text: string) => string,
    private readonly spaced: boolean,
  ) {
    this.expressions = written
      .map((expression) => {
        const open = expression.endsWith('*');
        return { expression: normalise(open ? expression.slice(0, -1) : expression).trim(), open };
      })
      .filter((expression) => expression.expression !== '');
    this.byFirstUnit = expressionsByFirstUnit(this.expressions);
    this.anyStart =
      this.expressions.length === 0 ? null : literalPattern(this.expressions.map(({ expression }) => expression));
  }

  get size(): number {
    return this.expressions.length;
  }

  /** The expressions by first code unit. */
  private readonly byFirstUnit: Map<number, PseudoNegation[]>;
  /** Finds (global, no `u` flag) every place where an expression starts; null when there are none. */
  private readonly anyStart: RegExp | null;

  /**
   * Every occurrence in the text, as [start, end, ...] (ascending starts; callers only ask whether
   * some range qualifies). One native RegExp finds every place where an expression starts
   * (overlapping places included: each search resumes one code unit after the last place), and
   * only the expressions with that first code unit are compared there. A search of the text per
   * expression cost about 5% of English matching for six negative subjects; a JavaScript loop over
   * the text's code units was slower still.
   */
  occurrences(text: string): number[] {
    const ranges: number[] = [];
    const pattern = this.anyStart;
    if (pattern === null) return ranges;
    pattern.lastIndex = 0;
    for (let found = pattern.exec(text); found !== null; found = pattern.exec(text)) {
      const position = found.index;
      for (const { expression, open } of this.byFirstUnit.get(text.charCodeAt(position))!) {
        if (text.startsWith(expression, position) && this.bounded(text, position, position + expression.length, open)) {
          ranges.push(position, position + expression.length);
        }
      }
      pattern.lastIndex = position + 1;
    }
    return ranges;
  }

  /** Whether one of the expressions starts at `position`. */
  startsAt(text: string, position: number): boolean {
    return this.expressions.some(
      ({ expression, open }) =>
        text.startsWith(expression, position) && this.bounded(text, position, position + expression.length, open),
    );
  }

  private bounded(text: string, start: number, end: number, open: boolean): boolean {
    if (!this.spaced) return true;
    const isWord = wordCodeTable();
    return isWord[codeUnitAt(text, start - 1)] !== 1 && (open || isWord[codeUnitAt(text, end)] !== 1);
  }
}

function expressionsByFirstUnit(expressions: readonly PseudoNegation[]): Map<number, PseudoNegation[]> {
  const byFirstUnit = new Map<number, PseudoNegation[]>();
  for (const expression of expressions) {
    const code = expression.expression.charCodeAt(0);
    byFirstUnit.set(code, [...(byFirstUnit.get(code) ?? []), expression]);
  }
  return byFirstUnit;
}

/** Whether `position` lies inside one of the ranges [start, end, ...]. */
function insideRanges(ranges: readonly number[], position: number): boolean {
  for (let index = 0; index < ranges.length; index += 2) {
    if (ranges[index]! <= position && position < ranges[index + 1]!) return true;
  }
  return false;
}

interface NegationCue {
  literal: string;
  /** Matches the start of a word rather than a whole word (before cues only). */
  prefix: boolean;
  /** An `after` cue that must be the whole word, never a word's start (declared `afterWholeWord`). */
  whole?: boolean;
}

/** Cues grouped by first code unit; a cue with an empty literal is checked everywhere. */
class CueIndex {
  readonly size: number;
  /** Finds every cue literal (global, no `u` flag); null when a cue is empty and so matches anywhere. */
  readonly pattern: RegExp | null;
  private readonly byFirstCode = new Map<number, NegationCue[]>();
  /** Cues with an empty literal (a bare `*`): they match every word. */
  readonly everywhere: NegationCue[] = [];
  readonly literals: readonly string[];

  constructor(private readonly cues: readonly NegationCue[]) {
    this.size = cues.length;
    this.literals = cues.map((cue) => cue.literal);
    for (const cue of cues) {
      if (cue.literal === '') {
        this.everywhere.push(cue);
      } else {
        const code = cue.literal.charCodeAt(0);
        this.byFirstCode.set(code, [...(this.byFirstCode.get(code) ?? []), cue]);
      }
    }
    this.pattern =
      this.everywhere.length > 0 || cues.length === 0
        ? null
        : new RegExp(cues.map((cue) => escapeForRegExp(cue.literal)).join('|'), 'g');
  }

  /**
   * Whether a cue occurs at `position` that may be a whole whitespace-script word there: a prefix
   * cue, or one not followed by a letter, mark or digit.
   */
  mayBeWordAt(text: string, position: number): boolean {
    const sameFirst = this.byFirstCode.get(text.charCodeAt(position));
    if (sameFirst === undefined) return false;
    const isWord = wordCodeTable();
    for (const cue of sameFirst) {
      if (!text.startsWith(cue.literal, position)) continue;
      if (cue.prefix || isWord[codeUnitAt(text, position + cue.literal.length)] !== 1) return true;
    }
    return false;
  }

  /** Start of every occurrence of a cue literal in the text (overlapping ones included), in order. */
  occurrences(text: string): number[] {
    const starts: number[] = [];
    const pattern = this.pattern;
    if (pattern === null) return starts;
    pattern.lastIndex = 0;
    let found = pattern.exec(text);
    while (found !== null) {
      starts.push(found.index);
      pattern.lastIndex = found.index + 1;
      found = pattern.exec(text);
    }
    return starts;
  }

  /** Whether a cue is the word text[start, end) (or starts it, for prefix cues). */
  matchesWord(text: string, start: number, end: number): boolean {
    return this.someAt(text, start, end, true);
  }

  /** Whether the word text[start, end) starts with a cue, whole-word cues included. */
  startsWord(text: string, start: number, end: number): boolean {
    return this.someAt(text, start, end, false);
  }

  /** Where cues occur in text[start, end) (every occurrence of every cue, unordered). */
  occurrencesIn(text: string, start: number, end: number): number[] {
    const positions: number[] = [];
    const stretch = text.slice(start, end);
    for (const cue of this.cues) {
      if (cue.literal === '') {
        if (stretch !== '') positions.push(start);
        continue;
      }
      let at = stretch.indexOf(cue.literal);
      while (at !== -1) {
        positions.push(start + at);
        at = stretch.indexOf(cue.literal, at + 1);
      }
    }
    return positions;
  }

  private someAt(text: string, start: number, end: number, wholeUnlessPrefix: boolean): boolean {
    const sameFirst = this.byFirstCode.get(text.charCodeAt(start));
    return (
      (sameFirst !== undefined && someCueAt(sameFirst, text, start, end, wholeUnlessPrefix)) ||
      someCueAt(this.everywhere, text, start, end, wholeUnlessPrefix)
    );
  }
}

function someCueAt(
  cues: readonly NegationCue[],
  text: string,
  start: number,
  end: number,
  wholeUnlessPrefix: boolean,
): boolean {
  const length = end - start;
  for (const cue of cues) {
    const cueLength = cue.literal.length;
    if (cueLength > length || !text.startsWith(cue.literal, start)) continue;
    if (cue.whole === true && cueLength !== length) continue;
    if (!wholeUnlessPrefix || cue.prefix || cueLength === length) return true;
  }
  return false;
}

/** Whether clause punctuation occurs in text[from, to). */
export function hasClauseBoundary(text: string, from: number, to: number): boolean {
  for (let index = from; index < to; index += 1) if (CLAUSE_BOUNDARY[codeUnitAt(text, index)] === 1) return true;
  return false;
}

/** Default reach of a conditional word before a cue (docs/lexicon-format.md §5.4). */
export const DEFAULT_CONDITIONAL_WINDOW = 6;

/** The negation rules of one lexicon. */
export class Negation {
  /** False when the lexicon can never negate (no cues, or a window of 0): words need not be found. */
  readonly active: boolean;
  readonly window: number;
  /** How many words on each side of a hit `isNegated` may read (the window, plus a conditional's reach). */
  readonly margin: number;
  /** How many words before a cue deciding whether it is void may read (a conditional's reach). */
  readonly voidMargin: number;
  private readonly before: CueIndex;
  private readonly after: CueIndex;
  /** Declared clause words, breakers and conditionals (v2 scope; empty indices when not declared). */
  private readonly clauseWords: CueIndex;
  private readonly breakers: CueIndex;
  /** Verbs of wanting that take a cue for themselves for a hit of the declared categories (§5.3). */
  private readonly volitional: CueIndex;
  /** Per scanned category, whether the verbs of wanting take the cue for its hits. */
  private readonly volitionalCategories: readonly boolean[];
  private readonly conditionals: CueIndex;
  /** Words starting the main clause after a condition: a conditional does not reach past them (§5.4). */
  private readonly mainClause: CueIndex;
  /** Subject pronouns that, second in a clause, make it a verb-first conditional (§5.4); null: none. */
  private readonly verbFirstSubjects: CueIndex | null;
  private readonly conditionalWindow: number;
  private readonly pseudo: ExpressionSet;
  /** The current text and, found on first need, its cue occurrences and clause stops. */
  private text = '';
  /** The before cues' occurrences that may be words of their own (mayBeBeforeCue), in order. */
  private beforeCues: number[] | null = null;
  /** beforeCues as the word-start walk finds them (reused from text to text). */
  private readonly walkedCues: number[] = [];
  private afterCues: number[] | null = null;
  private clauseStops: number[] | null = null;
  /** The clause stops that are not commas (found when a dependent clause is declared). */
  private nonCommaStops: number[] | null = null;
  private pseudoRanges: number[] | null = null;

  /**
   * The elided `before` cues (written with a final apostrophe, French "n'"), which also negate a hit
   * inside their own written word: "n'accepte", "n'expulse" (docs/lexicon-format.md §5.1).
   */
  private readonly elided: readonly string[];
  /** Declared dependent infinitive clauses a `before` cue reaches into through a comma (null: none). */
  private readonly dependent: { markers: CueIndex; infixes: readonly string[] } | null;
  /**
   * Quotative pseudo-negations (docs/lexicon-format.md §5.5): these pseudo-negations, directly
   * followed by one of the verbs, are a negation after all (Japanese …しないと言った). Null: none.
   */
  private readonly quotative: { pseudo: ReadonlySet<string>; followedBy: ExpressionSet } | null;
  /** Expressions in which a conditional word is not a conditional (§5.4), and their ranges in the text. */
  private readonly pseudoConditionals: ExpressionSet;
  private pseudoConditionalRanges: number[] | null = null;
  /** Negative subjects reaching over an insertion and a long subject (§5.8); null: none declared. */
  private readonly subjects: { cues: ExpressionSet; window: number; insertion: number } | null;
  private subjectRanges: number[] | null = null;

  constructor(
    negation: Lexicon['negation'],
    normalise: (text: string) => string,
    private readonly spaced: boolean,
    /** The lexicon's clitic prefixes, normalised: they may stand between an elided cue and the hit. */
    private readonly clitics: readonly string[] = [],
    /** Per scanned category, its name and whether only negated hits count (negatedTerms). */
    categories: readonly { name: string; negatedOnly: boolean }[] = [],
  ) {
    const toCue = (cue: string): NegationCue => {
      const normalised = normalise(cue);
      if (normalised.endsWith('*')) return { literal: normalised.slice(0, -1), prefix: true };
      // An elided form such as French "n'" matches the start of the word it is attached to.
      if (/['’]$/.test(normalised)) return { literal: normalised, prefix: true };
      return { literal: normalised, prefix: false };
    };
    this.before = new CueIndex(negation.before.map(toCue));
    this.elided = negation.before.map(normalise).filter((cue) => cue.length > 1 && cue.endsWith("'"));
    const dependent = negation.dependentClause;
    const infixes = (dependent?.infixes ?? []).map((infix) => normalise(infix).trim()).filter((infix) => infix !== '');
    const markers = new CueIndex((dependent?.markers ?? []).map(toCue));
    this.dependent = markers.size > 0 || infixes.length > 0 ? { markers, infixes } : null;
    const wholeAfter = new Set((negation.afterWholeWord ?? []).map(normalise));
    this.after = new CueIndex(
      negation.after.map((cue) => (wholeAfter.has(normalise(cue)) ? { ...toCue(cue), whole: true } : toCue(cue))),
    );
    this.clauseWords = new CueIndex((negation.clauseWords ?? []).map(toCue));
    this.breakers = new CueIndex((negation.breakers ?? []).map(toCue));
    this.volitional = new CueIndex((negation.volitional?.verbs ?? []).map(toCue));
    const volitionalNames = new Set(negation.volitional?.categories ?? []);
    this.volitionalCategories = categories.map(({ name, negatedOnly }) => !negatedOnly && volitionalNames.has(name));
    this.conditionals = new CueIndex((negation.conditionals ?? []).map(toCue));
    this.mainClause = new CueIndex((negation.mainClause ?? []).map(toCue));
    const verbFirst = negation.verbFirstConditional;
    this.verbFirstSubjects = verbFirst === undefined ? null : new CueIndex(verbFirst.subjects.map(toCue));
    this.conditionalWindow = negation.conditionalWindow ?? DEFAULT_CONDITIONAL_WINDOW;
    this.pseudo = new ExpressionSet(negation.pseudo ?? [], normalise, spaced);
    this.quotative =
      negation.quotative === undefined
        ? null
        : {
            pseudo: new Set(negation.quotative.pseudo.map((written) => normalise(written.replace(/\*$/, '')).trim())),
            followedBy: new ExpressionSet(negation.quotative.followedBy, normalise, spaced),
          };
    this.pseudoConditionals = new ExpressionSet(negation.pseudoConditionals ?? [], normalise, spaced);
    const subjects = negation.subjects;
    this.subjects =
      subjects === undefined
        ? null
        : {
            cues: new ExpressionSet(subjects.cues, normalise, spaced),
            window: subjects.window,
            insertion: subjects.insertion,
          };
    this.window = negation.window;
    // A verb-first conditional reads the word before its clause too (a clause word may open it).
    this.voidMargin =
      this.conditionals.size > 0 || this.verbFirstSubjects !== null
        ? this.conditionalWindow + (this.verbFirstSubjects !== null ? 1 : 0)
        : 0;
    // A negative subject may stand further from the hit than the window, an insertion between them,
    // and is read from its first word (at most its length in words, or in code units in ICU scripts).
    const subjectWords = Math.max(
      0,
      ...(subjects?.cues ?? []).map((cue) => (spaced ? cue.trim().split(/\s+/).length : cue.length)),
    );
    const reach = Math.max(
      this.window,
      this.subjects === null ? 0 : this.subjects.window + this.subjects.insertion + subjectWords,
    );
    // One word more before a cue when verbs of wanting are declared: the one it may follow (§5.3).
    this.margin = reach + this.voidMargin + (this.volitional.size > 0 ? 1 : 0);
    this.active = this.window > 0 && (this.before.size > 0 || this.after.size > 0 || this.subjects !== null);
  }

  /**
   * Whether a `before` cue may reach through the clause punctuation in text[from, to) (docs/lexicon-format.md
   * §5.2): it is commas only, and the clause after it, up to the hit, is a declared dependent clause:
   * a marker word among words[firstWord, hitWord), or an infix inside the hit's first word (neither at
   * its start nor at its end).
   */
  private entersDependentClause(
    text: string,
    words: readonly WordSpan[],
    firstWord: number,
    hitWord: number,
    from: number,
    to: number,
  ): boolean {
    const dependent = this.dependent;
    if (dependent === null) return false;
    for (let index = from; index < to; index += 1) {
      if (CLAUSE_BOUNDARY[text.charCodeAt(index)] === 1 && COMMAS[text.charCodeAt(index)] !== 1) return false;
    }
    if (dependent.markers.size > 0) {
      for (let index = firstWord; index < hitWord; index += 1) {
        const word = words[index]!;
        if (dependent.markers.matchesWord(text, word.start, word.end)) return true;
      }
    }
    const hit = words[hitWord];
    if (hit === undefined) return false;
    for (const infix of dependent.infixes) {
      const at = text.indexOf(infix, hit.start + 1);
      if (at !== -1 && at + infix.length < hit.end) return true;
    }
    return false;
  }

  /** Whether text[wordStart, hitStart) is an elided cue, then nothing but clitic prefixes ("n'", "n'l'"). */
  private elidedCueBefore(text: string, wordStart: number, hitStart: number): boolean {
    for (const cue of this.elided) {
      if (text.startsWith(cue, wordStart) && this.onlyClitics(text, wordStart + cue.length, hitStart)) return true;
    }
    return false;
  }

  /** Whether text[from, to) is a (possibly empty) sequence of clitic prefixes. */
  private onlyClitics(text: string, from: number, to: number): boolean {
    if (from === to) return true;
    for (const clitic of this.clitics) {
      if (
        from + clitic.length <= to &&
        text.startsWith(clitic, from) &&
        this.onlyClitics(text, from + clitic.length, to)
      ) {
        return true;
      }
    }
    return false;
  }

  /** Whether the word text[start, end) is one of the declared clause words (docs/lexicon-format.md §5.2). */
  isClauseWord(text: string, start: number, end: number): boolean {
    return this.clauseWords.size > 0 && this.clauseWords.matchesWord(text, start, end);
  }

  /**
   * Whether a cue (either list) is one of the words of a pattern hit's gaps, words[from..to), and is
   * not void: a cue inside the gap negates the pattern ("zieht sich nicht aus").
   */
  negatesGap(text: string, words: readonly WordSpan[], from: number, to: number): boolean {
    if (!this.active) return false;
    for (let index = from; index < to; index += 1) {
      const word = words[index]!;
      const cue =
        (this.before.size > 0 && this.before.matchesWord(text, word.start, word.end)) ||
        (this.after.size > 0 && this.after.startsWord(text, word.start, word.end));
      if (cue && !this.isVoid(text, words, index, word.start)) return true;
    }
    return false;
  }

  /**
   * A cue that does not negate (docs/lexicon-format.md §5.4-5.5): it lies inside a pseudo-negation
   * (Japanese ないと, Korean 않으면), or a conditional word stands before it in its clause within
   * `conditionalWindow` words ("if we don't undress ..."), unless a main-clause word stands between
   * them, not right after the conditional ("if we stay united they can't evict anyone").
   */
  private isVoid(text: string, words: readonly WordSpan[], cueWord: number, cuePosition: number): boolean {
    if (this.pseudo.size > 0) {
      const ranges = this.pseudoOccurrences();
      for (let index = 0; index < ranges.length; index += 2) {
        if (ranges[index]! <= cuePosition && cuePosition < ranges[index + 1]!) return true;
      }
    }
    if (this.conditionals.size > 0) {
      // The main-clause word nearest the cue (-1: none): it counts when not right after the conditional.
      let mainClauseWord = -1;
      for (let index = cueWord - 1; index >= Math.max(0, cueWord - this.conditionalWindow); index -= 1) {
        const word = words[index];
        if (word === undefined) break;
        const following = words[index + 1]?.start ?? cuePosition;
        if (hasClauseBoundary(text, word.end, Math.min(following, cuePosition))) break;
        if (this.isClauseWord(text, word.start, word.end)) break;
        if (this.conditionals.matchesWord(text, word.start, word.end) && !this.insidePseudoConditional(word.start)) {
          return mainClauseWord <= index + 1;
        }
        if (
          mainClauseWord === -1 &&
          this.mainClause.size > 0 &&
          this.mainClause.matchesWord(text, word.start, word.end)
        ) {
          mainClauseWord = index;
        }
      }
    }
    return this.verbFirstSubjects !== null && this.inVerbFirstConditional(text, words, cueWord, cuePosition);
  }

  /**
   * Whether the cue words[cueWord] lies in a verb-first conditional (docs/lexicon-format.md §5.4):
   * its sentence opens within `conditionalWindow` words before the cue, with no clause punctuation
   * or clause word on the way, and has a declared subject pronoun as its second word, before the
   * cue ("Skriver vi inte under blir det ingen middag"); no main-clause word stands between the
   * subject and the cue ("Står vi enade kan **de** inte ..." negates in the main clause); and the
   * sentence goes on after the cue and is no question or exclamation ("Unterschreiben wir nicht?").
   * Only a sentence's start counts: after a comma or a clause word a verb-first clause is the main
   * clause of a condition before it ("Wenn wir zusammenhalten, kann man uns nicht ...").
   */
  private inVerbFirstConditional(text: string, words: readonly WordSpan[], cueWord: number, cuePosition: number) {
    const subjects = this.verbFirstSubjects!;
    let mainClauseWord = -1;
    for (let index = cueWord - 1; index >= Math.max(0, cueWord - this.conditionalWindow); index -= 1) {
      const word = words[index];
      if (word === undefined) return false;
      const following = words[index + 1]?.start ?? cuePosition;
      if (hasClauseBoundary(text, word.end, Math.min(following, cuePosition))) return false;
      if (this.isClauseWord(text, word.start, word.end)) return false;
      if (!opensSentence(text, word.start)) {
        if (
          mainClauseWord === -1 &&
          this.mainClause.size > 0 &&
          this.mainClause.matchesWord(text, word.start, word.end)
        ) {
          mainClauseWord = index;
        }
        continue;
      }
      const subject = words[index + 1]!;
      return (
        index + 1 < cueWord &&
        subjects.matchesWord(text, subject.start, subject.end) &&
        mainClauseWord <= index + 1 &&
        sentenceGoesOn(text, words[cueWord]?.end ?? cuePosition)
      );
    }
    return false;
  }

  /** Whether the word before the cue words[cueWord], in the same clause, is a verb of wanting (§5.3). */
  private followsVolitional(text: string, words: readonly WordSpan[], cueWord: number): boolean {
    const previous = words[cueWord - 1];
    const cue = words[cueWord]!;
    return (
      previous !== undefined &&
      !hasClauseBoundary(text, previous.end, cue.start) &&
      this.volitional.matchesWord(text, previous.start, previous.end)
    );
  }

  /** Whether a conditional word at `position` is part of a declared pseudo-conditional ("ninguém se"). */
  private insidePseudoConditional(position: number): boolean {
    if (this.pseudoConditionals.size === 0) return false;
    this.pseudoConditionalRanges ??= this.pseudoConditionals.occurrences(this.text);
    return insideRanges(this.pseudoConditionalRanges, position);
  }

  /**
   * Whether a quotative pseudo-negation ending at `end` is followed, after spaces only, by one of
   * the declared verbs: then it is reported speech of a negation (…しないと言った), not an obligation.
   */
  private quotedAt(text: string, expression: string, end: number): boolean {
    const quotative = this.quotative;
    if (quotative === null || !quotative.pseudo.has(expression)) return false;
    let next = end;
    while (next < text.length && /\s/.test(text[next]!)) next += 1;
    return quotative.followedBy.startsAt(text, next);
  }

  /**
   * A declared negative subject before the hit (docs/lexicon-format.md §5.8): it reaches the hit
   * within the subjects' `window` words, not counting the words of one insertion enclosed in
   * commas right after it ("Nobody, not one of us, will sign"); no other clause punctuation, no
   * clause word and no breaker outside the insertion, and the subject not void (a pseudo-negation
   * or a conditional before it).
   */
  private negatedBySubject(text: string, words: readonly WordSpan[], hitWord: number, start: number): boolean {
    const subjects = this.subjects!;
    this.subjectRanges ??= subjects.cues.occurrences(text);
    const ranges = this.subjectRanges;
    for (let range = 0; range < ranges.length; range += 2) {
      const subjectStart = ranges[range]!;
      const subjectEnd = ranges[range + 1]!;
      if (subjectEnd > start) continue;
      const lastWord = wordIndexAt(words, subjectEnd - 1);
      if (lastWord >= hitWord || words[lastWord] === undefined) continue;
      // 0: right after the subject; 1: inside the insertion; 2: after it.
      let state = 0;
      let insertionWords = 0;
      let scopeWords = 0;
      let reaches = true;
      for (let index = lastWord + 1; index <= hitWord && reaches; index += 1) {
        const gapStart = index === lastWord + 1 ? subjectEnd : words[index - 1]!.end;
        const gapEnd = index === hitWord ? start : words[index]!.start;
        if (hasClauseBoundary(text, gapStart, Math.min(gapEnd, start))) {
          const comma = onlyOneComma(text, gapStart, Math.min(gapEnd, start));
          if (comma && state === 0 && index === lastWord + 1 && index < hitWord) state = 1;
          else if (comma && state === 1 && insertionWords > 0) state = 2;
          else reaches = false;
        }
        if (index === hitWord || !reaches) break;
        const word = words[index]!;
        if (state === 1) {
          insertionWords += 1;
          continue;
        }
        scopeWords += 1;
        if (
          this.isClauseWord(text, word.start, word.end) ||
          (this.breakers.size > 0 && this.breakers.matchesWord(text, word.start, word.end))
        ) {
          reaches = false;
        }
      }
      if (!reaches || state === 1 || insertionWords > subjects.insertion || scopeWords >= subjects.window) continue;
      const firstWord = wordIndexAt(words, subjectStart);
      if (!this.isVoid(text, words, firstWord, subjectStart)) return true;
    }
    return false;
  }

  /**
   * Occurrences of pseudo-negations in the current text, as [start, end, ...] (the expression set's
   * search: as terms in whitespace scripts), less the quotative ones followed by a verb of saying,
   * found once per text. `isVoid` reads them as a containment test.
   */
  private pseudoOccurrences(): number[] {
    if (this.pseudoRanges === null) {
      const text = this.text;
      const found = this.pseudo.occurrences(text);
      if (this.quotative === null) {
        this.pseudoRanges = found;
      } else {
        const ranges: number[] = [];
        for (let index = 0; index < found.length; index += 2) {
          const start = found[index]!;
          const end = found[index + 1]!;
          if (!this.quotedAt(text, text.slice(start, end), end)) ranges.push(start, end);
        }
        this.pseudoRanges = ranges;
      }
    }
    return this.pseudoRanges;
  }

  /**
   * Whether the hit text[start, end) is negated. `words` may be only a stretch of the text's words,
   * provided it holds `window` words on either side of the hit or reaches the text's edge (as
   * lexicon-words.ts guarantees): that is all this reads, so its indices land on the same words as
   * they would in the whole text's list. `category`: the scanned category of the hit, which decides
   * whether a verb of wanting takes the cue for itself (-1: it does not).
   */
  isNegated(text: string, start: number, end: number, words: readonly WordSpan[], category = -1): boolean {
    const refusal = this.volitionalCategories[category] !== true;
    const { before, after, window } = this;
    const hitWord = wordIndexAt(words, start);
    if (before.size > 0) {
      // An elided cue that starts the hit's own word ("n'expulse"), maybe followed by clitics.
      const ownWord = words[hitWord];
      if (
        this.elided.length > 0 &&
        ownWord !== undefined &&
        ownWord.start < start &&
        this.elidedCueBefore(text, ownWord.start, start) &&
        !this.isVoid(text, words, hitWord, ownWord.start)
      ) {
        return true;
      }
      // Walk back from the hit; a clause boundary ends the negation's scope ("No, I protect him"),
      // and so does a clause word; a breaker takes the negation for itself ("won't stop groping").
      for (let index = hitWord - 1; index >= Math.max(0, hitWord - window); index -= 1) {
        const word = words[index];
        if (word === undefined) break;
        const following = words[index + 1]?.start ?? start;
        if (
          hasClauseBoundary(text, word.end, Math.min(following, start)) &&
          !this.entersDependentClause(text, words, index + 1, hitWord, word.end, Math.min(following, start))
        ) {
          break;
        }
        if (this.isClauseWord(text, word.start, word.end)) break;
        if (before.matchesWord(text, word.start, word.end) && !this.isVoid(text, words, index, word.start)) {
          // "Ich will nicht mit ihm schlafen": the cue right after a verb of wanting is that verb's.
          if (!refusal && this.volitional.size > 0 && this.followsVolitional(text, words, index)) break;
          return true;
        }
        if (this.breakers.size > 0 && this.breakers.matchesWord(text, word.start, word.end)) break;
        // "I don't want to sleep with him": the cue denies the wanting, not the act (a mention).
        if (!refusal && this.volitional.size > 0 && this.volitional.matchesWord(text, word.start, word.end)) break;
      }
    }
    if (this.subjects !== null && this.negatedBySubject(text, words, hitWord, start)) return true;
    if (after.size > 0) {
      // Counted from the hit's LAST word, so a multi-word term that contains a negation itself
      // (Japanese 見捨てない, "never abandon") does not cancel itself.
      const lastWord = wordIndexAt(words, end - 1);
      // The rest of the hit's last word (e.g. a Japanese verb ending), then the next words.
      const ownWord = words[lastWord];
      if (ownWord !== undefined && ownWord.start < end && ownWord.end > end) {
        for (const position of after.occurrencesIn(text, end, ownWord.end)) {
          if (!this.isVoid(text, words, lastWord, position)) return true;
        }
      }
      const firstAfter = ownWord !== undefined && ownWord.start < end ? lastWord + 1 : lastWord;
      for (let index = firstAfter; index < Math.min(words.length, firstAfter + window); index += 1) {
        const word = words[index];
        if (word === undefined) continue;
        const previousEnd = index === firstAfter ? end : (words[index - 1]?.end ?? end);
        if (hasClauseBoundary(text, previousEnd, word.start)) break;
        if (this.isClauseWord(text, word.start, word.end)) break;
        if (after.startsWord(text, word.start, word.end) && !this.isVoid(text, words, index, word.start)) return true;
        if (this.breakers.size > 0 && this.breakers.matchesWord(text, word.start, word.end)) break;
        if (!refusal && this.volitional.size > 0 && this.volitional.matchesWord(text, word.start, word.end)) break;
      }
    }
    return false;
  }

  /**
   * A cheap pre-check: false means `isNegated` is false whatever the words, so they need not be
   * found. Call `setText` first.
   *
   * Sound because of what isNegated reads. A before cue counts only if it is (or, with `*`,
   * starts) one of the words before the hit with no clause punctuation between it and the hit; an
   * after cue only inside the rest of the hit's own word or at the start of one of the words after
   * it, again with no clause punctuation between words. Clause punctuation never lies inside a word
   * (see `stops`). So if no cue occurs between the clause punctuation around the hit and the hit,
   * no cue can negate it. The check ignores the `window`: it only has to be sound, not exact.
   */
  mayNegate(start: number, end: number): boolean {
    const text = this.text;
    if (this.before.size > 0) {
      if (this.before.pattern === null) return true;
      // Which cue occurrences may be words does not depend on the hit: decided once per text.
      this.beforeCues ??= this.before.occurrences(text).filter((cue) => this.mayBeBeforeCue(text, cue));
      // Some cue lies between the last stop before the hit and the hit: the last cue before it does
      // (most hits have none, and then the stops need not be found).
      const lastCue = lastBefore(this.beforeCues, start);
      if (lastCue !== -1) {
        // A declared dependent clause lets a cue reach through commas: then only other stops count.
        const stops = this.dependent === null ? this.stops() : this.hardStops();
        if (lastCue > lastBefore(stops, start)) return true;
      }
    }
    if (this.subjects !== null) {
      // A negative subject reaches through commas (an insertion), never through other stops.
      this.subjectRanges ??= this.subjects.cues.occurrences(text);
      const hardStop = lastBefore(this.hardStops(), start);
      for (let index = 0; index < this.subjectRanges.length; index += 2) {
        const subjectStart = this.subjectRanges[index]!;
        if (subjectStart > hardStop && this.subjectRanges[index + 1]! <= start) return true;
      }
    }
    if (this.after.size > 0) {
      if (this.after.pattern === null) return true;
      this.afterCues ??= this.after.occurrences(text);
      for (const cue of this.afterCues) {
        if (cue >= end && cue < firstFrom(this.stops(), end, text.length)) return true;
      }
    }
    return false;
  }

  /**
   * Whether a before cue found at `position` may be a word of its own (or, for a prefix cue, start
   * one). For whitespace scripts a word starts after a character that is not a letter, mark or
   * digit ("no" in "know" is not a cue) and a whole-word cue must be followed by one ("now" is not
   * "no"); a joiner may follow, which only lets more through. ICU words can start and end anywhere.
   */
  private mayBeBeforeCue(text: string, position: number): boolean {
    if (!this.spaced) return true;
    return wordCodeTable()[codeUnitAt(text, position - 1)] !== 1 && this.before.mayBeWordAt(text, position);
  }

  /**
   * The before cues' literals when the matcher's word-start walk may find their places (whitespace
   * scripts, every literal starting with a letter, mark or digit: a cue that may be a word then
   * starts at a word start); null otherwise.
   */
  get walkableBeforeCues(): readonly string[] | null {
    if (!this.spaced || this.before.size === 0 || this.before.pattern === null) return null;
    const literals = this.before.literals;
    return literals.every((literal) => isWordCode(literal.charCodeAt(0))) ? literals : null;
  }

  /**
   * Starts the current text's before-cue places as found by the word-start walk (call after
   * `setText`): the walk reports each word start where a cue literal starts through `beforeCueAt`,
   * in text order, before it asks `mayNegate` about a hit after it.
   */
  beginWalk(): void {
    const places = this.walkedCues;
    if (places.length !== 0) places.length = 0;
    this.beforeCues = places;
  }

  /** A cue literal starts at the word start `position` (word-start walk). */
  beforeCueAt(text: string, position: number): void {
    if (this.mayBeBeforeCue(text, position)) this.walkedCues.push(position);
  }

  /** Makes `text` the text the next `mayNegate` calls are about. */
  setText(text: string): void {
    this.text = text;
    this.beforeCues = null;
    this.afterCues = null;
    this.clauseStops = null;
    this.nonCommaStops = null;
    this.pseudoRanges = null;
    this.pseudoConditionalRanges = null;
    this.subjectRanges = null;
  }

  /** The clause stops other than commas (a declared dependent clause lets a cue reach through commas). */
  private hardStops(): number[] {
    this.nonCommaStops ??= this.stops().filter((stop) => COMMAS[this.text.charCodeAt(stop)] !== 1);
    return this.nonCommaStops;
  }

  /**
   * Clause punctuation that ends a negation's reach, in order. Whitespace words never contain
   * clause punctuation, but an ICU word may (`3.5`, `1,000`), so for unspaced scripts only
   * punctuation at a cut counts: there a segment starts that is that punctuation alone, not a word.
   */
  private stops(): number[] {
    if (this.clauseStops === null) {
      const stops: number[] = [];
      // `test`, not `exec`: no match array per stop. The pattern is one BMP code unit (no `u`
      // flag), so the stop is the code unit before `lastIndex`.
      CLAUSE_BOUNDARY_PATTERN.lastIndex = 0;
      while (CLAUSE_BOUNDARY_PATTERN.test(this.text)) {
        const stop = CLAUSE_BOUNDARY_PATTERN.lastIndex - 1;
        if (this.spaced || isUnspacedCut(this.text, stop)) stops.push(stop);
      }
      this.clauseStops = stops;
    }
    return this.clauseStops;
  }
}

const SENTENCE_END = new Set(SENTENCE_END_CHARACTERS);
/**
 * Whether a sentence opens at `position`: only quotes, dashes or spaces after a sentence end, a
 * colon or semicolon ("Vi måste vara realistiska: klär vi inte av oss ..."), or the text start.
 */
function opensSentence(text: string, position: number): boolean {
  const isWord = wordCodeTable();
  let before = position - 1;
  while (before >= 0 && isWord[text.charCodeAt(before)] !== 1 && CLAUSE_BOUNDARY[text.charCodeAt(before)] !== 1) {
    before -= 1;
  }
  return before < 0 || SENTENCE_END.has(text[before]!) || ':;：；'.includes(text[before]!);
}
/** Whether at least two words follow `from` in its sentence, which is no question or exclamation. */
function sentenceGoesOn(text: string, from: number): boolean {
  let end = from;
  while (end < text.length && !SENTENCE_END.has(text[end]!)) end += 1;
  if (end < text.length && '?!？！؟'.includes(text[end]!)) return false;
  return (
    text
      .slice(from, end)
      .split(/[\s,;:、，；：،؛]+/u)
      .filter((part) => part !== '').length >= 2
  );
}

/** Whether the clause punctuation in text[from, to) is exactly one comma (an insertion's edge). */
function onlyOneComma(text: string, from: number, to: number): boolean {
  let commas = 0;
  for (let index = from; index < to; index += 1) {
    const code = codeUnitAt(text, index);
    if (CLAUSE_BOUNDARY[code] !== 1) continue;
    if (COMMAS[code] !== 1) return false;
    commas += 1;
  }
  return commas === 1;
}

/** The last value below `limit` (values ascending), or -1. */
function lastBefore(values: readonly number[], limit: number): number {
  let last = -1;
  for (const value of values) {
    if (value >= limit) break;
    last = value;
  }
  return last;
}

/** The first value at or above `limit` (values ascending), or `otherwise`. */
function firstFrom(values: readonly number[], limit: number, otherwise: number): number {
  for (const value of values) if (value >= limit) return value;
  return otherwise;
}

/** Index of the word containing `position`, or of the first word after it. */
export function wordIndexAt(words: readonly WordSpan[], position: number): number {
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
