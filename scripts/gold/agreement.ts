/**
 * Inter-annotator agreement on the locked gold test parts (gold/README.md): a second annotator, given
 * only the codebook and the sentences (never the first labels or the lexicons), labelled the test
 * items again (gold/second-annotation/<tag>.jsonl: {"id", "labels"} per line). This script compares
 * the two codings per category and language (observed agreement, Cohen's kappa) and for the whole
 * label set, and writes gold/results/agreement.json and docs/annotation-agreement.md. The gold labels
 * stay the first annotator's: the figures say how reproducible the codebook's judgements are, which
 * bounds what any instrument can be expected to reach.
 *
 * With `--probe <folder>` it does the same for a probe (gold/README.md, "Probes"): the first coding
 * is `<folder>/<tag>.jsonl`, the second `<folder>/second-annotation/<tag>.jsonl`, and the figures go
 * to `<folder>/agreement.json` and `<folder>/AGREEMENT.md`.
 *
 * Usage: npx tsx scripts/gold/agreement.ts [--probe <folder>]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { REQUIRED_LEXICON_CATEGORIES } from '../../src/contracts/index.js';
import { type BinaryAgreement, binaryAgreement, readGoldItems } from '../../src/metrics/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GOLD = join(ROOT, 'gold');

const probeFlag = process.argv.indexOf('--probe');
const probeFolder = probeFlag === -1 ? undefined : process.argv[probeFlag + 1];
if (probeFlag !== -1 && probeFolder === undefined) {
  process.stderr.write('usage: npx tsx scripts/gold/agreement.ts [--probe <folder>]\n');
  process.exit(2);
}
/** Where each coding lives and where the figures go: the locked test parts, or one probe folder. */
const target =
  probeFolder === undefined
    ? {
        second: join(GOLD, 'second-annotation'),
        firstFile: (language: string) => join(GOLD, language, 'test.jsonl'),
        itemsName: 'test items',
        jsonOut: join(GOLD, 'results', 'agreement.json'),
        markdownOut: join(ROOT, 'docs', 'annotation-agreement.md'),
        note: 'Second, independent annotation of the locked test parts from the codebook alone; gold labels remain the first annotation.',
        title: '# Inter-annotator agreement on the gold test parts',
        source: '`gold/second-annotation/`',
        subject: 'locked test sentences',
      }
    : {
        second: join(resolve(probeFolder), 'second-annotation'),
        firstFile: (language: string) => join(resolve(probeFolder), `${language}.jsonl`),
        itemsName: 'probe items',
        jsonOut: join(resolve(probeFolder), 'agreement.json'),
        markdownOut: join(resolve(probeFolder), 'AGREEMENT.md'),
        note: 'Second, independent annotation of the probe from the codebook alone; gold labels remain the first annotation.',
        title: `# Inter-annotator agreement on the probe ${relative(ROOT, resolve(probeFolder))}`,
        source: `\`${relative(ROOT, join(resolve(probeFolder), 'second-annotation'))}/\``,
        subject: 'probe sentences',
      };
const SECOND = target.second;

const SecondLabelSchema = z
  .object({ id: z.string().min(1), labels: z.array(z.enum(REQUIRED_LEXICON_CATEGORIES)) })
  .strict();

interface LanguageAgreement {
  language: string;
  items: number;
  exactSets: number;
  categories: Record<string, BinaryAgreement>;
}

const languages: LanguageAgreement[] = [];
const pooledPairs: Record<string, { first: boolean; second: boolean }[]> = Object.fromEntries(
  REQUIRED_LEXICON_CATEGORIES.map((category) => [category, []]),
);
const disagreements: { id: string; gold: string[]; second: string[] }[] = [];
let pooledExact = 0;
let pooledItems = 0;
for (const file of readdirSync(SECOND)
  .filter((name) => name.endsWith('.jsonl'))
  .sort()) {
  const language = file.replace(/\.jsonl$/, '');
  const first = new Map(readGoldItems(target.firstFile(language)).map((item) => [item.id, item.labels]));
  const second = readFileSync(join(SECOND, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = SecondLabelSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file} line ${index + 1}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
  const ids = new Set(second.map((item) => item.id));
  if (ids.size !== first.size || [...first.keys()].some((id) => !ids.has(id))) {
    throw new Error(
      `${file}: the second annotation must cover exactly the ${first.size} ${target.itemsName} of ${language}`,
    );
  }
  const categories: Record<string, BinaryAgreement> = {};
  for (const category of REQUIRED_LEXICON_CATEGORIES) {
    const pairs = second.map((item) => ({
      first: first.get(item.id)!.includes(category),
      second: item.labels.includes(category),
    }));
    pooledPairs[category]!.push(...pairs);
    categories[category] = binaryAgreement(pairs);
  }
  const exactSets = second.filter((item) => {
    const theirs = first.get(item.id)!;
    const same = theirs.length === item.labels.length && theirs.every((label) => item.labels.includes(label));
    if (!same) disagreements.push({ id: item.id, gold: theirs, second: item.labels });
    return same;
  }).length;
  pooledExact += exactSets;
  pooledItems += second.length;
  languages.push({ language, items: second.length, exactSets: exactSets / second.length, categories });
}

const pooled = Object.fromEntries(
  REQUIRED_LEXICON_CATEGORIES.map((category) => [category, binaryAgreement(pooledPairs[category]!)]),
);
const figures = {
  format: 'backfire-gold-agreement/1',
  note: target.note,
  languages: languages.length,
  items: pooledItems,
  exactSets: pooledItems === 0 ? null : pooledExact / pooledItems,
  pooled,
  perLanguage: languages,
  disagreements,
};
writeFileSync(target.jsonOut, `${JSON.stringify(figures, null, 2)}\n`);

const fixed = (value: number | null) => (value === null || Number.isNaN(value) ? '–' : value.toFixed(2));
const lines = [
  target.title,
  '',
  `Generated by \`npx tsx scripts/gold/agreement.ts${probeFolder === undefined ? '' : ' --probe <folder>'}\` from ${target.source} (see \`gold/README.md\`).`,
  `A second annotator labelled the ${target.subject} from the codebook alone, without the first`,
  "labels or the lexicons. Per category: observed agreement and Cohen's kappa (each category coded",
  'yes/no per item); exact sets: both label sets equal. The gold labels stay the first annotation.',
  '',
  `${languages.length} languages, ${pooledItems} items; exact label sets agree on ${fixed(figures.exactSets)}.`,
  '',
  `| language | items | exact sets | ${REQUIRED_LEXICON_CATEGORIES.map((category) => `${category} kappa (agreement)`).join(' | ')} |`,
  `|---|---|---|${REQUIRED_LEXICON_CATEGORIES.map(() => '---').join('|')}|`,
  ...languages.map(
    (row) =>
      `| ${row.language} | ${row.items} | ${fixed(row.exactSets)} | ${REQUIRED_LEXICON_CATEGORIES.map((category) => `${fixed(row.categories[category]!.kappa)} (${fixed(row.categories[category]!.observed)})`).join(' | ')} |`,
  ),
  `| **pooled** | ${pooledItems} | ${fixed(figures.exactSets)} | ${REQUIRED_LEXICON_CATEGORIES.map((category) => `**${fixed(pooled[category]!.kappa)}** (${fixed(pooled[category]!.observed)})`).join(' | ')} |`,
  '',
];
writeFileSync(target.markdownOut, `${lines.join('\n')}`);
process.stdout.write(`${lines.join('\n')}`);
