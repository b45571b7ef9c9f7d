// Temporary: how much ICU work does the cold chunk cache do on the benchmark corpus?
import { loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon } from '../src/metrics/index.js';
import { unspacedCuts } from '../src/metrics/lexicon-characters.js';
for (const tag of ['ja', 'zh']) {
  const pack = loadLanguagePack(tag);
  const lex = compileLexicon(pack);
  const sentences = [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)].map((s) => s.replaceAll('{target}', pack.personas[9]?.name ?? '').replaceAll('{name}', pack.personas[0]?.name ?? ''));
  const corpus: string[] = []; let bytes = 0;
  for (let index = 0; bytes < 512 * 1024; index += 1) { const u = [sentences[index % sentences.length], sentences[(index * 7 + 3) % sentences.length], sentences[(index * 13 + 5) % sentences.length], String(index)].join(''); corpus.push(lex.normalise(u)); bytes += Buffer.byteLength(u); }
  const chunks = new Set<string>(); let total = 0;
  for (const u of corpus) { const cuts = unspacedCuts(u); for (let i = 0; i < cuts.length; i++) { const c = u.slice(cuts[i]!, cuts[i + 1] ?? u.length); chunks.add(c); total++; } }
  const chars = [...chunks].reduce((a, c) => a + c.length, 0);
  const seg = new Intl.Segmenter(tag, { granularity: 'word' });
  let t = performance.now(); for (const c of chunks) for (const s of seg.segment(c)) void s; const ms = performance.now() - t;
  t = performance.now(); for (const c of chunks) for (const s of seg.segment(c)) void s; const ms2 = performance.now() - t;
  console.log(tag, 'utterances', corpus.length, 'chunks', total, 'distinct', chunks.size, 'distinct chars', chars, 'segment all distinct: ms', ms.toFixed(0), 'again', ms2.toFixed(0), 'sentences', sentences.length);
}
