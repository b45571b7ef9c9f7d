import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import { type RunFeatures, StudySchema, type StudyInput, UserInputError } from '../contracts/index.js';
import { twoLanguageFixture } from '../report/fixtures.test-support.js';
import { renderMarkdown } from '../report/markdown.js';
import { adjustPValues } from '../stats/index.js';
import { analyseStudy } from './analyse.js';

/**
 * The analysis fails loudly: a not-estimable confirmatory test stays in the Holm family with p = 1
 * and is listed as a problem; a plan the data cannot fit (a one-level factor) stops with a
 * UserInputError naming the hypothesis and the column; cell counts are right with incomplete runs.
 */

function study(hypotheses: StudyInput['analysis']['hypotheses'], languages = ['en', 'ja']) {
  return StudySchema.parse({
    name: 'analysis-test',
    title: 'analysis test',
    seed: 1,
    languages,
    design: { dose: { intervention: 'alignment', levels: [0, 10] } },
    replicates: 6,
    analysis: { hypotheses },
  });
}

function run(language: string, dose: number, replicate: number, cpi: number, options: Partial<RunFeatures> = {}) {
  return {
    runId: `${language}-${dose}-${replicate}`,
    cellId: `${language}-${dose}`,
    language,
    model: 'surrogate',
    dose,
    replicate,
    attempted: 150,
    actions: 150,
    parseErrors: 0,
    callErrors: 0,
    intendedLanguageShare: 1,
    monologueRatio: 0.2,
    hits: {},
    rates: {},
    conformityRate: 0.5,
    cpi,
    di: 0.3,
    excluded: false,
    exclusionReason: null,
    ...options,
  } satisfies RunFeatures;
}

// Planted: CPI falls with the dose in English (by 1) and rises in Japanese (by 0.5); DI is constant.
const runs = ['en', 'ja'].flatMap((language) =>
  [0, 10].flatMap((dose) =>
    [0, 1, 2, 3, 4, 5].map((replicate) =>
      run(
        language,
        dose,
        replicate,
        (dose === 10 ? (language === 'en' ? -1 : 0.5) : 0) + 0.3 * Math.sin(replicate * 1.7 + dose),
      ),
    ),
  ),
);

describe('analyseStudy fails loudly', () => {
  it('keeps a not-estimable confirmatory test in the Holm family with p = 1 and lists it', () => {
    const output = analyseStudy({
      study: study([
        { id: 'H1', kind: 'contrast', metric: 'cpi', high: 10, low: 0 },
        { id: 'H2', kind: 'contrast', metric: 'di', high: 10, low: 0, by: 'none' },
      ]),
      runs,
      agents: [],
      covariates: {},
    });
    const [h1, h2] = output.hypotheses;
    expect(h2!.rows[0]!.estimate).toBeNull();
    expect(h2!.rows[0]!.pAdjusted).toBeNull();
    expect(h2!.problems?.[0]).toMatch(/could not be estimated.*stays in the holm family with p = 1/);
    // Family of three: the two language contrasts and the failed one counted at p = 1.
    const p = h1!.rows.map((row) => row.p as number);
    const expected = adjustPValues([...p, 1], 'holm').adjusted;
    expect(h1!.rows.map((row) => row.pAdjusted)).toEqual(expected.slice(0, 2));
    // Without the failed test the adjusted p-values would be smaller: the size matters.
    const smaller = adjustPValues(p, 'holm').adjusted;
    expect(Math.max(...expected.slice(0, 2))).toBeGreaterThan(Math.max(...smaller));
  });

  it('the report lists the problem', () => {
    const fixture = twoLanguageFixture();
    const hypotheses = fixture.results.hypotheses.map((hypothesis, index) =>
      index === 0
        ? { ...hypothesis, problems: ["confirmatory test 'pooled' could not be estimated (no variance)"] }
        : hypothesis,
    );
    const markdown = renderMarkdown({ ...fixture.results, hypotheses }, fixture.manifest, {
      tQuantile: (probability, df) => tQuantileStdlib(probability, df),
    });
    expect(markdown).toMatch(/Problems \(1\)/);
    expect(markdown).toContain("confirmatory test 'pooled' could not be estimated (no variance)");
  });

  it('stops on a one-level factor, naming the hypothesis and the column', () => {
    const english = runs.filter((entry) => entry.language === 'en');
    const call = () =>
      analyseStudy({
        study: study([{ id: 'H3', kind: 'model', metric: 'cpi', formula: 'cpi ~ language + k' }], ['en']),
        runs: english,
        agents: [],
        covariates: {},
      });
    expect(call).toThrow(UserInputError);
    expect(call).toThrow(/hypothesis 'H3'.*'language' is a factor with only one level \('en'\)/);
  });

  it('propagates errors that are not statistical (a bug is never a not-estimable row)', () => {
    // A run without its rates record makes the table code throw a TypeError: a bug, which must
    // stop the analysis as itself, not turn into a not-estimable row or a user error.
    const broken = runs.map((entry, index) =>
      index === 0 ? ({ ...entry, rates: undefined } as unknown as RunFeatures) : entry,
    );
    expect(() =>
      analyseStudy({
        study: study([{ id: 'H1', kind: 'trend', metric: 'sexual_rate', by: 'none' }]),
        runs: broken,
        agents: [],
        covariates: {},
      }),
    ).toThrow(TypeError);
  });

  it('counts analysed runs right with incomplete and excluded runs', () => {
    const cellRuns = [
      run('en', 0, 0, 0.1),
      run('en', 0, 1, 0.2),
      run('en', 0, 2, 0.3, { excluded: true, exclusionReason: 'too many failed actions' }),
      run('en', 0, 3, 0.4, { excluded: true, exclusionReason: 'incomplete run' }),
    ];
    const output = analyseStudy({
      study: study([{ id: 'H1', kind: 'trend', metric: 'cpi', by: 'none' }], ['en']),
      runs: cellRuns,
      agents: [],
      covariates: {},
    });
    const cell = output.cells[0]!;
    expect(cell).toMatchObject({ runs: 6, completedRuns: 3, excludedRuns: 1, analysedRuns: 2 });
    const interval = cell.intervals!.cpi!;
    const halfWidth = (tQuantileStdlib(0.975, 1) * Math.SQRT1_2 * 0.1) / Math.SQRT2;
    expect(interval[0]).toBeCloseTo(0.15 - halfWidth, 12);
    expect(interval[1]).toBeCloseTo(0.15 + halfWidth, 12);
  });
});
