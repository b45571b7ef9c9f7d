import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMulberry32, deriveSeed, type LanguagePack } from '../contracts/index.js';
import { languagePackFile, listLanguageTags, loadLanguagePack } from '../languages/index.js';
import { codeUnitAt, isJoinerCode, isWordCode, isUnspacedCut, wordCodeTable } from './lexicon-characters.js';
import { compileLexicon } from './lexicon.js';
import { compileLexicon as compileReferenceLexicon } from './lexicon-reference.test-support.js';

/**
 * Guards for the matcher's throughput work (bench/lexicon.bench.ts), which must not change a single
 * match. Each optimisation has a way to go wrong that the general differential test
 * (lexicon-differential.test.ts) reaches only by chance:
 *
 * - character tables read through `codeUnitAt`, which answers 0 outside the text where
 *   `charCodeAt` answered NaN: wrong if code unit 0 answered differently from "outside" in a
 *   table, or if a bound were off by one, so hits that touch the text's first or last character are
 *   where it shows;
 * - pseudo-negations found by one RegExp and compared by first code unit instead of one search per
 *   expression: wrong if overlapping or nested occurrences (an expression inside another, two
 *   starting at one place) were missed;
 * - per-text state (word lists, cue places, pseudo-negation ranges, quoted stretches) kept between
 *   the questions about one text: wrong if any of it leaked into the next text, so texts are
 *   matched in sequence, repeated and interleaved.
 *
 * Texts are made of the lexicon's own material (terms, negated terms, pseudo-negations, cues, sense
 * contexts, exclusions, quotation marks), so that almost every one has hits, cues and voided cues,
 * and half of them begin or end exactly at a term.
 */

const TEXTS_PER_PACK = Number(process.env.LEXICON_THROUGHPUT_TEXTS ?? 250);

describe('character tables read outside the text', () => {
  it('codeUnitAt answers the code unit inside the text and 0 outside it', () => {
    const text = 'ab’c';
    for (let index = 0; index < text.length; index += 1) expect(codeUnitAt(text, index)).toBe(text.charCodeAt(index));
    expect(codeUnitAt(text, -1)).toBe(0);
    expect(codeUnitAt(text, text.length)).toBe(0);
    expect(codeUnitAt('', 0)).toBe(0);
  });

  it('code unit 0 answers as the end of a text did in every table', () => {
    expect(wordCodeTable()[0]).toBe(0);
    expect(isWordCode(0)).toBe(false);
    expect(isWordCode(Number.NaN)).toBe(false);
    expect(isJoinerCode(0)).toBe(false);
    expect(isJoinerCode(Number.NaN)).toBe(false);
    expect(isUnspacedCut('a\u0000', 1)).toBe(false);
  });
});

describe('lexicon matcher against the reference on texts made of the lexicon itself', () => {
  for (const tag of listLanguageTags()) {
    it(`${tag}: ${TEXTS_PER_PACK} texts, matched in order, again in reverse and each twice`, () => {
      const pack = loadLanguagePack(tag);
      const matcher = compileLexicon(pack);
      const reference = compileReferenceLexicon(pack);
      const random = createMulberry32(deriveSeed(20261207, `throughput:${tag}`));
      const material = materialOf(pack);
      const texts = Array.from({ length: TEXTS_PER_PACK }, () => randomText(material, random));
      const expected = texts.map((text) => reference.match(text));
      const mismatches: string[] = [];
      const check = (index: number) => {
        const actual = matcher.match(texts[index]!);
        if (JSON.stringify(actual) !== JSON.stringify(expected[index]) && mismatches.length < 5) {
          mismatches.push(
            `${JSON.stringify(texts[index])}\n  matcher:   ${JSON.stringify(actual)}\n  reference: ${JSON.stringify(expected[index])}`,
          );
        }
      };
      for (let index = 0; index < texts.length; index += 1) check(index);
      for (let index = texts.length - 1; index >= 0; index -= 1) {
        check(index);
        check(index);
      }
      expect(mismatches).toEqual([]);
      // The texts reach what they are made for: hits at both edges of texts, and negation.
      const hits = expected.flat();
      expect(hits.some((hit) => hit.start === 0)).toBe(true);
      expect(
        texts.some((text, index) => expected[index]!.some((hit) => hit.end === matcher.normalise(text).length)),
      ).toBe(true);
    });
  }
});

