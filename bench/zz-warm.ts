// Temporary: first-pass slices of the benchmark corpus, per language, in order.
import { loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon } from '../src/metrics/index.js';
const tags = (process.argv[2] ?? 'ar').split(',');
for (const tag of tags) {
  const pack = loadLanguagePack(tag);
  const sentences = [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)].map((sentence) =>
    sentence.replaceAll('{target}', pack.personas[9]?.name ?? '').replaceAll('{name}', pack.personas[0]?.name ?? ''));
  const joiner = pack.capabilities.segmentation === 'whitespace' ? ' ' : '';
  const corpus: string[] = [];
  let bytes = 0;
  for (let index = 0; bytes < 512 * 1024; index += 1) {
    const u = [sentences[index % sentences.length], sentences[(index * 7 + 3) % sentences.length], sentences[(index * 13 + 5) % sentences.length], String(index)].join(joiner);
    corpus.push(u); bytes += Buffer.byteLength(u, 'utf8');
  }
  const lexicon = compileLexicon(pack);
  lexicon.match(corpus[0] ?? '');
  const out: string[] = [];
  process.stderr.write(`WINDOW ${tag} start ${process.hrtime.bigint() / 1000n}\n`);
  let total = 0;
  for (let slice = 0; slice < 10; slice += 1) {
    const part = corpus.slice((slice * corpus.length) / 10, ((slice + 1) * corpus.length) / 10);
    const t = performance.now();
    for (const u of part) lexicon.match(u);
    const ms = performance.now() - t;
    total += ms;
    out.push(ms.toFixed(0));
  }
  process.stderr.write(`WINDOW ${tag} end ${process.hrtime.bigint() / 1000n}\n`);
  process.stderr.write(`${tag} done at ${performance.now().toFixed(0)} (first slice started ${(performance.now() - total).toFixed(0)})\n`);
  console.log(tag, 'slice ms', out.join(' '), 'total', total.toFixed(0), 'MB/s', (bytes / 1048576 / (total / 1000)).toFixed(1));
}
