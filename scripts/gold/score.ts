/**
 * Scores the locked gold test parts with the installed lexicons (docs/validation.md, gold/README.md).
 *
 * 1. Verifies gold/LOCK.json: every test file still has the hash it was locked with.
 * 2. For each language: precision, recall and F1 with Wilson 95% intervals per category, exact label
 *    sets and label accuracy on the whole test part (its own held-out items and the parallel set),
 *    and recall per category on the parallel set alone (the same 48 meanings in every language).
 * 3. Measurement invariance: per category, the spread of parallel-set recall across languages, and
 *    whether it exceeds sampling noise (Cochran's Q; the spread of a perfectly invariant instrument).
 * 4. Writes src/languages/held-out-validation.json (shipped: `backfire languages --json`, reports),
 *    docs/validation.md, and appends one line per language and lexicon version to
 *    gold/results/ledger.jsonl: the record of how often the test parts were consulted.
 *
 * A lexicon is scored once per version: if the ledger already holds a (language, version) with a
 * different lexicon hash, the lexicon changed without a version bump and the script refuses. The
 * matcher's source is hashed too (`matcherHash`): scoring the same lexicon again after a matcher
 * change is allowed, but it is a new consultation of the test parts and gets its own ledger line.
 *
 * Usage: npx tsx scripts/gold/score.ts [--check]   (--check: recompute and compare, write nothing)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatHeldOutMarkdown, scoreGoldTestParts, verifyGoldLock } from '../../src/metrics/held-out.js';
import { withEqualRecall } from './equal-recall.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GOLD = join(ROOT, 'gold');
const OUTPUT = join(ROOT, 'src', 'languages', 'held-out-validation.json');
const LEDGER = join(GOLD, 'results', 'ledger.jsonl');
const check = process.argv.includes('--check');

const lock = verifyGoldLock(GOLD);

/** SHA-256 over the matcher's source files (src/metrics, tests excluded), in name order. */
function matcherHash(): string {
  const directory = join(ROOT, 'src', 'metrics');
  const hash = createHash('sha256');
  for (const name of readdirSync(directory).sort()) {
    if (!name.endsWith('.ts') || name.includes('.test')) continue;
    hash.update(`${name}\n`).update(readFileSync(join(directory, name)));
  }
  return hash.digest('hex');
}

if (check) {
  // Recompute with the stored date: equal means the shipped figures belong to the installed lexicons.
  const stored = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '{}';
  const scoredAt = (JSON.parse(stored) as { scoredAt?: string }).scoredAt ?? '';
  const fresh = `${JSON.stringify(withEqualRecall(scoreGoldTestParts(GOLD, lock, scoredAt)), null, 2)}\n`;
  process.stdout.write(stored === fresh ? 'held-out figures are current\n' : 'held-out figures are STALE\n');
  process.exit(stored === fresh ? 0 : 1);
}
const figures = withEqualRecall(scoreGoldTestParts(GOLD, lock, new Date().toISOString()));

const ledger = existsSync(LEDGER)
  ? readFileSync(LEDGER, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(
        (line) =>
          JSON.parse(line) as { language: string; lexiconVersion: string; lexiconHash: string; matcherHash?: string },
      )
  : [];
const matcher = matcherHash();
const newEntries = [];
for (const language of figures.languages) {
  const previous = ledger.filter(
    (entry) => entry.language === language.language && entry.lexiconVersion === language.lexiconVersion,
  );
  if (previous.some((entry) => entry.lexiconHash !== language.lexiconHash)) {
    process.stderr.write(
      `${language.language}: lexicon ${language.lexiconVersion} was already scored with different content; bump lexicon.version before scoring again\n`,
    );
    process.exit(2);
  }
  if (!previous.some((entry) => entry.matcherHash === matcher)) {
    newEntries.push({
      scoredAt: figures.scoredAt,
      language: language.language,
      lexiconVersion: language.lexiconVersion,
      lexiconHash: language.lexiconHash,
      goldLock: lock.hash,
      matcherHash: matcher,
    });
  }
}
mkdirSync(join(GOLD, 'results'), { recursive: true });
writeFileSync(LEDGER, [...ledger, ...newEntries].map((entry) => `${JSON.stringify(entry)}\n`).join(''));
writeFileSync(OUTPUT, `${JSON.stringify(figures, null, 2)}\n`);
writeFileSync(join(ROOT, 'docs', 'validation.md'), formatHeldOutMarkdown(figures));
process.stdout.write(formatHeldOutMarkdown(figures));
