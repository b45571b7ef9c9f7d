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

  it.each(scored)('%s: its items are byte for byte the ones its figures were scored on', (name) => {
    const folder = join(probesDirectory, name);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as { goldLock: string };
    expect(probeItemsHash(folder, listLanguageTags())).toBe(results.goldLock);
  });
});
