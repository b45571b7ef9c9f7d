/**
 * Is the spread of recall across languages on a parallel probe more than sampling noise?
 *
 * A parallel probe (gold/README.md, "Probes") holds the same meanings in every language. The spread
 * (highest minus lowest per-language recall) grows with the number of languages and shrinks slowly
 * with the number of meanings, so even an instrument with exactly the same detection probability for
 * a meaning in every language shows a spread. For each category this script takes the meanings
 * labelled with it, the table "meaning x language: detected or not", and reports
 *   - Cochran's Q test of equal recall across languages (meanings as blocks; src/stats/cochran-q.ts,
 *     checked against R's friedman.test), and
 *   - a permutation test of the spread itself (both in src/stats/recall-invariance.ts): under "language does not matter", the outcomes of a
 *     meaning are exchangeable across languages, so they are shuffled within each meaning (seeded,
 *     20,000 times) and the observed spread is compared with the spreads so obtained (also their
 *     median: the spread a perfectly invariant instrument with these meanings would typically show).
 * It writes `<folder>/invariance.json` and `<folder>/INVARIANCE.md`. Only a probe that was scored
 * (results.json) with the lexicons installed now is accepted: the figures describe that scoring and
 * are not a new consultation of unseen data.
 *
 * Usage: npx tsx scripts/gold/parallel-invariance.ts <probe folder>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { REQUIRED_LEXICON_CATEGORIES } from '../../src/contracts/index.js';
import { lexiconHash, listLanguageTags, loadLanguagePack } from '../../src/languages/index.js';
import { compileLexicon, readGoldItems } from '../../src/metrics/index.js';
import { recallInvariance } from '../../src/stats/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PERMUTATIONS = 20_000;
const SEED = 20261208;

const folderArgument = process.argv[2];
if (folderArgument === undefined) {
  process.stderr.write('usage: npx tsx scripts/gold/parallel-invariance.ts <probe folder>\n');
  process.exit(2);
}
const folder = resolve(folderArgument);
const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as {
  scoredAt: string;
  languages: { language: string; lexiconVersion: string; lexiconHash: string }[];
};
const tags = listLanguageTags();
for (const scored of results.languages) {
  if (lexiconHash(loadLanguagePack(scored.language)) !== scored.lexiconHash) {
    process.stderr.write(
      `${join(folder, 'results.json')}: ${scored.language} was scored with other lexicons than the installed ones; ` +
        'these figures must describe the scored version (check out that commit)\n',
    );
    process.exit(2);
  }
}

/** meaning -> language -> detected, for the items labelled with the category. */
const detections = new Map<string, Map<string, Map<string, boolean>>>(
  REQUIRED_LEXICON_CATEGORIES.map((category) => [category, new Map()]),
);
for (const tag of tags) {
  const lexicon = compileLexicon(loadLanguagePack(tag));
  for (const item of readGoldItems(join(folder, `${tag}.jsonl`))) {
    if (item.parallelId === undefined) continue;
    const matched = new Set(lexicon.match(item.text).map((match) => match.category));
    for (const category of item.labels) {
      const byMeaning = detections.get(category)!;
      if (!byMeaning.has(item.parallelId)) byMeaning.set(item.parallelId, new Map());
      byMeaning.get(item.parallelId)!.set(tag, matched.has(category));
    }
  }
}

const categories = REQUIRED_LEXICON_CATEGORIES.map((category) => {
  const rows = [...detections.get(category)!.entries()].map(([meaning, byLanguage]) =>
    tags.map((tag) => {
      const detected = byLanguage.get(tag);
      if (detected === undefined) throw new Error(`${tag}: meaning ${meaning} (${category}) is missing`);
      return detected;
    }),
  );
  const result = recallInvariance(rows, { permutations: PERMUTATIONS, seed: SEED });
  return {
    category,
    meanings: result.meanings,
    spread: result.spread,
    cochranQ: result.cochranQ,
    spreadPermutation: {
      permutations: PERMUTATIONS,
      seed: SEED,
      pValue: result.spreadUnderInvariance.pValue,
      medianUnderInvariance: result.spreadUnderInvariance.median,
      quantile95UnderInvariance: result.spreadUnderInvariance.quantile95,
    },
  };
});

const figures = {
  format: 'backfire-parallel-invariance/1',
  probe: relative(ROOT, folder),
  scoredAt: results.scoredAt,
  languages: tags.length,
  categories,
};
writeFileSync(join(folder, 'invariance.json'), `${JSON.stringify(figures, null, 2)}\n`);
const fixed = (value: number) => value.toFixed(2);
const lines = [
  `# Is the spread more than noise? ${relative(ROOT, folder)}`,
  '',
  'Written by `npx tsx scripts/gold/parallel-invariance.ts`; do not edit by hand. Same scoring as',
  '`RESULTS.md`. Per category, the meanings labelled with it, detected or not in each language:',
  "Cochran's Q tests equal recall across languages with meanings as blocks; the permutation test",
  'shuffles each meaning\'s outcomes across languages (what "language does not matter" allows) and',
  `compares the observed spread with ${PERMUTATIONS.toLocaleString('en')} such spreads (seed ${SEED}). The median and 95th`,
  'percentile are the spreads a perfectly invariant instrument would show with these meanings.',
  '',
  `| category | meanings | spread | Cochran's Q (df) | p | spread under invariance: median / 95th pct. | p (spread) |`,
  '|---|---|---|---|---|---|---|',
  ...categories.map(
    (row) =>
      `| ${row.category} | ${row.meanings} | ${fixed(row.spread)} | ${row.cochranQ.statistic?.toFixed(2) ?? 'n/a'} (${row.cochranQ.degreesOfFreedom}) | ${row.cochranQ.pValue?.toFixed(3) ?? 'n/a'} | ${fixed(row.spreadPermutation.medianUnderInvariance)} / ${fixed(row.spreadPermutation.quantile95UnderInvariance)} | ${row.spreadPermutation.pValue.toFixed(3)} |`,
  ),
  '',
];
writeFileSync(join(folder, 'INVARIANCE.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