interface Material {
  /** Terms, negated terms and sense contexts as text (a final `*` dropped; `~` and `...` resolved). */
  terms: string[];
  /** Pseudo-negations, negation cues, exclusions, quotation marks. */
  rules: string[];
  /** Unspaced scripts join pieces without spaces. */
  spaced: boolean;
}

function materialOf(pack: LanguagePack): Material {
  const categories = Object.values(pack.lexicon.categories);
  const asText = (term: string) =>
    term
      .split(' ')
      .filter((word) => !/^\.\.\.\d?$/.test(word))
      .map((word) => word.replace(/^~/, '').replace(/\*$/, ''))
      .join(' ');
  const terms = [
    ...categories.flatMap((category) => [...category.terms, ...(category.negatedTerms ?? [])]),
    ...categories.flatMap((category) => (category.senseBlocks ?? []).flatMap((block) => block.context)),
  ]
    .map(asText)
    .filter((term) => term.trim() !== '');
  const negation = pack.lexicon.negation;
  const rules = [
    ...(negation.pseudo ?? []),
    ...negation.before,
    ...negation.after,
    ...(negation.conditionals ?? []),
    ...(negation.breakers ?? []),
    ...categories.flatMap((category) => category.exclude),
    ...pack.lexicon.quotes.flat(),
  ]
    .map(asText)
    .filter((rule) => rule.trim() !== '');
  return { terms, rules, spaced: pack.capabilities.segmentation === 'whitespace' };
}

const JOINERS = [' ', ' ', ' ', ', ', '. ', '? ', ' "', '" ', '-', "'", ''];

function randomText(material: Material, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pieces = 2 + Math.floor(random() * 7);
  const parts: string[] = [];
  for (let index = 0; index < pieces; index += 1) {
    const roll = random();
    // A term, a rule (pseudo-negation, cue, exclusion, quotation mark), or two rules run together
    // so that pseudo-negations overlap and nest.
    if (roll < 0.5) parts.push(pick(material.terms));
    else if (roll < 0.85) parts.push(pick(material.rules));
    else parts.push(pick(material.rules) + (material.spaced ? ' ' : '') + pick(material.rules));
  }
  let text = '';
  parts.forEach((part, index) => {
    text += index === 0 ? part : (material.spaced ? pick(JOINERS) : pick(['', '', '，', '。', '「', '」'])) + part;
  });
  // Half the texts end exactly at their last piece and begin at their first; the others are
  // framed by a letter or punctuation.
  if (random() < 0.5) text = `${pick(['', '.', 'a', ' '])}${text}${pick(['', '!', 'x', ' '])}`;
  return text;
}

/**
 * The word-start walk (lexicon.ts, lexicon-word-starts.ts) finds, in whitespace scripts, the plain
 * candidates, the pattern requests (also right after clitics and declared prefixes) and the places
 * of the patterns' further parts in one pass over the word starts, where separate scans over every
 * position used to. Its ways to go wrong: a place that is not a word start to the walk but is one to
 * the rules (after an apostrophe or hyphen, next to an astral letter or a digit), an anchor right
 * after a clitic or prefix, a further part's literal inside a word (which must not count as its
 * place), or one that occurs only before the first part. So every whitespace pack is matched, with
 * its own clitics and with clitics and prefixes added from its terms' first letters, on texts of its
 * terms glued to those affixes, to letters, astral letters, digits and joiners, against the
 * reference implementation.
 */
