import { listLanguageTags, loadLanguagePack } from '../src/languages/index.js';
import type { LanguagePack } from '../src/contracts/index.js';
import { compileLexicon } from '../src/metrics/index.js';
import { compileLexicon as compileReferenceLexicon } from '../src/metrics/lexicon-reference.test-support.js';

/**
 * bench/README.md target: lexicon scoring at >= 20 MB/s of mixed-language text on one core. The corpus is
 * every pack's phrase bank and scenario sentences, recombined into unique utterances of agent length
 * (three sentences and a counter), in all sixteen languages; each is matched with its own pack's
 * compiled lexicon through the un-memoised `match` path (normalisation, segmentation where declared,
 * negation, quotation, exclusion, sense and register rules, pattern terms).
 *
 * Measured in CPU time (`process.cpuUsage`), not wall time: the machine is shared, and CPU time is
 * what the matcher costs. Each repetition matches a new corpus (its own counter in every
 * utterance, so no utterance is ever matched twice), after one unmeasured warm-up repetition of
 * the same size on utterances of their own (tag `warm`, so no measured utterance is matched
 * before it is measured), so the figure is the steady state a study of hundreds of thousands of
 * actions sees; the range over every measured repetition is reported. A warm-up of a tenth of a
 * corpus per language left the first repetition carrying V8's compilation of each language's
 * paths (its first language ran at a quarter to a third of its later speed), so the slowest repetition
 * measured the warm-up rather than the matcher (docs/decisions/2026-12-07-matcher-v2.md, fourth
 * round). Beside it, the naive matcher
 * (lexicon-reference.test-support.ts: one RegExp per category, whole-text segmentation, the rules
 * stated plainly) scores a sample of the same corpus, so that the figure can be read against what
 * a straightforward implementation of the same rules does.
 */
export interface LexiconBenchmarkResult {
  /** Per repetition. */
  megabytes: number;
  repetitions: number;
  /** Megabytes of the unmeasured warm-up repetition (its own utterances). */
  warmupMegabytes: number;
  /** Megabytes per CPU second, per repetition, in the order run. */
  megabytesPerSecond: number[];
  utterances: number;
  matches: number;
  /** Per language, lowest and highest megabytes per CPU second over the repetitions. */
  perLanguage: { language: string; lowest: number; highest: number }[];
  /** The reference (naive) matcher on the first utterances of each language's first corpus. */
  reference: { megabytes: number; megabytesPerSecond: number };
}

export interface LexiconBenchmarkOptions {
  /** Megabytes of text per repetition, spread evenly over the languages. */
  megabytes?: number;
  repetitions?: number;
  /** Megabytes the naive reference matcher scores (it is much slower). */
  referenceMegabytes?: number;
}

