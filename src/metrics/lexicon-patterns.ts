import type { Morphology } from './morphology.js';

/**
 * The v2 term syntax (docs/lexicon-format.md §2-4): a term with a `~word` (stem) or a `...` gap is a
 * pattern term, matched word by word; every other term is a plain term, matched by the v1 scan
 * exactly as before. This module parses and compiles pattern terms; lexicon-pattern-scan.ts finds
 * them in a text. The reference implementation (lexicon-reference.test-support.ts) parses with the
 * same function, so that both read the syntax alike and differ only in how they match.
 */

/** Most words a `...N` gap may span. */
export const MAX_GAP = 8;
/** The gap of a bare `...` when the lexicon declares no `maxGap`. */
export const DEFAULT_MAX_GAP = 3;

export type PatternPart =
  /** A word (or, in unspaced scripts, a run of characters) from a word start; `*`: may continue. */
  | { kind: 'word'; literal: string; prefix: boolean }
  /**
   * A word that begins with `anchor` (directly or after one clitic or declared prefix) and whose
   * stem (or, after a clitic, the stem of the rest) equals `stem`.
   */
  | { kind: 'stem'; stem: string; anchor: string };

export interface PatternTerm {
  /** The term as written in the pack. */
  term: string;
  parts: PatternPart[];
  /** gaps[i]: most words between parts[i] and parts[i + 1]. */
  gaps: number[];
  /** What the first part's text must hold at (or, for stems, near) its start: the candidate literal. */
  anchor: string;
  /** Position of the term in its category's list (ties between candidates go to the earlier term). */
  order: number;
}

const GAP = /^\.\.\.(\d)?$/;

/** Whether a written term uses the v2 pattern syntax (a `~word` or a `...` gap). */
export function isPatternTerm(written: string): boolean {
  return written.split(' ').some((word) => word.startsWith('~') || GAP.test(word));
}

/**
 * Parses a pattern term, or returns null for a plain term. Words are separated by spaces; a gap
 * never starts or ends a term, and two gaps never follow each other (the pack check refuses both;
 * here such gaps are ignored). Without declared morphology a `~word` matches only the word itself.
 */
export function parsePatternTerm(
  written: string,
  order: number,
  normalise: (text: string) => string,
  morphology: Morphology | null,
  maxGap: number,
): PatternTerm | null {
  if (!isPatternTerm(written)) return null;
  const parts: PatternPart[] = [];
  const gaps: number[] = [];
  let pendingGap = 0;
  for (const word of written.trim().split(/ +/)) {
    const gap = GAP.exec(word);
    if (gap !== null) {
      if (parts.length > 0) pendingGap = gap[1] === undefined ? maxGap : Math.min(MAX_GAP, Number(gap[1]));
      continue;
    }
    let part: PatternPart | null;
    if (word.startsWith('~')) {
      const normalised = normalise(word.slice(1)).trim();
      if (normalised === '') continue;
      part =
        morphology === null
          ? { kind: 'word', literal: normalised, prefix: false }
          : { kind: 'stem', stem: morphology.stem(normalised), anchor: morphology.anchor(normalised) };
    } else {
      const prefix = word.endsWith('*');
      const literal = normalise(prefix ? word.slice(0, -1) : word).trim();
      if (literal === '') continue;
      part = { kind: 'word', literal, prefix };
    }
    if (parts.length > 0) gaps.push(pendingGap);
    pendingGap = 0;
    parts.push(part);
  }
  const first = parts[0];
  if (first === undefined) return null;
  return { term: written, parts, gaps, anchor: first.kind === 'word' ? first.literal : first.anchor, order };
}
