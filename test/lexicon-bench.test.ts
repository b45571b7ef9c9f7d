import { describe, expect, it } from 'vitest';
import { benchmarkCorpora } from '../bench/lexicon.bench.js';
import { listLanguageTags, loadLanguagePack } from '../src/languages/index.js';

// The lexicon benchmark warms V8 up on a full repetition before it measures (bench/README.md): that
// is honest only while the warm-up never matches a text the measured repetitions match, and no
// measured text is matched twice (the matcher's caches would then measure a replay).
describe('lexicon benchmark corpora', () => {
  it('warms up and measures on utterances that are all distinct, in every language', () => {
    for (const tag of listLanguageTags()) {
      const { warmup, measured } = benchmarkCorpora(loadLanguagePack(tag), 20_000, 3);
      const all = [warmup, ...measured].flat();
      expect(new Set(all).size, tag).toBe(all.length);
      // Each repetition is about the size asked for (the warm-up as large as a measured one).
      for (const corpus of [warmup, ...measured]) {
        expect(Buffer.byteLength(corpus.join(''), 'utf8'), tag).toBeGreaterThanOrEqual(20_000);
      }
    }
  });
});
