import { describe, expect, it } from 'vitest';
import { createMulberry32, deriveSeed, type LanguagePack } from '../contracts/index.js';
import { listLanguageTags, loadLanguagePack } from '../languages/index.js';
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
