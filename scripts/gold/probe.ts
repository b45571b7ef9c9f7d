/**
 * Scores a one-shot held-out probe: a folder of `<tag>.jsonl` gold items (every installed language),
 * written blind from the codebook after the locked test parts, never shown to a lexicographer, and
 * scored exactly once with the lexicons installed at that moment (gold/README.md, "Probes").
 *
 * Writes `<folder>/results.json` (the same figures as the locked test parts: per language and
 * pooled precision, recall and F1 with Wilson intervals, exact label sets, label accuracy, and the
 * spread of parallel-item recall across languages with its test of equal recall) and `<folder>/RESULTS.md`. A probe that already
 * has results is refused: once scored, it is spent, and later lexicons may be tuned on it (it is
 * dev data from then on). `--check` recomputes with the stored date and compares, writing nothing.
 *
 * Usage: npx tsx scripts/gold/probe.ts <folder> [--check]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { listLanguageTags } from '../../src/languages/index.js';
import {
  formatHeldOutMarkdown,
  heldOutFigures,
  probeItemsHash,
  readGoldItems,
  scoreLanguageItems,
} from '../../src/metrics/held-out.js';
import { withEqualRecall } from './equal-recall.js';

const ROOT = resolve(import.meta.dirname, '../..');
const folderArgument = process.argv.slice(2).find((argument) => !argument.startsWith('--'));
if (folderArgument === undefined) {
  process.stderr.write('usage: npx tsx scripts/gold/probe.ts <folder> [--check]\n');
  process.exit(2);
}
const folder = resolve(folderArgument);
const check = process.argv.includes('--check');
const resultsFile = join(folder, 'results.json');

const tags = listLanguageTags();
const missing = tags.filter((tag) => !existsSync(join(folder, `${tag}.jsonl`)));
if (missing.length > 0) {
  process.stderr.write(`${folder}: no items for ${missing.join(', ')} (one <tag>.jsonl per installed language)\n`);
  process.exit(2);
}

// The probe's identity: the hash of its item files in tag order, so results name what was scored.
const probeHash = probeItemsHash(folder, tags);
const codebookVersion = /version (\d+\.\d+\.\d+)/.exec(readFileSync(join(ROOT, 'docs', 'codebook.md'), 'utf8'))?.[1];

function score(scoredAt: string) {
  const languages = tags.map((tag) => scoreLanguageItems(tag, readGoldItems(join(folder, `${tag}.jsonl`))));
  return withEqualRecall(
    heldOutFigures(languages, { scoredAt, goldLock: probeHash, codebookVersion: codebookVersion ?? 'unknown' }),
  );
}

if (check) {
  if (!existsSync(resultsFile)) {
    process.stderr.write(`${resultsFile}: this probe has not been scored\n`);
    process.exit(1);
  }
  const stored = readFileSync(resultsFile, 'utf8');
  const scoredAt = (JSON.parse(stored) as { scoredAt: string }).scoredAt;
  const fresh = `${JSON.stringify(score(scoredAt), null, 2)}\n`;
  process.stdout.write(stored === fresh ? 'probe figures reproduce\n' : 'probe figures DIFFER from the stored ones\n');
  process.exit(stored === fresh ? 0 : 1);
}
if (existsSync(resultsFile)) {
  process.stderr.write(
    `${resultsFile} exists: this probe was scored already and is spent (use --check to recompute it)\n`,
  );
  process.exit(2);
}

const figures = score(new Date().toISOString());
const meanings = readGoldItems(join(folder, `${tags[0]}.jsonl`)).filter((item) => item.parallelId !== undefined);
writeFileSync(resultsFile, `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(
  join(folder, 'RESULTS.md'),
  formatHeldOutMarkdown(figures, {
    title: `One-shot held-out probe: ${relative(ROOT, folder)}`,
    introduction: [
      `Written by \`scripts/gold/probe.ts\` on ${figures.scoredAt.slice(0, 10)}; do not edit by hand. How the probe`,
      `was written: \`gold/README.md\` ("Probes"); item files hash \`${probeHash.slice(0, 16)}\`, codebook ${figures.codebookVersion}.`,
      'Scored once, with the lexicons named per language below, before any lexicographer saw it. Intervals',
      'are Wilson 95%. An action is predicted positive for a category when the lexicon finds a hit in it.',
    ],
    parallelSet: `the same ${meanings.length} meanings in every language`,
  }),
);
const overall = figures.overall.categories
  .map((row) => `${row.category} P ${row.precision?.toFixed(2)} R ${row.recall?.toFixed(2)}`)
  .join('; ');
process.stdout.write(`scored ${figures.overall.items} items: ${overall}\n`);
