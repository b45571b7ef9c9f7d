import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_LEXICON_CATEGORIES } from '../contracts/index.js';
import { type HeldOutFigures, type HeldOutLanguage, lexiconHash, loadLanguagePack } from '../languages/index.js';
import { measurementSection } from './measurement.js';
import { loadStudyFile } from './study-file.js';

const study1 = loadStudyFile(resolve(import.meta.dirname, '../../studies/study1.yaml'));

/** Held-out figures for the installed en and ja packs with chosen parallel-set recalls. */
function figuresWith(recalls: Record<string, Record<string, number>>, stale: string[] = []): HeldOutFigures {
  const language = (tag: string): HeldOutLanguage => {
    const pack = loadLanguagePack(tag);
    return {
      language: tag,
      lexiconVersion: pack.lexicon.version,
      lexiconHash: stale.includes(tag) ? 'an-older-lexicon' : lexiconHash(pack),
      items: 100,
      exactLabelSets: 80,
      exactLabelSetShare: 0.8,
      labelAccuracy: 0.9,
      categories: [],
      parallel: {
        items: 48,
        recall: REQUIRED_LEXICON_CATEGORIES.map((category) => ({
          category,
          positives: 10,
          truePositives: Math.round((recalls[tag]?.[category] ?? 0.8) * 10),
          recall: recalls[tag]?.[category] ?? 0.8,
          recallInterval: null,
        })),
      },
    };
  };
  return {
    format: 'backfire-held-out/1',
    kind: 'held-out',
    scoredAt: '2026-12-07T00:00:00.000Z',
    goldLock: 'lock',
    codebookVersion: '2.0.0',
    languages: [language('en'), language('ja')],
    overall: { items: 200, exactLabelSetShare: 0.8, labelAccuracy: 0.9, categories: [] },
    invariance: [],
  };
}

describe('measurement section', () => {
  it('warns on each hypothesis whose index rests on a category measured unequally in the languages compared', () => {
    const section = measurementSection(
      study1.study,
      study1.packs,
      figuresWith({ en: { sexual: 0.9 }, ja: { sexual: 0.6 } }),
    );
    const sexual = section.invariance.find((row) => row.category === 'sexual');
    expect(sexual?.spread).toBeCloseTo(0.3, 10);
    expect(sexual?.lowest).toEqual({ language: 'ja', recall: 0.6 });
    // CPI and DI hypotheses rest on sexual and protective: one warning each for sexual only.
    const warned = section.warnings.filter((warning) => warning.category === 'sexual').map((w) => w.metric);
    expect(warned.length).toBeGreaterThan(0);
    expect(new Set(warned)).toEqual(new Set(['cpi', 'di']));
    expect(section.warnings.some((warning) => warning.category === 'protective')).toBe(false);
  });

  it('stays quiet within the tolerance, and names a lexicon without current figures', () => {
    const quiet = measurementSection(
      study1.study,
      study1.packs,
      figuresWith({ en: { sexual: 0.85 }, ja: { sexual: 0.72 } }),
    );
    expect(quiet.warnings).toEqual([]);
    const stale = measurementSection(study1.study, study1.packs, figuresWith({}, ['ja']));
    expect(stale.languages.find((row) => row.language === 'ja')?.status).toBe('stale');
    expect(stale.warnings.map((warning) => warning.message).join('\n')).toMatch(/ja lexicon .* differs/);
    expect(measurementSection(study1.study, study1.packs, null).languages.every((row) => row.status === 'none')).toBe(
      true,
    );
  });
});
