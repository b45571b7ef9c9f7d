import { describe, expect, it } from 'vitest';
import { createMulberry32 } from '../../contracts/index.js';
import {
  approximateTokens,
  flattenPrompt,
  PrefixTracker,
  promptTokens,
  sharedPrefixLength,
  type TokenizedPrompt,
  tokenizeAgainst,
} from './prefix-stats.js';

// Pieces chosen to hit every token class and the awkward boundaries: words that a following
// edit extends, punctuation, whitespace runs, CJK, Hangul, combining marks and astral characters.
const PIECES = [
  'the',
  ' ',
  'cat',
  '.',
  '!',
  '  ',
  '\n',
  'dog',
  'é',
  'e\u0301',
  '漢字',
  'かな',
  '한국어',
  '😀',
  '𝔘',
  '42',
  '_x',
  '…',
];

function randomText(random: () => number, length: number): string {
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text += PIECES[Math.floor(random() * PIECES.length)];
  }
  return text;
}

describe('incremental prefix measure', () => {
  it('tokenizes like the full scan and shares exactly the tokens a full comparison shares', () => {
    const random = createMulberry32(20261128);
    for (let trial = 0; trial < 2000; trial += 1) {
      const before = randomText(random, 1 + Math.floor(random() * 30));
      // The next prompt keeps a random-length prefix (cut anywhere, even inside a surrogate pair) and continues.
      const cut = Math.floor(random() * (before.length + 1));
      const after = before.slice(0, cut) + randomText(random, Math.floor(random() * 20));
      const previous: TokenizedPrompt = tokenizeAgainst(undefined, before).prompt;
      const { prompt, shared } = tokenizeAgainst(previous, after);
      const fullAfter = approximateTokens(after);
      expect(prompt.ends.map((end, index) => after.slice(index === 0 ? 0 : prompt.ends[index - 1], end))).toEqual(
        fullAfter,
      );
      expect(shared).toBe(sharedPrefixLength(approximateTokens(before), fullAfter));
    }
  });

  it('counts each role and end marker as one token and never joins tokens across messages', () => {
    const messages = [
      { role: 'system', content: 'Be kind. ' },
      { role: 'user', content: 'hello world' },
    ];
    expect(promptTokens(messages)).toHaveLength(1 + 5 + 1 + 1 + 3 + 1);
    expect(flattenPrompt([{ role: 'tool', content: '' }])).toHaveLength(2);
  });

  it('reports per-agent shares, the smallest share, and usage counts', () => {
    const tracker = new PrefixTracker();
    const first = flattenPrompt([{ role: 'system', content: 'one two three four' }]);
    const second = flattenPrompt([
      { role: 'system', content: 'one two three four' },
      { role: 'user', content: 'five' },
    ]);
    expect(tracker.observe('a', first)).toEqual({ promptTokens: 9, sharedTokens: 0 });
    expect(tracker.observe('a', second)).toEqual({ promptTokens: 12, sharedTokens: 9 });
    expect(tracker.observe('b', second)).toEqual({ promptTokens: 12, sharedTokens: 0 });
    const summary = tracker.summary();
    expect(summary).toMatchObject({ agents: 2, pairs: 1, promptTokens: 12, sharedPrefixTokens: 9, minimumShare: 0.75 });
    expect(tracker.agents().a?.share).toBe(0.75);
  });
});
