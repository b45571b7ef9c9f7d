import { describe, expect, it } from 'vitest';
import { createMulberry32, deriveSeed } from '../contracts/index.js';
import { loadLanguagePack } from '../languages/index.js';
import { createWordFinder, type WordFinder } from './lexicon-words.js';
import type { WordSpan } from './segmentation.js';

/**
 * The word finder segments only chunks of a text (split at characters where neither segmenter can
 * join words across). These tests check that claim against whole-text segmentation on random
 * mixtures of scripts, punctuation that UAX #29 treats specially (mid-word marks, quotes, digits),
 * combining marks, format characters and emoji sequences, for the locales of the unspaced packs and
 * for Thai (another dictionary-segmented script).
 */

const RANDOM_STRINGS = Number(process.env.LEXICON_WORDS_STRINGS ?? 1500);

const SPACED_WORD = /[\p{L}\p{M}\p{N}]+(?:['’\-‐][\p{L}\p{M}\p{N}]+)*/gu;

const POOLS = {
  kana: [
    ...'あいうえおかきくけこさしすせそたちつてとなにぬねのはまみむめもらりるれろわをんがぎだでばぱっゃゅょアイウカキクサシタチナニマミラリワンガダバパッャーヴ',
  ],
  kanji: [
    ...'私彼女守見保護安全無事仲間皆一緒協力規則約束時間体秘密告白親密不要我们的保护他她大家团结个人独立身体々〆〇',
  ],
  latin: [...'abcxyzABCéüñßçøAIOK'],
  digits: [...'01234567891２３'],
  other: [...'가나다한국어ภาษาไทยสวัสดีשלוםмирمرحباनमस्ते'],
  punctuation: [
    ...' \n\r\t\u3000,.:;\'"!?。、，．：；！？「」『』()（）【】《》〈〉〔〕“”‘’…・～-_/@#*&%‐',
    ' ',
    ' ',
    '\r\n',
  ],
  marks: ['\u0301', '\u3099', '\u309a', '\u200b', '\u200c', '\u200d', '\u00ad', '\u2060', '\ufe0f'],
  emoji: ['👍', '👍🏽', '👨‍👩‍👧', '🇯🇵', '🇺', '🇸', '❤️', '©', '®', '™', '#️⃣', '𝒜', '𠀀'],
};

const WEIGHTED_POOLS: (keyof typeof POOLS)[] = [
  'kana',
  'kana',
  'kana',
  'kanji',
  'kanji',
  'kanji',
  'latin',
  'latin',
  'digits',
  'other',
  'punctuation',
  'punctuation',
  'punctuation',
  'marks',
  'emoji',
];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomString(random: () => number, sentences: readonly string[]): string {
  const length = 1 + Math.floor(random() * 60);
  let text = '';
  for (let index = 0; index < length; index += 1) {
    if (random() < 0.05) {
      const sentence = pick(sentences, random);
      const from = Math.floor(random() * sentence.length);
      text += sentence.slice(from, from + 1 + Math.floor(random() * 20));
    } else {
      text += pick(POOLS[pick(WEIGHTED_POOLS, random)], random);
    }
  }
  return text;
}

function wholeTextWords(text: string, locale: string, spaced: boolean): WordSpan[] {
  if (spaced)
    return [...text.matchAll(SPACED_WORD)].map((found) => ({ start: found.index, end: found.index + found[0].length }));
  return [...new Intl.Segmenter(locale, { granularity: 'word' }).segment(text)]
    .filter((segment) => segment.isWordLike)
    .map((segment) => ({ start: segment.index, end: segment.index + segment.segment.length }));
}

interface Problem {
  text: string;
  problem: string;
}

function check(finder: WordFinder, text: string, locale: string, spaced: boolean, random: () => number): string | null {
  const expected = wholeTextWords(text, locale, spaced);
  if (finder.countWords(text) !== expected.length) return `count ${finder.countWords(text)} != ${expected.length}`;
  finder.setText(text);
  const all = finder.wordsAround(0, text.length, Number.MAX_SAFE_INTEGER);
  if (JSON.stringify(all) !== JSON.stringify(expected))
    return `words ${JSON.stringify(all)} != ${JSON.stringify(expected)}`;
  if (!spaced) {
    const starts = new Set(expected.map((word) => word.start));
    const ends = new Set(expected.map((word) => word.end));
    for (let position = 0; position <= text.length; position += 1) {
      if (finder.startsWordAt(position) !== starts.has(position)) return `start at ${position}`;
      const isEnd = ends.has(position) || position >= text.length || !/[\p{L}\p{M}\p{N}]/u.test(text[position]!);
      if (finder.endsWordAt(position) !== isEnd) return `end at ${position}`;
    }
  }
  // A stretch around a random span: a contiguous run of the whole-text words, with its margins.
  const start = Math.floor(random() * text.length);
  const end = Math.min(text.length, start + 1 + Math.floor(random() * 6));
  const margin = Math.floor(random() * 4);
  const stretch = finder.wordsAround(start, end, margin);
  const first = stretch.length === 0 ? -1 : expected.findIndex((word) => word.start === stretch[0]!.start);
  if (stretch.length > 0 && JSON.stringify(expected.slice(first, first + stretch.length)) !== JSON.stringify(stretch)) {
    return `stretch around ${start}-${end} is not a run of the text's words`;
  }
  const before = expected.filter((word) => word.end <= start).length;
  const after = expected.filter((word) => word.start >= end).length;
  const stretchBefore = stretch.filter((word) => word.end <= start).length;
  const stretchAfter = stretch.filter((word) => word.start >= end).length;
  if (stretchBefore < Math.min(margin, before) || stretchAfter < Math.min(margin, after)) {
    return `stretch around ${start}-${end} lacks ${margin} words on a side`;
  }
  return null;
}

describe('createWordFinder', () => {
  const sentences = ['ja', 'zh'].flatMap((tag) => Object.values(loadLanguagePack(tag).phraseBank).flat());
  const cases = [
    { locale: 'ja', spaced: false },
    { locale: 'zh', spaced: false },
    { locale: 'th', spaced: false },
    { locale: 'en', spaced: true },
  ];
  for (const { locale, spaced } of cases) {
    it(`${spaced ? 'whitespace' : 'Intl.Segmenter'} (${locale}): chunked segmentation equals whole-text segmentation`, () => {
      const finder = createWordFinder({ segmentation: spaced ? 'whitespace' : 'intl-segmenter' }, locale);
      const random = createMulberry32(deriveSeed('lexicon-words', locale));
      const problems: Problem[] = [];
      let words = 0;
      for (let index = 0; index < RANDOM_STRINGS; index += 1) {
        const text = randomString(random, sentences);
        words += finder.countWords(text);
        const problem = check(finder, text, locale, spaced, random);
        if (problem !== null && problems.length < 5) problems.push({ text, problem });
      }
      expect(problems).toEqual([]);
      expect(words).toBeGreaterThan(RANDOM_STRINGS * 3);
    });
  }

  it('splits unspaced text into chunks at clause punctuation but not inside numbers or Latin words', () => {
    const finder = createWordFinder({ segmentation: 'intl-segmenter' }, 'ja');
    const text = "私は彼女を守ります。3.5キロ、don't stop!「はい」";
    expect(finder.countWords(text)).toBe(wholeTextWords(text, 'ja', false).length);
    finder.setText(text);
    const words = finder.wordsAround(0, text.length, 100);
    expect(words.map((word) => text.slice(word.start, word.end))).toContain('3.5');
    expect(words.map((word) => text.slice(word.start, word.end))).toContain("don't");
  });
});
