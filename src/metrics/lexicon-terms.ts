/**
 * Finding the terms at a place of a text, for every category at once.
 *
 * One RegExp over all categories' literals finds the places where a term could start (there, or
 * before a clitic that ends there): V8 runs it as native code from the first text on, so the
 * characters in between cost little. At each such place a character trie yields every literal
 * that starts there, shortest first; each trie node knows, per category, the term whose literal
 * ends at it, and the matcher applies the rules per category from there. Both read UTF-16 code
 * units (the RegExp has no `u` flag), which for well-formed literals is exactly what the old
 * per-category `u`-flagged RegExps matched.
 */

export interface CompiledTerm {
  /** The term as written in the pack (with its `*`). */
  term: string;
  /** Normalised, without the `*`. */
  literal: string;
  stem: boolean;
  /**
   * Where this literal occurs inside the category's exclusion expressions: a hit at `start` lies
   * inside an occurrence of `expression` exactly when the text holds `expression` at `start - offset`
   * for one of these. Checking them at a hit replaces searching the whole text for every exclusion.
   */
  exclusionContexts: readonly { expression: string; offset: number; open: boolean }[];
}

export interface TermNode {
  children: Map<number, TermNode>;
  /** Per category index, the term whose literal ends at this node; null when none does. */
  terms: (CompiledTerm | undefined)[] | null;
}

export interface TermTrie {
  root: TermNode;
  /**
   * Matches (global, no `u` flag) the start of every literal (placePrefixes), so it stops wherever a
   * literal starts and, rarely, where only a literal's start does (the trie then finds none). A
   * category can have a candidate only where a literal starts, or a clitic that ends where one
   * starts. Clitics and word starts are left to the caller: in the pattern they made it several
   * times slower (every position tried every clitic) or ten times as large to compile (a
   * lookbehind over all letters).
   */
  literals: RegExp;
}

/** Literals found at one position: their trie nodes, shortest first, in a reusable buffer. */
export interface LiteralsFound {
  nodes: TermNode[];
  count: number;
}

function createTermNode(): TermNode {
  return { children: new Map(), terms: null };
}

export function buildTermTrie(categories: readonly (readonly CompiledTerm[])[]): TermTrie {
  const root = createTermNode();
  const literals = new Set<string>();
  categories.forEach((terms, categoryIndex) => {
    for (const term of terms) {
      let node = root;
      for (let index = 0; index < term.literal.length; index += 1) {
        const code = term.literal.charCodeAt(index);
        let child = node.children.get(code);
        if (child === undefined) {
          child = createTermNode();
          node.children.set(code, child);
        }
        node = child;
      }
      node.terms ??= new Array<CompiledTerm | undefined>(categories.length).fill(undefined);
      node.terms[categoryIndex] = term;
      literals.add(term.literal);
    }
  });
  return { root, literals: literalPattern(placePrefixes([...literals])) };
}

/**
 * The place-finding RegExp holds the literals' starts rather than the literals. It only has to stop
 * wherever a literal starts (the trie then says exactly which, at the cost of one short walk per
 * stop), and a RegExp of the whole literals crossed V8's size limit for optimised RegExp code (a
 * pattern of 20 K characters: the Russian lexicon 2.1.0's 1,608 literals are 20.8 K), past which
 * it scanned ten times slower (33 instead of 3 microseconds per utterance), so every text of a pack
 * paid for its lexicon's growth. Eight code units keep the stops where no literal starts few (about
 * 7 per utterance against 5 for whole literals; four code units made 20-30, which cost more than
 * they saved); shorter starts are taken only when a lexicon is so large that even the starts would
 * cross PLACE_PATTERN_LIMIT.
 */
const PLACE_PREFIX_LENGTHS = [8, 6, 5, 4, 3, 2, 1];
/** Characters of RegExp source kept below V8's 20 K limit for optimised code, with room to spare. */
const PLACE_PATTERN_LIMIT = 16_000;

/**
 * The literals' starts the place-finding RegExp needs: each literal's first code units (the
 * longest length of PLACE_PREFIX_LENGTHS whose pattern stays below PLACE_PATTERN_LIMIT), without
 * those that begin with a shorter one of the set (it stops the RegExp at every place they would).
 */
export function placePrefixes(literals: readonly string[]): string[] {
  let prefixes: string[] = [];
  for (const length of PLACE_PREFIX_LENGTHS) {
    prefixes = minimalPrefixes(literals, length);
    if (prefixes.reduce((size, prefix) => size + escapeForRegExp(prefix).length + 1, 0) <= PLACE_PATTERN_LIMIT) break;
  }
  return prefixes;
}

function minimalPrefixes(literals: readonly string[], length: number): string[] {
  const prefixes = new Set(literals.map((literal) => literal.slice(0, length)));
  return [...prefixes].filter((prefix) => {
    for (let shorter = 1; shorter < prefix.length; shorter += 1) {
      if (prefixes.has(prefix.slice(0, shorter))) return false;
    }
    return true;
  });
}

/** One RegExp (global, no `u` flag) matching every literal; one that matches nothing when there are none. */
export function literalPattern(literals: readonly string[]): RegExp {
  // Matches nothing: a lexicon without terms has no candidates.
  if (literals.length === 0) return /(?!)/g;
  return new RegExp(literals.map(escapeForRegExp).join('|'), 'g');
}

/** `text` as a literal inside a RegExp pattern. */
export function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Fills the buffers of every lexicon from the start, so they share one array shape (V8 "map"). */
const NO_NODE = createTermNode();

export function createLiteralsFound(): LiteralsFound {
  return { nodes: new Array<TermNode>(16).fill(NO_NODE), count: 0 };
}

/** Fills `found` with the trie nodes of the literals that start at `start` in `text`, shortest first. */
export function literalsAt(trie: TermTrie, text: string, start: number, found: LiteralsFound): void {
  found.count = 0;
  let node = trie.root;
  for (let index = start; index < text.length; index += 1) {
    const child = node.children.get(text.charCodeAt(index));
    if (child === undefined) return;
    node = child;
    if (node.terms !== null) found.nodes[found.count++] = node;
  }
}

/** Whether one of the literals found ends a term of the category. */
export function hasCategory(found: LiteralsFound, categoryIndex: number): boolean {
  for (let index = 0; index < found.count; index += 1) {
    if (found.nodes[index]!.terms![categoryIndex] !== undefined) return true;
  }
  return false;
}
