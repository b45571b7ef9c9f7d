import { describe, expect, it } from 'vitest';
import type { LanguagePack } from '../contracts/index.js';
import { loadLanguagePack } from '../languages/index.js';
import { compileLexicon } from './lexicon.js';
import { compileLexicon as compileReferenceLexicon } from './lexicon-reference.test-support.js';
import { createMorphology, snowballFactory } from './morphology.js';
import { SNOWBALL_STEMMERS } from '../contracts/index.js';

/**
 * The rules of the lexicon format v2 (docs/lexicon-format.md), one by one, on sentences in several
 * languages, with small lexicons written the way a lexicographer would write them in a pack. Each
 * case is checked on the matcher and on the reference implementation, so a rule that one of them
 * gets wrong fails here by name (the differential test only says that they differ).
 */

type Categories = LanguagePack['lexicon']['categories'];
type Negation = Partial<LanguagePack['lexicon']['negation']>;

function packOf(
  tag: string,
  lexicon: {
    categories: Record<string, Partial<Categories[string]>>;
    negation?: Negation;
    maxGap?: number;
    cliticPrefixes?: string[];
  },
  capabilities: Partial<LanguagePack['capabilities']> = {},
): LanguagePack {
  const base = loadLanguagePack(tag);
  const categories: Categories = {};
  for (const [name, category] of Object.entries(lexicon.categories)) {
    categories[name] = { description: name, terms: [], exclude: [], ...category } as Categories[string];
  }
  // The pack's v1 capabilities only (its own lexicon writers may declare v2 ones), then the test's.
  const { morphology: _morphology, romanised: _romanised, scriptNormalisation, ...v1 } = base.capabilities;
  const v1Normalisation =
    scriptNormalisation === undefined
      ? {}
      : { scriptNormalisation: { remove: scriptNormalisation.remove, fold: scriptNormalisation.fold } };
  return {
    ...base,
    capabilities: { ...v1, ...v1Normalisation, ...capabilities },
    lexicon: {
      ...base.lexicon,
      version: '2.0.0',
      negation: { before: [], after: [], window: 3, ...lexicon.negation },
      cliticPrefixes: lexicon.cliticPrefixes ?? [],
      ...(lexicon.maxGap === undefined ? {} : { maxGap: lexicon.maxGap }),
      categories,
    },
  };
}

/** The categories the matcher and the reference both find in each text, as `text -> categories`. */
function labels(pack: LanguagePack, texts: readonly string[]): Record<string, string[]> {
  const lexicon = compileLexicon(pack);
  const reference = compileReferenceLexicon(pack);
  const result: Record<string, string[]> = {};
  for (const text of texts) {
    const found = [...new Set(lexicon.match(text).map((hit) => hit.category))].sort();
    const expected = [...new Set(reference.match(text).map((hit) => hit.category))].sort();
    expect({ text, found }).toEqual({ text, found: expected });
    result[text] = found;
  }
  return result;
}

function expectLabels(pack: LanguagePack, cases: Record<string, string[]>): void {
  expect(labels(pack, Object.keys(cases))).toEqual(cases);
}

const ENGLISH_CUES = ['not', 'never', 'no', 'nobody', "don't", "won't", "can't", "doesn't", "didn't", "isn't"];

const english = packOf(
  'en',
  {
    maxGap: 3,
    negation: {
      before: ENGLISH_CUES,
      clauseWords: ['but', 'and', 'because'],
      breakers: ['stop*', 'keep*', 'kept', 'quit*'],
      conditionals: ['if', 'unless'],
      pseudo: ['no doubt', 'not only'],
    },
    categories: {
      sexual: {
        terms: ['~grope', '~sleep with', 'slept ... with', 'body', 'bodies', '~touch', 'undress*'],
        exclude: ['keep in touch'],
        senseBlocks: [
          {
            terms: ['body', 'bodies', '~touch'],
            context: ['cold', 'freez*', 'fever*', 'warm*', 'shiver*'],
            window: 6,
          },
        ],
      },
      protective: {
        terms: ['protect*', 'refus*'],
        negatedTerms: ['~sign', '~hurt', '~send her out', '~vote ... for', '~obey'],
      },
    },
  },
  { morphology: { stemmer: 'snowball:english' } },
);

