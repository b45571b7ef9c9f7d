// Temporary A/B runner (deleted after use). `new`: benchmarkLexicon() as is. `old`: the same
// benchmark with the reference (pre-rewrite) implementation swapped in.
import { listLanguageTags, loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon as compileReferenceLexicon } from '../src/metrics/lexicon-reference.test-support.js';
import { benchmarkLexicon } from './lexicon.bench.js';

function referenceBenchmark(targetMegabytes = 8) {
  const packs = listLanguageTags().map((tag) => loadLanguagePack(tag));
  const perLanguageBytes = (targetMegabytes * 1024 * 1024) / packs.length;
  let totalBytes = 0;
  let totalSeconds = 0;
  let matches = 0;
  let utterances = 0;
  const perLanguage: { language: string; megabytesPerSecond: number }[] = [];
  for (const pack of packs) {
    const lexicon = compileReferenceLexicon(pack);
    const sentences = [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)].map((sentence) =>
      sentence.replaceAll('{target}', pack.personas[9]?.name ?? '').replaceAll('{name}', pack.personas[0]?.name ?? ''),
    );
    const joiner = pack.capabilities.segmentation === 'whitespace' ? ' ' : '';
    const corpus: string[] = [];
    let bytes = 0;
    for (let index = 0; bytes < perLanguageBytes; index += 1) {
      const utterance = [sentences[index % sentences.length], sentences[(index * 7 + 3) % sentences.length], sentences[(index * 13 + 5) % sentences.length], String(index)].join(joiner);
      corpus.push(utterance);
      bytes += Buffer.byteLength(utterance, 'utf8');
    }
    lexicon.match(corpus[0] ?? '');
    const started = performance.now();
    for (const utterance of corpus) matches += lexicon.match(utterance).length;
    const seconds = (performance.now() - started) / 1000;
    perLanguage.push({ language: pack.meta.tag, megabytesPerSecond: bytes / 1024 / 1024 / seconds });
    totalBytes += bytes;
    totalSeconds += seconds;
    utterances += corpus.length;
  }
  return { megabytesPerSecond: totalBytes / 1024 / 1024 / totalSeconds, matches, utterances, perLanguage };
}
const mode = process.argv[2] ?? 'new';
const result = mode === 'old' ? referenceBenchmark() : benchmarkLexicon();
console.log(JSON.stringify({ mode, overall: Number(result.megabytesPerSecond.toFixed(2)), matches: result.matches, utterances: result.utterances,
  per: Object.fromEntries(result.perLanguage.map((entry) => [entry.language, Number(entry.megabytesPerSecond.toFixed(1))])) }));