export function benchmarkLexicon(options: LexiconBenchmarkOptions = {}): LexiconBenchmarkResult {
  const { megabytes = 8, repetitions = 3, referenceMegabytes = 0.25 } = options;
  const packs = listLanguageTags().map((tag) => loadLanguagePack(tag));
  const bytesPerLanguage = (megabytes * 1024 * 1024) / packs.length;
  const languages = packs.map((pack) => ({
    pack,
    lexicon: compileLexicon(pack),
    sentences: sentencesOf(pack),
    joiner: pack.capabilities.segmentation === 'whitespace' ? ' ' : '',
  }));
  // Warm-up (not timed): one repetition's worth of other utterances, in the measured order, while
  // V8 compiles and recompiles the matcher's paths for each language's capabilities.
  let warmupBytes = 0;
  for (const language of languages) {
    const warmup = corpusOf(language.sentences, language.joiner, bytesPerLanguage, WARMUP_TAG);
    for (const utterance of warmup.utterances) language.lexicon.match(utterance);
    warmupBytes += warmup.bytes;
  }
  const megabytesPerSecond: number[] = [];
  const perLanguageRates = languages.map(() => [] as number[]);
  let utterances = 0;
  let matches = 0;
  let totalBytes = 0;
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    let bytes = 0;
    let cpuSeconds = 0;
    languages.forEach((language, index) => {
      const corpus = corpusOf(language.sentences, language.joiner, bytesPerLanguage, measuredTag(repetition));
      const started = process.cpuUsage();
      for (const utterance of corpus.utterances) matches += language.lexicon.match(utterance).length;
      const seconds = cpuSecondsSince(started);
      perLanguageRates[index]!.push(corpus.bytes / 1024 / 1024 / seconds);
      bytes += corpus.bytes;
      cpuSeconds += seconds;
      utterances += corpus.utterances.length;
    });
    totalBytes = bytes;
    megabytesPerSecond.push(bytes / 1024 / 1024 / cpuSeconds);
  }

  // The naive matcher, on the first utterances of the first repetition's corpus of each language.
  let referenceBytes = 0;
  let referenceSeconds = 0;
  for (const language of languages) {
    const reference = compileReferenceLexicon(language.pack);
    const corpus = corpusOf(
      language.sentences,
      language.joiner,
      (referenceMegabytes * 1024 * 1024) / packs.length,
      measuredTag(0),
    );
    for (const utterance of corpus.utterances.slice(0, 20)) reference.match(`${utterance} warm`);
    const started = process.cpuUsage();
    for (const utterance of corpus.utterances) reference.match(utterance);
    referenceSeconds += cpuSecondsSince(started);
    referenceBytes += corpus.bytes;
  }

  return {
    megabytes: totalBytes / 1024 / 1024,
    repetitions,
    warmupMegabytes: warmupBytes / 1024 / 1024,
    megabytesPerSecond,
    utterances,
    matches,
    perLanguage: languages.map((language, index) => ({
      language: language.pack.meta.tag,
      lowest: Math.min(...perLanguageRates[index]!),
      highest: Math.max(...perLanguageRates[index]!),
    })),
    reference: {
      megabytes: referenceBytes / 1024 / 1024,
      megabytesPerSecond: referenceBytes / 1024 / 1024 / referenceSeconds,
    },
  };
}

function sentencesOf(pack: LanguagePack): string[] {
  return [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)].map((sentence) =>
    sentence.replaceAll('{target}', pack.personas[9]?.name ?? '').replaceAll('{name}', pack.personas[0]?.name ?? ''),
  );
}

/**
 * The utterances the benchmark matches for one language: the warm-up repetition's (tag `warm`) and
 * each measured repetition's (`r0`, `r1`, ...), about `bytes` each. Exported for
 * test/lexicon-bench.test.ts, which checks that no utterance is matched twice, warm-up included.
 */
export function benchmarkCorpora(
  pack: LanguagePack,
  bytes: number,
  repetitions: number,
): { warmup: string[]; measured: string[][] } {
  const sentences = sentencesOf(pack);
  const joiner = pack.capabilities.segmentation === 'whitespace' ? ' ' : '';
  return {
    warmup: corpusOf(sentences, joiner, bytes, WARMUP_TAG).utterances,
    measured: Array.from(
      { length: repetitions },
      (_, repetition) => corpusOf(sentences, joiner, bytes, measuredTag(repetition)).utterances,
    ),
  };
}

const WARMUP_TAG = 'warm';
/** The tag of a measured repetition's utterances; the benchmark and benchmarkCorpora share it. */
const measuredTag = (repetition: number) => `r${repetition}`;

/** Three sentences in a varying order plus a counter with the corpus' tag: every utterance is unique. */
function corpusOf(
  sentences: readonly string[],
  joiner: string,
  targetBytes: number,
  tag: string,
): { utterances: string[]; bytes: number } {
  const utterances: string[] = [];
  let bytes = 0;
  for (let index = 0; bytes < targetBytes; index += 1) {
    const utterance = [
      sentences[index % sentences.length],
      sentences[(index * 7 + 3) % sentences.length],
      sentences[(index * 13 + 5) % sentences.length],
      `${tag}-${index}`,
    ].join(joiner);
    utterances.push(utterance);
    bytes += Buffer.byteLength(utterance, 'utf8');
  }
  return { utterances, bytes };
}

function cpuSecondsSince(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
}
