import { describe, expect, it } from 'vitest';
import { createMulberry32, deriveSeed, type LanguagePack } from '../contracts/index.js';
import { listLanguageTags, loadLanguagePack, loadValidationSet } from '../languages/index.js';
import { compileLexicon } from './lexicon.js';
import { isPatternTerm } from './lexicon-patterns.js';
import { compileLexicon as compileReferenceLexicon } from './lexicon-reference.test-support.js';

/**
 * The lexicon matcher against the implementation it replaced (lexicon-reference.test-support.ts),
 * which is the specification: on every pack's phrase bank, scenario, prompts, personas and
 * validation texts, and on seeded random recombinations of them with the lexicon's own terms,
 * exclusions, negation cues, clitics and quotation marks, both must return identical matches
 * (category, term, text, start, end) from `match()` and identical `analyse()` word counts.
 *
 * `LEXICON_DIFFERENTIAL_TEXTS=20000 npx vitest run src/metrics/lexicon-differential` runs a longer
 * soak (random texts per pack and variant).
 */

const RANDOM_TEXTS = Number(process.env.LEXICON_DIFFERENTIAL_TEXTS ?? 1200);
const MAX_REPORTED = 5;

const SEPARATORS = [
  '',
  ' ',
  ' ',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  '\u3000',
  ', ',
  ',',
  '. ',
  '.',
  '。',
  '、',
  '，',
  '! ',
  '?',
  '！',
  '？',
  ' - ',
  '-',
  '‐',
  "'",
  '’',
  'ʼ',
  '"',
  ' "',
  '" ',
  '«',
  '»',
  '„',
  '“',
  '”',
  '‘',
  '「',
  '」',
  '『',
  '』',
  '(',
  ')',
  '（',
  '）',
  ': ',
  '：',
  ';',
  '；',
  '…',
  '1',
  '42',
  '3.5',
  '1,000',
  '_',
  '・',
  'ー',
  '々',
  '\u200d',
  '\u0301',
  '👍',
  '🇯🇵',
  'ＡＢＣ',
  'ﾃｽﾄ',
  '؟',
  '،',
  '।',
];

interface Corpus {
  /** Texts taken whole from the pack. */
  texts: string[];
  /** Pieces to recombine: the texts plus the lexicon's own material. */
  fragments: string[];
}

