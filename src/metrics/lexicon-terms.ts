/**
 * The plain terms of all categories as one character trie: each node knows, per category, the term
 * whose literal ends at it, and the matcher applies the rules per category from there. The matcher
 * walks it through the word-start automaton built from it (lexicon-word-starts.ts), which reads
 * UTF-16 code units, as the old per-category RegExps (no `u` flag on well-formed literals) did.
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
      node.terms ??= packedArray<CompiledTerm | undefined>(categories.length, undefined);
      node.terms[categoryIndex] = term;
    }
  });
  return { root };
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
  return { nodes: packedArray<TermNode>(16, NO_NODE), count: 0 };
}

/**
 * An array of `length` copies of `value` with no holes in V8's sense: `new Array(n).fill(v)` keeps
 * the holey elements kind of `new Array(n)` for good, and every read of a holey array in the hot
 * loops checks for the hole.
 */
export function packedArray<Value>(length: number, value: Value): Value[] {
  const array: Value[] = [];
  for (let index = 0; index < length; index += 1) array.push(value);
  return array;
}

/** Whether one of the literals found ends a term of the category. */
export function hasCategory(found: LiteralsFound, categoryIndex: number): boolean {
  for (let index = 0; index < found.count; index += 1) {
    if (found.nodes[index]!.terms![categoryIndex] !== undefined) return true;
  }
  return false;
}
