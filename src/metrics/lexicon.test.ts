import { describe, expect, it } from 'vitest';
import { compileLexicon } from './lexicon.js';

function pack(options: {
  tag?: string;
  segmentation?: 'whitespace' | 'intl-segmenter';
  categories: Record<string, { terms: string[]; exclude?: string[] }>;
  before?: string[];
  after?: string[];
  window?: number;
  clitics?: string[];
  quotes?: [string, string][];
}) {
  return {
    meta: {
      tag: options.tag ?? 'en',
      englishName: 'Test',
      nativeName: 'Test',
      version: '1.0.0',
      author: 'test',
      reviewStatus: 'draft' as const,
      date: '2026-01-01',
      notes: [],
    },
    capabilities: {
      script: 'Latn',
      direction: 'ltr' as const,
      segmentation: options.segmentation ?? ('whitespace' as const),
      detectorCode: 'eng',
      caseSensitive: false,
    },
    lexicon: {
      version: '1.0.0',
      negation: { before: options.before ?? [], after: options.after ?? [], window: options.window ?? 3 },
      cliticPrefixes: options.clitics ?? [],
      quotes: options.quotes ?? [],
      categories: Object.fromEntries(
        Object.entries(options.categories).map(([name, category]) => [
          name,
          { description: name, terms: category.terms, exclude: category.exclude ?? [] },
        ]),
      ),
    },
  };
}

describe('compileLexicon', () => {
  it('matches whole words and stems at word starts only', () => {
    const lexicon = compileLexicon(pack({ categories: { protective: { terms: ['protect*', 'safe'] } } }));
    expect(lexicon.count('We must PROTECT them; protection matters.')).toEqual({ protective: 2 });
    expect(lexicon.count('unprotected and unsafe and safety')).toEqual({ protective: 0 });
    expect(lexicon.count('Keep her safe.')).toEqual({ protective: 1 });
  });

  it('prefers the longest term and reports offsets into the normalised text', () => {
    const lexicon = compileLexicon(pack({ categories: { conformity: { terms: ['stand', 'stand together'] } } }));
    expect(lexicon.match('We stand together.')).toEqual([
      { category: 'conformity', term: 'stand together', text: 'stand together', start: 3, end: 17 },
    ]);
  });

  it('drops negated hits within the window before, and honours after-cues', () => {
    const lexicon = compileLexicon(
      pack({ categories: { protective: { terms: ['protect*'] } }, before: ['not', "don't", 'no'], window: 2 }),
    );
    expect(lexicon.count('I will not protect him')).toEqual({ protective: 0 });
    expect(lexicon.count("I don't really protect him")).toEqual({ protective: 0 });
    expect(lexicon.count('not that I would ever protect him')).toEqual({ protective: 1 });
    // A clause boundary ends the negation's scope.
    expect(lexicon.count('No, I protect him')).toEqual({ protective: 1 });
    expect(lexicon.count('I will not. I protect him')).toEqual({ protective: 1 });
  });

  it('drops hits inside exclusions and quotations', () => {
    const lexicon = compileLexicon(
      pack({
        categories: { sexual: { terms: ['body'], exclude: ['body of work'] } },
        quotes: [['“', '”']],
      }),
    );
    expect(lexicon.count('his body of work')).toEqual({ sexual: 0 });
    expect(lexicon.count('they said “your body” to me')).toEqual({ sexual: 0 });
    expect(lexicon.count('my body is mine')).toEqual({ sexual: 1 });
  });

  it('accepts clitic prefixes in front of a term', () => {
    const lexicon = compileLexicon(
      pack({ tag: 'ar', categories: { protective: { terms: ['حماية*'] } }, clitics: ['و', 'ال', 'وال', 'ل'] }),
    );
    expect(lexicon.count('والحماية مهمة وحماية الجميع')).toEqual({ protective: 2 });
  });

  it('uses Intl.Segmenter boundaries for unspaced scripts, with after-cues inside the word', () => {
    const lexicon = compileLexicon(
      pack({
        tag: 'ja',
        segmentation: 'intl-segmenter',
        categories: { protective: { terms: ['守*'] } },
        after: ['ない', 'ません'],
        window: 2,
      }),
    );
    expect(lexicon.count('私は彼女を守ります。')).toEqual({ protective: 1 });
    expect(lexicon.count('私は彼女を守らない。')).toEqual({ protective: 0 });
    expect(lexicon.analyse('私は彼女を守ります。').words).toBeGreaterThan(3);
  });
});