function corpusOf(pack: LanguagePack): Corpus {
  const names = pack.personas.map((persona) => persona.name);
  const fill = (text: string, index: number): string =>
    text
      .replaceAll('{target}', names[(index + 9) % names.length] ?? '')
      .replaceAll('{name}', names[index % names.length] ?? '')
      .replaceAll('{speaker}', names[(index + 3) % names.length] ?? '');
  const raw = [
    ...Object.values(pack.phraseBank).flat(),
    ...pack.scenario.turns.map((turn) => turn.text),
    pack.scenario.title,
    pack.scenario.setting,
    ...pack.personas.flatMap((persona) => [persona.name, persona.role, persona.description]),
    ...Object.values(pack.prompts.interventions),
    pack.prompts.actionFormat,
    pack.prompts.nothingObserved,
    ...(loadValidationSet(pack.meta.tag) ?? []).map((item) => item.text),
  ];
  const texts = [...new Set([...raw, ...raw.map(fill)])];
  const lexicon = pack.lexicon;
  const terms = Object.values(lexicon.categories).flatMap((category) =>
    category.terms.map((term) => term.replace(/\*$/, '')),
  );
  const fragments = [
    ...texts,
    ...terms,
    ...terms.map((term) => term.toUpperCase()),
    ...Object.values(lexicon.categories).flatMap((category) => category.exclude),
    ...lexicon.negation.before,
    ...lexicon.negation.after,
    ...(lexicon.negation.quotative?.followedBy ?? []),
    ...(lexicon.negation.pseudoConditionals ?? []),
    ...(lexicon.negation.subjects?.cues ?? []),
    ...lexicon.cliticPrefixes.flatMap((clitic) => terms.slice(0, 20).map((term) => clitic + term)),
    ...lexicon.quotes.flat(),
    ...names,
  ].filter((fragment) => fragment !== '');
  return { texts, fragments };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A random utterance: fragments of this pack (sometimes of another) joined by random separators. */
function randomText(own: Corpus, others: readonly Corpus[], random: () => number): string {
  const pieces = 1 + Math.floor(random() * 6);
  let text = '';
  for (let index = 0; index < pieces; index += 1) {
    const source = random() < 0.1 ? pick(others, random) : own;
    let fragment = pick(source.fragments, random);
    if (fragment.length > 40 && random() < 0.5) {
      // A slice of a long text: words cut in the middle, clauses without their start.
      const from = Math.floor(random() * fragment.length);
      fragment = fragment.slice(from, from + 1 + Math.floor(random() * 40));
    }
    text += (index === 0 && random() < 0.7 ? '' : pick(SEPARATORS, random)) + fragment;
    if (random() < 0.3) text += pick(SEPARATORS, random);
  }
  const roll = random();
  if (roll < 0.05) text = text.toUpperCase();
  else if (roll < 0.1) text = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  else if (roll < 0.15) text = ` ${text}  `;
  return text;
}

/** Variants of a pack's lexicon that reach paths the real packs do not (clitics in every script, case). */
function variantsOf(pack: LanguagePack): { name: string; pack: LanguagePack }[] {
  const terms = Object.values(pack.lexicon.categories).flatMap((category) => category.terms);
  // Short prefixes of real terms, so that "clitic" and "term's own first letters" collide.
  const clitics = [...new Set(terms.slice(0, 40).flatMap((term) => [term.slice(0, 1), term.slice(0, 2)]))].filter(
    (clitic) => clitic !== '' && !clitic.includes('*'),
  );
  return [
    { name: 'as shipped', pack },
    { name: 'with v2 rules on its own words', pack: withV2Rules(pack) },
    {
      name: 'with clitics, case-sensitive, window 1',
      pack: {
        ...pack,
        capabilities: { ...pack.capabilities, caseSensitive: true },
        lexicon: {
          ...pack.lexicon,
          cliticPrefixes: [...pack.lexicon.cliticPrefixes, ...clitics.slice(0, 12)],
          negation: { ...pack.lexicon.negation, window: 1 },
        },
      },
    },
  ];
}

/**
 * The pack with every rule of the lexicon format v2 (docs/lexicon-format.md) built from its own
 * words: stem terms, gap patterns, negated-only terms, sense blocks, declared morphology, clause
 * words, breakers, verbs of wanting, conditionals and main-clause words, pseudo-negations and a register's declared negation, so that random recombinations of the pack's
 * texts reach them.
 */
function withV2Rules(pack: LanguagePack): LanguagePack {
  const spaced = pack.capabilities.segmentation === 'whitespace';
  const categories = Object.entries(pack.lexicon.categories);
  const plainWords = (terms: readonly string[]) =>
    terms.filter((term) => !term.includes(' ')).map((term) => term.replace(/\*$/, ''));
  // Short words of the pack's own texts (function words, particles) stand in for clause words,
  // breakers and conditionals.
  const textWords = [
    ...new Set(
      Object.values(pack.phraseBank)
        .flat()
        .flatMap((phrase) => phrase.toLowerCase().split(/[\s,.!?。、，！？]+/u))
        .filter((word) => word !== '' && !word.includes('{')),
    ),
  ].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const shortWords = spaced
    ? textWords.filter((word) => /^\p{L}+$/u.test(word))
    : [...new Set(textWords.map((word) => word.slice(0, 1)))];
  const cue = pack.lexicon.negation.before[0] ?? pack.lexicon.negation.after[0] ?? 'no';
  const joiner = spaced ? ' ' : '';
  const next = (index: number) => categories[(index + 1) % categories.length]![1];
  // The first register category declares that negation applies to it after all; the others keep
  // the default (negation ignored for registers), so both paths are compared.
  const firstRegister = categories.findIndex(([, category]) => category.registerOf !== undefined);
  return {
    ...pack,
    capabilities: {
      ...pack.capabilities,
      morphology: spaced
        ? { stemmer: 'snowball:english', suffixes: ['s', 'en', 'ом'], prefixes: ['me', 'di'], minStem: 3 }
        : { suffixes: ['た', 'ます', '了'], minStem: 1 },
    },
    lexicon: {
      ...pack.lexicon,
      maxGap: 2,
      negation: {
        ...pack.lexicon.negation,
        clauseWords: shortWords.slice(0, 2),
        breakers: [shortWords[2] ?? 'x', `${shortWords[3] ?? 'y'}*`],
        conditionals: shortWords.slice(4, 6),
        conditionalWindow: 4,
        volitional: { verbs: [shortWords[13] ?? 'r', `${shortWords[14] ?? 's'}*`], categories: [categories[0]![0]] },
        mainClause: [shortWords[15] ?? 't', shortWords[1] ?? 'o'],
        afterWholeWord: pack.lexicon.negation.after.slice(0, 2),
        verbFirstConditional: { subjects: [shortWords[16] ?? 'n', `${shortWords[17] ?? 'm'}*`] },
        pseudo: [`${cue}${joiner}${shortWords[6] ?? 'z'}`, `${cue}${shortWords[7] ?? 'q'}*`],
        quotative: { pseudo: [`${cue}${joiner}${shortWords[6] ?? 'z'}`], followedBy: [shortWords[8] ?? 'p'] },
        pseudoConditionals: [`${shortWords[9] ?? 'v'}${joiner}${shortWords[4] ?? 'w'}`],
        subjects: { cues: [cue, `${shortWords[12] ?? 'u'}${joiner}${cue}`], window: 8, insertion: 3 },
        // Short words and the second letter of the lexicon's first term (an infix of its own words).
        dependentClause: {
          markers: [shortWords[10] ?? 'r', `${shortWords[11] ?? 's'}*`],
          infixes: [(categories[0]?.[1].terms[0] ?? 'ab').replace(/[*~ ]/g, '').slice(1, 2) || 'b'],
        },
      },
      categories: Object.fromEntries(
        categories.map(([name, category], index) => {
          const words = plainWords(category.terms);
          const other = plainWords(next(index).terms);
          return [
            name,
            {
              ...category,
              ...(index === firstRegister ? { negation: 'applies' as const } : {}),
              // The first four one-word terms become stem terms (kept as plain terms, they would
              // win every place their stems could match).
              terms: [
                ...category.terms.filter((term) => !words.slice(0, 4).includes(term.replace(/\*$/, ''))),
                ...words.slice(0, 4).map((word) => `~${word}`),
                `${words[4] ?? 'a'} ... ${words[5] ?? 'b'}*`,
                `~${words[6] ?? 'c'} ...1 ${words[7] ?? 'd'}`,
                `${words[1] ?? 'e'} ...0 ~${other[0] ?? 'f'}`,
                `${words[2] ?? 'j'} ...2 ${shortWords[9] ?? 'l'} ...1 ${words[3] ?? 'm'}*`,
              ],
              negatedTerms: [...other.slice(1, 4), `~${other[4] ?? 'g'}`, `${other[5] ?? 'h'} ... ${other[6] ?? 'i'}*`],
              senseBlocks: [
                {
                  terms: [category.terms[0]!, category.terms[1] ?? category.terms[0]!, `~${words[0] ?? 'a'}`],
                  context: [...other.slice(7, 10), `${shortWords[8] ?? 'k'}*`],
                  window: 3,
                },
              ],
            },
          ];
        }),
      ),
    },
  };
}

interface Mismatch {
  text: string;
  expected: string;
  actual: string;
}

function compare(
  pack: LanguagePack,
  texts: readonly string[],
): { mismatches: Mismatch[]; matches: number; v2Matches: number } {
  const reference = compileReferenceLexicon(pack);
  const lexicon = compileLexicon(pack);
  const mismatches: Mismatch[] = [];
  const negatedTerms = new Set(
    Object.values(pack.lexicon.categories).flatMap((category) => category.negatedTerms ?? []),
  );
  let matches = 0;
  // Hits of pattern terms and negated terms: the v2 variants mean something only if there are some.
  let v2Matches = 0;
  for (const text of texts) {
    const expected = reference.match(text);
    const actual = lexicon.match(text);
    matches += expected.length;
    v2Matches += expected.filter((hit) => negatedTerms.has(hit.term) || isPatternTerm(hit.term)).length;
    const expectedAnalysis = reference.analyse(text);
    const actualAnalysis = lexicon.analyse(text);
    const expectedJson = JSON.stringify({
      match: expected,
      words: expectedAnalysis.words,
      analysed: expectedAnalysis.matches,
    });
    const actualJson = JSON.stringify({ match: actual, words: actualAnalysis.words, analysed: actualAnalysis.matches });
    if (expectedJson !== actualJson && mismatches.length < MAX_REPORTED) {
      mismatches.push({ text, expected: expectedJson, actual: actualJson });
    }
  }
  return { mismatches, matches, v2Matches };
}

/**
 * Tiny lexicons over tiny alphabets: random strings then hit every corner the real packs rarely
 * reach (clitics that are prefixes of one another and of terms, stems against whole words,
 * overlapping exclusions, cues right at clause punctuation, unbalanced quotation marks).
 */
/** The synthetic pack with every v2 rule (docs/lexicon-format.md) over the same tiny alphabet. */
function syntheticV2Pack(segmentation: 'whitespace' | 'intl-segmenter', tag: string, letters: string[]): LanguagePack {
  const [a, b, c, x, n, o] = letters as [string, string, string, string, string, string];
  const pack = syntheticPack(segmentation, tag, letters);
  const { first, second } = pack.lexicon.categories as Record<
    'first' | 'second',
    LanguagePack['lexicon']['categories'][string]
  >;
  return {
    ...pack,
    capabilities: {
      ...pack.capabilities,
      morphology: { prefixes: [a, `${o}${a}`], suffixes: [c, `${x}${c}`], minStem: 1 },
    },
    lexicon: {
      ...pack.lexicon,
      maxGap: 2,
      negation: {
        ...pack.lexicon.negation,
        clauseWords: [`${b}${b}`],
        breakers: [`${o}${o}*`],
        conditionals: [`${c}${c}`],
        conditionalWindow: 3,
        pseudo: [`${n}${x}`, `${x}${n} ${o}*`],
        dependentClause: { markers: [`${a}${a}`, `${o}${a}*`], infixes: [x] },
        // Scope rules of docs/lexicon-format.md §5.4, §5.5 and §5.8 over the same letters.
        quotative: { pseudo: [`${n}${x}`], followedBy: [c, `${a}${o}*`] },
        pseudoConditionals: [`${a} ${c}${c}`, `${c}${c} ${o}*`],
        subjects: { cues: [`${o}${n}`, `${b} ${n}`], window: 3, insertion: 2 },
      },
      categories: {
        first: {
          ...first,
          // Three parts: the nearest second part may leave the third out of reach (backtracking).
          terms: [...first.terms, `~${b}${x}`, `${x} ... ${b}*`, `~${c}${x} ...1 ${o}`, `${o} ...2 ${c} ...1 ${x}*`],
          negatedTerms: [`${b}${b}${x}`, `~${x}${o}`, `${a}${x} ... ${c}`],
          senseBlocks: [{ terms: [x, `~${b}${x}`], context: [`${o}${o}${o}`, `${c}${b}*`], window: 2 }],
        },
        // A register of `first`: negation does not drop its hits (docs/lexicon-format.md §5.7).
        second: { ...second, terms: [...second.terms, `${o} ...2 ${x}${x}`, `~${a}${o}${b}`], registerOf: 'first' },
      },
    },
  };
}

function syntheticPack(segmentation: 'whitespace' | 'intl-segmenter', tag: string, letters: string[]): LanguagePack {
  const [a, b, c, x, n, o] = letters as [string, string, string, string, string, string];
  const base = loadLanguagePack('en');
  return {
    ...base,
    meta: { ...base.meta, tag },
    capabilities: { ...base.capabilities, segmentation },
    lexicon: {
      version: '1.0.0',
      negation: { before: [n, `${n}${o}`, `${o}*`, `${n}'`], after: [n, `${x}${n}`], window: 2 },
      cliticPrefixes: [a, `${a}${b}`, `${a}${b}${c}`, `${b}`],
      quotes: [
        ['"', '"'],
        ['«', '»'],
        ['「', '」'],
      ],
      categories: {
        first: {
          description: 'first',
          terms: [`${b}${c}${x}*`, `${c}${x}`, x, `${a}${b}${c}${x}`, `${c}*`, `${x} ${c}*`, `${x}${x}`, `${a}${b}*`],
          exclude: [`${a}${b}${c}${x} ${c}`, `${x}${a}`, `${c}${x}${c}`],
        },
        second: {
          description: 'second',
          terms: [`${x}*`, `${b}${c}`, `${c}${x}${x}*`, `${o}${x}`, `${a}${c}`],
          exclude: [`${b}${c}${b}`],
        },
      },
    },
  };
}

const SYNTHETIC_SEPARATORS = [
  ' ',
  ' ',
  ' ',
  '-',
  "'",
  ',',
  '.',
  '"',
  '«',
  '»',
  '「',
  '」',
  '。',
  '、',
  '1',
  '\u0301',
  'é',
  '\n',
];

function syntheticText(letters: readonly string[], random: () => number): string {
  const length = 1 + Math.floor(random() * 40);
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text += random() < 0.75 ? pick(letters, random) : pick(SYNTHETIC_SEPARATORS, random);
  }
  return text;
}

