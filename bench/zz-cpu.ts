// Temporary (deleted after use): benchmarkLexicon()'s procedure (compile once, one warm-up call,
// one pass per language) timed by wall clock AND by this process's CPU time, for the reference
// implementation (`old`) or the current one (`new`).
import { listLanguageTags, loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon } from '../src/metrics/index.js';
import { compileLexicon as compileReferenceLexicon } from '../src/metrics/lexicon-reference.test-support.js';

const mode = process.argv[2] ?? 'new';
const packs = listLanguageTags().map((tag) => loadLanguagePack(tag));
const perLanguageBytes = (8 * 1024 * 1024) / packs.length;
const cpu = () => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1e6; };
let totalBytes = 0; let totalWall = 0; let totalCpu = 0; let matches = 0;
const wall: Record<string, number> = {}; const cpuRate: Record<string, number> = {};
for (const pack of packs) {
  const lexicon = mode === 'old' ? compileReferenceLexicon(pack) : compileLexicon(pack);
  const sentences = [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)].map((sentence) =>
    sentence.replaceAll('{target}', pack.personas[9]?.name ?? '').replaceAll('{name}', pack.personas[0]?.name ?? ''));
  const joiner = pack.capabilities.segmentation === 'whitespace' ? ' ' : '';
  const corpus: string[] = [];
  let bytes = 0;
  for (let index = 0; bytes < perLanguageBytes; index += 1) {
    const utterance = [sentences[index % sentences.length], sentences[(index * 7 + 3) % sentences.length], sentences[(index * 13 + 5) % sentences.length], String(index)].join(joiner);
    corpus.push(utterance); bytes += Buffer.byteLength(utterance, 'utf8');
  }
  lexicon.match(corpus[0] ?? '');
  const startedCpu = cpu(); const started = performance.now();
  for (const utterance of corpus) matches += lexicon.match(utterance).length;
  const seconds = (performance.now() - started) / 1000; const cpuSeconds = cpu() - startedCpu;
  wall[pack.meta.tag] = Number((bytes / 1048576 / seconds).toFixed(1));
  cpuRate[pack.meta.tag] = Number((bytes / 1048576 / cpuSeconds).toFixed(1));
  totalBytes += bytes; totalWall += seconds; totalCpu += cpuSeconds;
}
console.log(JSON.stringify({ mode, matches, wallOverall: Number((totalBytes / 1048576 / totalWall).toFixed(2)), cpuOverall: Number((totalBytes / 1048576 / totalCpu).toFixed(2)), wall, cpu: cpuRate }));
