import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_LEXICON_CATEGORIES } from '../contracts/index.js';
import { type HeldOutFigures, type HeldOutLanguage, lexiconHash, loadLanguagePack } from '../languages/index.js';
import { measurementSection } from './measurement.js';
import { loadStudyFile } from './study-file.js';

const study1 = loadStudyFile(resolve(import.meta.dirname, '../../studies/study1.yaml'));

/**
 * Held-out figures for the installed en and ja packs with chosen parallel-set recalls; with
 * `detected`, the per-meaning outcomes too (category -> language -> outcome per meaning m1, m2, ...).
 */
function figuresWith(
  recalls: Record<string, Record<string, number>>,
  stale: string[] = [],
  detected: Record<string, Record<string, boolean[]>> = {},
): HeldOutFigures {
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
          ...(detected[category]?.[tag] === undefined
            ? {}
            : {
                detections: Object.fromEntries(
                  detected[category][tag].map((outcome, index) => [`m${index + 1}`, outcome] as const),
                ),
              }),
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

  it("tests equal recall over the languages compared from the meanings' outcomes, and says so in the warning", () => {
    // Ten sexual meanings: en detects all, ja misses the first four (recall 1.0 against 0.6).
    const en = Array.from({ length: 10 }, () => true);
    const ja = en.map((_, index) => index >= 4);
    const section = measurementSection(
      study1.study,
      study1.packs,
      figuresWith({ en: { sexual: 1 }, ja: { sexual: 0.6 } }, [], { sexual: { en, ja } }),
    );
    const sexual = section.invariance.find((row) => row.category === 'sexual')!;
    // Four discordant meanings, all one way: Q = 4 on 1 df (McNemar's chi-square without correction).
    expect(sexual.equalRecall?.meanings).toBe(10);
    expect(sexual.equalRecall?.cochranQ.statistic).toBeCloseTo(4, 10);
    expect(sexual.equalRecall?.cochranQ.pValue).toBeCloseTo(0.0455, 4);
    // Under invariance the spread is |sum of four signs| / 10: median 0.2, 95th percentile 0.4.
    expect(sexual.equalRecall?.spreadUnderInvariance.median).toBeCloseTo(0.2, 10);
    expect(sexual.equalRecall?.spreadUnderInvariance.quantile95).toBeCloseTo(0.4, 10);
    const warning = section.warnings.find((entry) => entry.category === 'sexual');
    expect(warning?.message).toMatch(/Cochran's Q p = 0\.046 over 10 meanings; .* spread of 0\.20 in the median/);
    // Without per-meaning outcomes (figures scored before them) there is no test; no test either
    // when a language compared has no current figures.
    expect(
      measurementSection(study1.study, study1.packs, figuresWith({})).invariance.every(
        (row) => row.equalRecall === null,
      ),
    ).toBe(true);
    expect(
      measurementSection(study1.study, study1.packs, figuresWith({}, ['ja'], { sexual: { en, ja } })).invariance.every(
        (row) => row.equalRecall === null,
      ),
    ).toBe(true);
  });
});