describe('word-start walk against the reference: terms glued to clitics, prefixes, letters and joiners', () => {
  const spacedTags = listLanguageTags().filter(
    (tag) => JSON.parse(readFileSync(languagePackFile(tag), 'utf8')).capabilities?.segmentation === 'whitespace',
  );
  for (const tag of spacedTags) {
    it(`${tag}: ${WALK_TEXTS} texts with its clitics, and with added clitics and prefixes`, () => {
      const pack = loadLanguagePack(tag);
      const random = createMulberry32(deriveSeed(20261207, `word-start-walk:${tag}`));
      const material = materialOf(pack);
      const affixed = withAffixes(pack, material);
      const glue = [
        ...pack.lexicon.cliticPrefixes,
        ...affixed.lexicon.cliticPrefixes,
        ...(affixed.capabilities.morphology?.prefixes ?? []),
      ];
      const mismatches: string[] = [];
      let gluedHits = 0;
      for (const variant of [pack, affixed]) {
        const matcher = compileLexicon(variant);
        const reference = compileReferenceLexicon(variant);
        for (let index = 0; index < WALK_TEXTS / 2; index += 1) {
          const text = gluedText(material, glue, random);
          const expected = reference.match(text);
          const actual = matcher.match(text);
          const normalised = matcher.normalise(text);
          gluedHits += expected.filter(
            (hit) => hit.start > 0 && /[\p{L}\p{M}\p{N}'-]/u.test(normalised[hit.start - 1]!),
          ).length;
          if (JSON.stringify(actual) !== JSON.stringify(expected) && mismatches.length < 5) {
            mismatches.push(
              `${JSON.stringify(text)}\n  matcher:   ${JSON.stringify(actual)}\n  reference: ${JSON.stringify(expected)}`,
            );
          }
        }
      }
      expect(mismatches).toEqual([]);
      // The texts reach what they are made for: hits that start inside a written word (after a
      // clitic, a prefix or a joiner).
      expect(gluedHits).toBeGreaterThan(0);
    });
  }
});

const WALK_TEXTS = Number(process.env.LEXICON_WALK_TEXTS ?? 160);

/** The pack with two clitics and two declared prefixes more, made of its terms' first letters (so they often stand before an anchor). */
function withAffixes(pack: LanguagePack, material: Material): LanguagePack {
  const changed = structuredClone(pack);
  const starts = [
    ...new Set(
      material.terms
        .map((term) => term.toLowerCase().normalize('NFKC'))
        .filter((term) => /^[\p{L}]{3}/u.test(term))
        .map((term) => term.slice(0, 2)),
    ),
  ];
  const [first = 'a', second = 'b', third = 'c', fourth = 'd'] = starts;
  changed.lexicon.cliticPrefixes = [...changed.lexicon.cliticPrefixes, first, `${second}'`];
  const morphology = changed.capabilities.morphology;
  changed.capabilities.morphology = {
    ...(morphology ?? {}),
    prefixes: [...(morphology?.prefixes ?? []), third, fourth.slice(0, 1)],
  };
  return changed;
}

const GLUE_AROUND = ['', '', '', 'x', '𐐨', '7', "'", '-', 'qu'];

/** Terms and rules joined by spaces and punctuation, each maybe glued to an affix, letters, an astral letter, a digit or a joiner. */
function gluedText(material: Material, affixes: readonly string[], random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pieces = 2 + Math.floor(random() * 6);
  let text = '';
  for (let index = 0; index < pieces; index += 1) {
    const piece = random() < 0.7 ? pick(material.terms) : pick(material.rules);
    const before = random() < 0.4 && affixes.length > 0 ? pick(affixes) : pick(GLUE_AROUND);
    const after = random() < 0.2 ? pick(GLUE_AROUND) : '';
    text += (index === 0 ? '' : pick(JOINERS)) + before + piece + after;
  }
  return text;
}
