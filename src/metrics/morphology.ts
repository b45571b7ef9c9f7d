import { createRequire } from 'node:module';
import type { Capabilities } from '../contracts/index.js';

/**
 * A pack's declared morphology (capabilities.morphology, docs/lexicon-format.md §3) as one function
 * from a normalised word to its stem, used for the `~word` words of lexicon terms. Shared code knows
 * no language: the pack names a Snowball algorithm and/or lists its affixes.
 *
 * Snowball stemmers come from the maintained snowball-stemmers package (ports of the Snowball
 * project's algorithms); it is loaded on first use only, so packs without a stemmer (and commands
 * that never match a lexicon) do not pay for it. Stems are cached per word: a study repeats the
 * same few thousand words, and a Snowball call costs about a microsecond.
 */

export interface Morphology {
  /** The stem of a normalised word (cached per word). */
  stem(word: string): string;
  /**
   * The anchor of a `~word`: what a text word must begin with (directly or after one clitic or
   * declared prefix) to be a candidate, so that the matcher finds candidates with its one literal
   * scan instead of stemming every word of every text (docs/lexicon-format.md §3). It is the common
   * beginning of the word (after the declared prefix that stemming removed) and its stem, less its
   * last letter when at least three stay, because stemmers rewrite a stem's end ("groping" ->
   * "grope"); when the two share fewer than three letters and the word is longer (a stemmer that
   * rewrites early letters: German "küssen" -> "kuss"), the word's first three letters.
   */
  anchor(word: string): string;
  /** The declared prefixes, longest first (a text word may carry one before the anchor). */
  readonly prefixes: readonly string[];
}

interface SnowballFactory {
  newStemmer(algorithm: string): { stem(word: string): string };
  algorithms(): string[];
}

const require = createRequire(import.meta.url);
let snowball: SnowballFactory | null = null;

/** The snowball-stemmers module (CommonJS), loaded once on first need. */
export function snowballFactory(): SnowballFactory {
  snowball ??= require('snowball-stemmers') as SnowballFactory;
  return snowball;
}

const STEM_CACHE_LIMIT = 50_000;
const DEFAULT_MIN_STEM = 3;

/**
 * The morphology a pack declares, or null when it declares none (then `~word` matches only the
 * word itself; the pack check refuses `~` words without morphology).
 */
export function createMorphology(capabilities: Pick<Capabilities, 'morphology'>): Morphology | null {
  const morphology = capabilities.morphology;
  if (morphology === undefined) return null;
  const snowballStemmer =
    morphology.stemmer === undefined
      ? null
      : snowballFactory().newStemmer(morphology.stemmer.slice('snowball:'.length));
  // Longest first: the longest declared affix that leaves a long enough stem is removed.
  const prefixes = [...(morphology.prefixes ?? [])].sort((a, b) => b.length - a.length);
  const suffixes = [...(morphology.suffixes ?? [])].sort((a, b) => b.length - a.length);
  const minStem = morphology.minStem ?? DEFAULT_MIN_STEM;
  const cache = new Map<string, string>();
  const stem = (word: string): string => {
    const known = cache.get(word);
    if (known !== undefined) return known;
    const stripped = stripAffixes(word, prefixes, suffixes, minStem);
    const result = snowballStemmer === null ? stripped.stem : snowballStemmer.stem(stripped.stem);
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(word, result);
    return result;
  };
  return {
    stem,
    anchor(word) {
      const stripped = stripAffixes(word, prefixes, suffixes, minStem);
      const rest = word.slice(stripped.prefix.length);
      const wordStem = stem(word);
      let common = 0;
      while (
        common < rest.length &&
        common < wordStem.length &&
        rest.charCodeAt(common) === wordStem.charCodeAt(common)
      ) {
        common += 1;
      }
      // Short anchors would make nearly every position a candidate ("g" of "go" in every word).
      if (common >= 4) return rest.slice(0, common - 1);
      if (common >= 3 || common === rest.length) return rest.slice(0, Math.max(common, 1));
      return rest.slice(0, Math.min(rest.length, 3));
    },
    prefixes,
  };
}

/** The longest declared prefix, then the longest declared suffix, each only if `minStem` characters stay. */
export function stripAffixes(
  word: string,
  prefixes: readonly string[],
  suffixes: readonly string[],
  minStem: number,
): { stem: string; prefix: string } {
  let stem = word;
  let removed = '';
  for (const prefix of prefixes) {
    if (stem.startsWith(prefix) && stem.length - prefix.length >= minStem) {
      stem = stem.slice(prefix.length);
      removed = prefix;
      break;
    }
  }
  for (const suffix of suffixes) {
    if (stem.endsWith(suffix) && stem.length - suffix.length >= minStem) {
      stem = stem.slice(0, stem.length - suffix.length);
      break;
    }
  }
  return { stem, prefix: removed };
}