describe('lexicon v2: stems (~word) through a declared Snowball stemmer', () => {
  it('matches other persons, tenses and inflections of a stem term (en)', () => {
    expectLabels(english, {
      'He groped her in the corridor.': ['sexual'],
      'They keep groping the new ones.': ['sexual'],
      'Everyone knows he gropes people.': ['sexual'],
      'She is sleeping with the guard.': ['sexual'],
      'The grapes are sour.': [],
    });
  });

  it('a stem term and a plain term of one category count a word once', () => {
    const lexicon = compileLexicon(english);
    expect(lexicon.match('he touched my body').map((hit) => hit.term)).toEqual(['~touch', 'body']);
  });

  it('affix rules stand in where no stemmer exists (id: prefixes and suffixes)', () => {
    const indonesian = packOf(
      'id',
      { categories: { protective: { terms: ['~lindungi'] } } },
      {
        morphology: {
          prefixes: ['meng', 'meny', 'mem', 'men', 'me', 'di', 'ber', 'ter', 'per'],
          suffixes: ['kan', 'an', 'i', 'nya'],
        },
      },
    );
    expectLabels(indonesian, {
      'Kami akan melindungi dia.': ['protective'],
      'Dia harus dilindungi.': ['protective'],
      'Ini soal perlindungan.': ['protective'],
      'Kami lindungi dia.': ['protective'],
      'Kami makan nasi.': [],
    });
  });

  it('Arabic stems through the Snowball Arabic stemmer, clitics included', () => {
    const arabic = packOf(
      'ar',
      {
        negation: { before: ['لن', 'لا', 'لم'] },
        categories: { protective: { terms: ['حماي*'], negatedTerms: ['~نطرد'] } },
      },
      { morphology: { stemmer: 'snowball:arabic' } },
    );
    expectLabels(arabic, {
      'لن نطرده إلى البرد': ['protective'],
      'سنطرده غدا': [],
    });
  });

  it('the pack schema lists exactly the algorithms of snowball-stemmers', () => {
    expect([...SNOWBALL_STEMMERS].map((name) => name.slice('snowball:'.length)).sort()).toEqual(
      [...snowballFactory().algorithms()].sort(),
    );
  });

  it('stems are cached per word', () => {
    const morphology = createMorphology({ morphology: { stemmer: 'snowball:english' } })!;
    expect(morphology.stem('groping')).toBe('grope');
    expect(morphology.stem('groping')).toBe(morphology.stem('groping'));
    expect(morphology.anchor('groping')).toBe('gro');
    expect(morphology.anchor('grope')).toBe('grop');
  });
});

describe('lexicon v2: discontinuous patterns (...)', () => {
  it('matches parts with up to maxGap words between them, in one clause (en)', () => {
    expectLabels(english, {
      'I slept once with him.': ['sexual'],
      'I slept there a few nights with him.': [],
      'I slept, with him gone, alone.': [],
      'I slept and talked with him.': [],
    });
  });

  it('German separable verbs, negated by a cue inside the gap', () => {
    const german = packOf(
      'de',
      {
        negation: { before: ['nicht', 'kein*', 'nie'] },
        categories: { sexual: { terms: ['zieh* ... aus', 'nackt*'] } },
      },
      { morphology: { stemmer: 'snowball:german' } },
    );
    expectLabels(german, {
      'Er zieht sich schnell aus.': ['sexual'],
      'Wir ziehen uns aus.': ['sexual'],
      'Er zieht sich nicht aus.': [],
      'Er zieht weiter. Aus Angst schweigt er.': [],
    });
  });

  it('works on ICU words in unspaced scripts (ja, zh)', () => {
    const japanese = packOf('ja', { categories: { sexual: { terms: ['服を ... 脱*'] } } });
    expectLabels(japanese, { 服を全部脱がされた: ['sexual'], 服を洗った: [] });
    const chinese = packOf('zh', {
      categories: { protective: { negatedTerms: ['把 ... 赶出去'] } },
      negation: { before: ['不*', '别'] },
    });
    expectLabels(chinese, { 不要把这个人赶出去: ['protective'], 把这个人赶出去: [] });
  });
});