describe('lexicon matcher against the reference implementation on synthetic lexicons', () => {
  const cases = [
    { segmentation: 'whitespace' as const, tag: 'en', letters: ['a', 'b', 'c', 'x', 'n', 'o'] },
    { segmentation: 'intl-segmenter' as const, tag: 'ja', letters: ['か', 'な', 'い', 'ま', 'せ', 'ん'] },
    { segmentation: 'intl-segmenter' as const, tag: 'zh', letters: ['不', '保', '护', '我', '们', '的'] },
  ];
  for (const { segmentation, tag, letters } of cases) {
    it(`${segmentation} (${tag}): ${RANDOM_TEXTS * 4} random strings`, () => {
      const random = createMulberry32(deriveSeed('lexicon-differential-synthetic', tag));
      const texts: string[] = [];
      for (let index = 0; index < RANDOM_TEXTS * 4; index += 1) texts.push(syntheticText(letters, random));
      const { mismatches, matches } = compare(syntheticPack(segmentation, tag, letters), texts);
      expect(mismatches).toEqual([]);
      expect(matches).toBeGreaterThan(texts.length / 2);
    });
    it(`${segmentation} (${tag}), every v2 rule: ${RANDOM_TEXTS * 4} random strings`, () => {
      const random = createMulberry32(deriveSeed('lexicon-differential-synthetic-v2', tag));
      const texts: string[] = [];
      for (let index = 0; index < RANDOM_TEXTS * 4; index += 1) texts.push(syntheticText(letters, random));
      const { mismatches, matches, v2Matches } = compare(syntheticV2Pack(segmentation, tag, letters), texts);
      expect(mismatches).toEqual([]);
      expect(matches).toBeGreaterThan(texts.length / 2);
      expect(v2Matches).toBeGreaterThan(texts.length / 50);
    });
  }
});

