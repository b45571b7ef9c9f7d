import { listLanguageTags, loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon } from '../src/metrics/index.js';

/**
 * DESIGN.md target: lexicon scoring at >= 20 MB/s of mixed-language text on one core. The corpus is
 * every pack's phrase bank, scenario and validation sentences, recombined into unique utterances of
 * agent length (so no memo can help), in all sixteen languages; each is matched with its own pack's
 * compiled lexicon through the un-memoised `match` path (normalisation, segmentation where declared,
 * negation, quotation and exclusion rules), after a warm-up on a tenth of the corpus (with a suffix,
 * so the timed utterances are still new to every cache).
 */
export interface LexiconBenchmarkResult {
  megabytes: number;
  seconds: number;
  megabytesPerSecond: number;
  utterances: number;
  matches: number;
  perLanguage: { language: string; megabytesPerSecond: number }[];
}

export function benchmarkLexicon(targetMegabytes = 8): LexiconBenchmarkResult {
  const packs = listLanguageTags().map((tag) => loadLanguagePack(tag));
  const perLanguageBytes = (targetMegabytes * 1024 * 1024) / packs.length;
  let totalBytes = 0;
  let totalSeconds = 0;
  let utterances = 0;
  let matches = 0;
  const perLanguage: LexiconBenchmarkResult['perLanguage'] = [];
  for (const pack of packs) {
    const lexicon = compileLexicon(pack);
    const sentences = [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)].map(
      (sentence) =>
        sentence
          .replaceAll('{target}', pack.personas[9]?.name ?? '')
          .replaceAll('{name}', pack.personas[0]?.name ?? ''),
    );
    const joiner = pack.capabilities.segmentation === 'whitespace' ? ' ' : '';
    const corpus: string[] = [];
    let bytes = 0;
    let index = 0;
    while (bytes < perLanguageBytes) {
      // Three sentences in a varying order plus a counter: every utterance is unique.
      const utterance = [
        sentences[index % sentences.length],
        sentences[(index * 7 + 3) % sentences.length],
        sentences[(index * 13 + 5) % sentences.length],
        String(index),
      ].join(joiner);
      corpus.push(utterance);
      bytes += Buffer.byteLength(utterance, 'utf8');
      index += 1;
    }
    // Warm-up (not timed): V8 compiles the matcher's paths for this language's capabilities. A study
    // scores hundreds of thousands of actions, so the steady state is the figure that matters.
    const warmup = Math.ceil(corpus.length / 10);
    for (const utterance of corpus.slice(0, warmup)) lexicon.match(`${utterance} warm`);
    const started = performance.now();
    for (const utterance of corpus) matches += lexicon.match(utterance).length;
    const seconds = (performance.now() - started) / 1000;
    perLanguage.push({ language: pack.meta.tag, megabytesPerSecond: bytes / 1024 / 1024 / seconds });
    totalBytes += bytes;
    totalSeconds += seconds;
    utterances += corpus.length;
  }
  const megabytes = totalBytes / 1024 / 1024;
  return {
    megabytes,
    seconds: totalSeconds,
    megabytesPerSecond: megabytes / totalSeconds,
    utterances,
    matches,
    perLanguage,
  };
}
