import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heldOutFor, listLanguageTags, loadHeldOutFigures, loadLanguagePack } from '../src/languages/index.js';
import { probeItemsHash, scoreGoldTestParts, verifyGoldLock } from '../src/metrics/index.js';
import { withEqualRecall } from '../scripts/gold/equal-recall.js';

const GOLD = resolve(import.meta.dirname, '..', 'gold');

describe('the locked gold test parts', () => {
  it('are byte for byte what was locked, for every installed language', () => {
    const lock = verifyGoldLock(GOLD);
    expect(Object.keys(lock.counts).sort()).toEqual(listLanguageTags());
    for (const counts of Object.values(lock.counts)) expect(counts.dev + counts.test + counts.parallel).toBe(300);
  });

  it('refuses a test part changed after the lock', () => {
    const copy = mkdtempSync(join(tmpdir(), 'backfire-gold-'));
    cpSync(GOLD, copy, { recursive: true });
    writeFileSync(join(copy, 'en', 'test.jsonl'), '{"id":"x","text":"tuned","labels":[],"case":"neutral"}\n', {
      flag: 'a',
    });
    expect(() => verifyGoldLock(copy)).toThrow(/changed since it was locked/);
  });

  it('have held-out figures for exactly the installed lexicons (re-score with scripts/gold/score.ts)', () => {
    const figures = loadHeldOutFigures();
    expect(figures, 'src/languages/held-out-validation.json').not.toBeNull();
    for (const tag of listLanguageTags()) {
      expect(heldOutFor(loadLanguagePack(tag), figures).status, tag).toBe('current');
    }
    // The shipped numbers are what the installed lexicons score on the locked parts.
    // (With the test of equal recall the scoring script adds: scripts/gold/equal-recall.ts.)
    const recomputed = withEqualRecall(scoreGoldTestParts(GOLD, verifyGoldLock(GOLD), figures?.scoredAt ?? ''));
    expect(recomputed).toEqual(figures);
  });
});

describe('the scored probes', () => {
  const probesDirectory = join(GOLD, 'probes');
  const scored = readdirSync(probesDirectory).filter((name) => existsSync(join(probesDirectory, name, 'results.json')));

  it('exist (a probe is scored once and kept with its figures)', () => {
    expect(scored.length).toBeGreaterThan(0);
  });

  // A probe whose items were written while a lexicon version was being tuned had only its hashes
  // committed then (LOCK.sha256, `sha256sum` format); the items added later must be those bytes,
  // so that "written before, kept away, scored after" is checked, not only told (gold/README.md).
  const locked = readdirSync(probesDirectory).filter((name) => existsSync(join(probesDirectory, name, 'LOCK.sha256')));

  it.each(locked)('%s: its items are byte for byte the ones hashed in LOCK.sha256 before tuning', (name) => {
    const folder = join(probesDirectory, name);
    // `sha256sum` lines; another line (the time of locking, in one probe) is a note.
    const hashed = readFileSync(join(folder, 'LOCK.sha256'), 'utf8')
      .split('\n')
      .map((line) => /^([0-9a-f]{64})\s+(\S+)$/.exec(line.trim()))
      .filter((found) => found !== null);
    const files = hashed.map((found) => found[2]);
    for (const tag of listLanguageTags()) expect(files, `${name}/LOCK.sha256`).toContain(`${tag}.jsonl`);
    for (const [, hash, file] of hashed) {
      const actual = createHash('sha256')
        .update(readFileSync(join(folder, file!)))
        .digest('hex');
      expect(actual, `${name}/${file}`).toBe(hash);
    }
  });

  it.each(scored)('%s: its items are byte for byte the ones its figures were scored on', (name) => {
    const folder = join(probesDirectory, name);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as { goldLock: string };
    expect(probeItemsHash(folder, listLanguageTags())).toBe(results.goldLock);
  });
});
