/**
 * One-off, kept for the record: splits the annotators' raw gold sets into a dev part (lexicographers
 * tune on it) and a test part (locked, scored once per lexicon version), and writes gold/LOCK.json.
 *
 * - Own sets (gold/raw/<tag>.jsonl, ids <tag>-<nnn>): split by item NUMBER, the same for every
 *   language, because the annotators rendered one template of meanings per group of languages: a
 *   meaning is in the test part in every language or in none, so tuning one language on its dev part
 *   never shows a lexicographer a meaning that is held out in another. The rule is a hash of the
 *   number (sha256("backfire-gold-split-v1:" + nnn), even first byte -> test), fixed before any
 *   scoring.
 * - The parallel set (gold/raw/parallel/<tag>.jsonl) is entirely test: it measures invariance and is
 *   never tuned on.
 *
 * Usage: npx tsx scripts/gold/split.ts (refuses to overwrite an existing lock).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const GOLD = resolve(import.meta.dirname, '../../gold');
const RAW = join(GOLD, 'raw');
const LOCK = join(GOLD, 'LOCK.json');

interface RawItem {
  id: string;
  text: string;
  labels: string[];
  case: string;
  parallelId?: string;
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const readLines = (file: string): RawItem[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RawItem);
const toJsonl = (items: readonly object[]) => `${items.map((item) => JSON.stringify(item)).join('\n')}\n`;

function isTestNumber(number: string): boolean {
  return Number.parseInt(sha256(`backfire-gold-split-v1:${number}`).slice(0, 2), 16) % 2 === 0;
}

if (existsSync(LOCK)) {
  process.stderr.write('gold/LOCK.json exists: the split is locked and is never redone.\n');
  process.exit(2);
}

const tags = readdirSync(RAW)
  .filter((file) => file.endsWith('.jsonl'))
  .map((file) => file.replace(/\.jsonl$/, ''))
  .sort();
const files: Record<string, string> = {};
const counts: Record<string, { dev: number; test: number; parallel: number }> = {};
for (const tag of tags) {
  const own = readLines(join(RAW, `${tag}.jsonl`));
  const parallel = readLines(join(RAW, 'parallel', `${tag}.jsonl`));
  const dev: RawItem[] = [];
  const test: RawItem[] = [];
  for (const item of own) {
    const number = item.id.slice(item.id.lastIndexOf('-') + 1);
    (isTestNumber(number) ? test : dev).push(item);
  }
  mkdirSync(join(GOLD, tag), { recursive: true });
  writeFileSync(join(GOLD, tag, 'dev.jsonl'), toJsonl(dev));
  const testText = toJsonl([...test, ...parallel]);
  writeFileSync(join(GOLD, tag, 'test.jsonl'), testText);
  files[`${tag}/test.jsonl`] = sha256(testText);
  counts[tag] = { dev: dev.length, test: test.length, parallel: parallel.length };
}
const meanings = readFileSync(join(RAW, 'parallel', 'meanings.jsonl'), 'utf8');
mkdirSync(join(GOLD, 'parallel'), { recursive: true });
writeFileSync(join(GOLD, 'parallel', 'meanings.jsonl'), meanings);
files['parallel/meanings.jsonl'] = sha256(meanings);

const lock = {
  format: 'backfire-gold-lock/1',
  lockedAt: new Date().toISOString(),
  codebookVersion: '2.0.0',
  splitRule:
    'own sets by item number: sha256("backfire-gold-split-v1:" + nnn), even first byte -> test; parallel set all test',
  counts,
  files,
  hash: sha256(JSON.stringify(Object.entries(files).sort())),
};
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(counts)}\nlock hash ${lock.hash}\n`);