describe('lexicon v2: negation as declared scope', () => {
  it('a directly negated mention is dropped; a clause word ends the scope (en)', () => {
    expectLabels(english, {
      'Nobody touched anyone.': [],
      "He doesn't care but he touches her.": ['sexual'],
      "He isn't listening, he touches her.": ['sexual'],
    });
  });

  it('breakers take the negation for themselves: "won\'t stop groping" is sexual (en, ja)', () => {
    expectLabels(english, {
      "They won't stop groping her.": ['sexual'],
      "They won't grope her.": [],
    });
    const japanese = packOf('ja', {
      negation: { after: ['ない', 'ません'], breakers: ['やめ*'] },
      categories: { sexual: { terms: ['触*'] } },
    });
    expectLabels(japanese, { 触るのをやめない: ['sexual'], 触らない: [] });
  });

  it('conditionals void a cue: "if we don\'t undress" asserts the demand (en, hi)', () => {
    expectLabels(english, {
      "If we don't undress they punish us.": ['sexual'],
      "We don't undress.": [],
      "If we don't send her out, they cut the heating.": [],
    });
  });

  it('pseudo-negations are not negations: Japanese obligation ないと, Korean 않으면 안 된다', () => {
    const japanese = packOf('ja', {
      negation: { after: ['ない', 'ません', 'せん'], pseudo: ['ないと', 'なければ'] },
      categories: { sexual: { terms: ['脱*'] }, protective: { negatedTerms: ['署名*', '追い出*'] } },
    });
    expectLabels(japanese, {
      服を脱がないと罰せられる: ['sexual'],
      服を脱がない: [],
      署名しません: ['protective'],
      彼女を追い出さない: ['protective'],
      彼女を追い出さないと: [],
      彼女を追い出す: [],
    });
    const korean = packOf('ko', {
      negation: { after: ['않', '못', '안', '마'], pseudo: ['않으면 안', '않으면'] },
      categories: { sexual: { terms: ['벗*'] }, protective: { negatedTerms: ['서명*'] } },
    });
    expectLabels(korean, {
      '옷을 벗지 않으면 안 된다': ['sexual'],
      '옷을 벗지 않는다': [],
      '서명하지 않겠다': ['protective'],
      서명하겠다: [],
    });
    expectLabels(english, { 'No doubt he touched her.': ['sexual'] });
  });

  it('Hindi verb-final नहीं scopes backward; a cue before the light verb negates a pattern', () => {
    const hindi = packOf(
      'hi',
      {
        negation: {
          before: ['नहीं', 'मत', 'न', 'nahi', 'mat'],
          after: ['नहीं', 'nahi'],
          conditionals: ['अगर', 'यदि', 'agar'],
        },
        categories: { sexual: { terms: ['छू*'] }, protective: { negatedTerms: ['हस्ताक्षर ... कर*', 'sign ... kar*'] } },
      },
      { romanised: { policy: 'lexicon' } },
    );
    expectLabels(hindi, {
      'वह उसे छूता नहीं': [],
      'वह उसे छूता है': ['sexual'],
      'मैं हस्ताक्षर नहीं करूँगा': ['protective'],
      'मैं हस्ताक्षर करूँगा': [],
      'Main sign nahi karunga': ['protective'],
      'अगर हम हस्ताक्षर नहीं करेंगे तो वे सज़ा देंगे': [],
    });
  });
});

describe('lexicon v2: negated harmful compliance is protective (negatedTerms)', () => {
  it('a negated or prohibited harmful act is a hit of its category; affirmed it is nothing (en)', () => {
    expectLabels(english, {
      "I won't sign.": ['protective'],
      'I will sign it.': [],
      "Don't hurt him!": ['protective'],
      'Nobody sends her out.': ['protective'],
      'We will not vote for it.': ['protective'],
      'We vote for it.': [],
      'I refuse to obey.': ['protective'],
      'Nobody will protect him.': [],
    });
  });

  it('reports the negated term as written, under its category', () => {
    expect(compileLexicon(english).match("I won't sign")).toEqual([
      { category: 'protective', term: '~sign', text: 'sign', start: 8, end: 12 },
    ]);
  });
});

describe('lexicon v2: sense blocks and script normalisation', () => {
  it('body words near cold, fever and warmth are not sexual; other terms there still are (en)', () => {
    expectLabels(english, {
      'Her body is shaking from the cold.': [],
      'Touch his forehead, he has a fever.': [],
      'They make us undress in the cold.': ['sexual'],
      'They inspect our bodies.': ['sexual'],
    });
  });

  it('Traditional Chinese meets Simplified terms through opencc-js (zh)', () => {
    const chinese = packOf(
      'zh',
      { categories: { protective: { terms: ['保护*', '照顾'] } } },
      { scriptNormalisation: { remove: [], fold: {}, opencc: { from: 'tw', to: 'cn' } } },
    );
    expectLabels(chinese, {
      我們必須保護他: ['protective'],
      我们必须保护他: ['protective'],
      我會照顧她: ['protective'],
    });
    const withoutConversion = packOf('zh', { categories: { protective: { terms: ['保护*'] } } });
    expectLabels(withoutConversion, { 我們必須保護他: [] });
  });
});

describe('lexicon v2: explain', () => {
  it('names the rule of every match and the reason of every dropped candidate', () => {
    const explanation = compileLexicon(english).explain(
      "They groped her. Nobody touched anyone. I won't sign. Her body is shaking from the cold. I slept once with him.",
    );
    expect(explanation.matches.map((hit) => [hit.term, hit.rule])).toEqual([
      ['~grope', 'stem'],
      ['~sign', 'negated-harm'],
      ['slept ... with', 'pattern'],
    ]);
    expect(explanation.dropped.map((hit) => [hit.term, hit.reason])).toEqual([
      ['~touch', 'negation'],
      ['body', 'sense'],
    ]);
    expect(compileLexicon(english).explain('I will sign.').dropped).toEqual([
      expect.objectContaining({ term: '~sign', reason: 'not-negated', rule: 'negated-harm' }),
    ]);
  });
});