const tags = listLanguageTags();
const packs = tags.map((tag) => loadLanguagePack(tag));
const corpora = new Map(packs.map((pack) => [pack.meta.tag, corpusOf(pack)]));

describe('lexicon matcher against the reference implementation', () => {
  it('covers every pack', () => {
    expect(tags.length).toBeGreaterThanOrEqual(16);
  });

  for (const pack of packs) {
    const own = corpora.get(pack.meta.tag)!;
    const others = [...corpora.values()].filter((corpus) => corpus !== own);
    for (const variant of variantsOf(pack)) {
      it(`${pack.meta.tag} (${variant.name}): pack texts and ${RANDOM_TEXTS} random recombinations`, () => {
        const random = createMulberry32(deriveSeed('lexicon-differential', pack.meta.tag, variant.name));
        const texts = [...own.texts];
        for (let index = 0; index < RANDOM_TEXTS; index += 1) texts.push(randomText(own, others, random));
        const { mismatches, matches, v2Matches } = compare(variant.pack, texts);
        expect(mismatches).toEqual([]);
        if (variant.name.includes('v2')) expect(v2Matches).toBeGreaterThan(0);
        // The comparison means something only if the texts hit the lexicon often.
        expect(matches).toBeGreaterThan(texts.length / 4);
      });
    }
  }
});
