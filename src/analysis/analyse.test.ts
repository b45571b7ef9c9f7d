import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import {
  type AgentFeatures,
  type RunFeatures,
  StudySchema,
  type StudyInput,
  UserInputError,
} from '../contracts/index.js';
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

describe('analysis plans that test the claims', () => {
  // Six runs per cell at k = 0, 4 and 10 of 10 agents; conformity counts planted at a rate of 0.9.
  const doses = [0, 4, 10];
  const plantedRuns = doses.flatMap((dose) =>
    [0, 1, 2, 3, 4, 5].map((replicate) => {
      const total = 40 + replicate * 3;
      const conformity = Math.round(total * (0.9 + 0.02 * Math.sin(replicate + dose)));
      return run('en', dose, replicate, 0.1 * Math.cos(replicate + dose), {
        hits: { conformity, individuation: total - conformity },
      });
    }),
  );
  // Agents: instructed agents (the first k) have a higher protective rate by 0.2.
  const agents: AgentFeatures[] = plantedRuns.flatMap((entry) =>
    Array.from({ length: 10 }, (_, index) => {
      const instructed = index < entry.dose;
      return {
        runId: entry.runId,
        agent: `p${String(index + 1).padStart(2, '0')}`,
        language: 'en',
        dose: entry.dose,
        interventions: instructed ? ['alignment'] : [],
        actions: 15,
        monologues: 3,
        monologueRatio: 0.2,
        intendedLanguageShare: 1,
        hits: {},
        rates: { protective: 0.3 + (instructed ? 0.2 : 0) + 0.05 * Math.sin(index * 3 + entry.replicate) },
        conformityRate: 0.5,
        di: 0.1 * Math.sin(index + entry.replicate * 2),
      };
    }),
  );
  const plan = (hypotheses: StudyInput['analysis']['hypotheses']) => ({
    ...study(hypotheses, ['en']),
    design: { ...study(hypotheses, ['en']).design, dose: { variable: 'k', intervention: 'alignment', levels: doses } },
  });

  it('tests a rate as a level with a binomial GLMM, the named intercept in the family', () => {
    const output = analyseStudy({
      study: plan([
        {
          id: 'H3',
          kind: 'model',
          metric: 'conformity_rate',
          formula: 'cbind(conformity_hits, individuation_hits) ~ 1 + (1 | run)',
          estimator: 'glmm',
          family: 'binomial',
          terms: ['(Intercept)'],
          against: 0.84,
          alternative: 'greater',
        },
      ]),
      runs: plantedRuns,
      agents: [],
      covariates: {},
    });
    const row = output.hypotheses[0]!.rows[0]!;
    expect(row.quantity).toBe('rate');
    expect(row.estimate!).toBeGreaterThan(0.88);
    expect(row.estimate!).toBeLessThan(0.92);
    expect(row.ci![0]).toBeGreaterThan(0.84);
    expect(row.p!).toBeLessThan(0.001);
    expect(row.pAdjusted).toBe(row.p);
    // The same rate is not above 0.95.
    const above = analyseStudy({
      study: plan([
        {
          id: 'H3',
          kind: 'model',
          metric: 'conformity_rate',
          formula: 'cbind(conformity_hits, individuation_hits) ~ 1 + (1 | run)',
          estimator: 'glmm',
          family: 'binomial',
          terms: ['(Intercept)'],
          against: 0.95,
          alternative: 'greater',
        },
      ]),
      runs: plantedRuns,
      agents: [],
      covariates: {},
    });
    expect(above.hypotheses[0]!.rows[0]!.p!).toBeGreaterThan(0.99);
  });

  it('estimates agent-level models within mixed runs, with crossed run and persona effects', () => {
    const output = analyseStudy({
      study: plan([
        {
          id: 'H4',
          kind: 'model',
          metric: 'protective_rate',
          formula: 'protective_rate ~ instructed + (1 | run) + (1 | persona)',
          estimator: 'lmm',
          level: 'agent',
          runs: 'mixed',
          terms: ['instructed'],
        },
      ]),
      runs: plantedRuns,
      agents,
      covariates: {},
    });
    const row = output.hypotheses[0]!.rows[0]!;
    // Only the six k = 4 runs: 60 agents.
    expect(row.n).toEqual({ rows: 60 });
    expect(row.estimate!).toBeGreaterThan(0.15);
    expect(row.estimator.args).toMatchObject({ runs: 'mixed' });
  });

  it('shows manipulation checks first and flags what a failed check qualifies', () => {
    const output = analyseStudy({
      study: plan([
        { id: 'H1', kind: 'trend', metric: 'cpi', by: 'none' },
        { id: 'M-ok', kind: 'manipulation-check', metric: 'protective_rate', direction: 'greater' },
        { id: 'M-fail', kind: 'manipulation-check', metric: 'protective_rate', direction: 'less', qualifies: ['H1'] },
      ]),
      runs: plantedRuns,
      agents,
      covariates: {},
    });
    expect(output.hypotheses.map((result) => result.id)).toEqual(['M-ok', 'M-fail', 'H1']);
    expect(output.hypotheses[0]!.summary).toMatchObject({ passed: 1 });
    expect(output.hypotheses[1]!.summary).toMatchObject({ passed: 0 });
    expect(output.hypotheses[1]!.problems?.[0]).toMatch(/manipulation check failed/);
    expect(output.hypotheses[2]!.qualifiedBy).toEqual(['M-fail']);
    // A check is not a confirmatory test: it never enters the correction family.
    expect(output.hypotheses[0]!.rows[0]!.pAdjusted).toBeUndefined();
  });

  it('contrast rows state their test (Welch by default, Student on request)', () => {
    const welch = analyseStudy({
      study: study([{ id: 'H1', kind: 'contrast', metric: 'cpi', high: 10, low: 0 }]),
      runs,
      agents: [],
      covariates: {},
    });
    const student = analyseStudy({
      study: study([{ id: 'H1', kind: 'contrast', metric: 'cpi', high: 10, low: 0, test: 'student' }]),
      runs,
      agents: [],
      covariates: {},
    });
    expect(welch.hypotheses[0]!.rows[0]!.statistic).toBe('Welch t');
    expect(welch.hypotheses[0]!.rows[0]!.estimator.args).toMatchObject({ test: 'welch' });
    expect(student.hypotheses[0]!.rows[0]!.statistic).toBe('Student t');
    expect(student.hypotheses[0]!.rows[0]!.df).toBe(10);
  });

  it('direction counts use adjusted p when the plan says so', () => {
    const count = (significance: 'unadjusted' | 'holm') =>
      analyseStudy({
        study: study([{ id: 'D', kind: 'direction-count', metric: 'cpi', high: 10, low: 0, significance }]),
        runs,
        agents: [],
        covariates: {},
      }).hypotheses[0]!;
    const plain = count('unadjusted');
    const holm = count('holm');
    const p = plain.rows.map((row) => row.p as number);
    expect(holm.rows.map((row) => row.pAdjusted)).toEqual(adjustPValues(p, 'holm').adjusted);
    expect(holm.summary).toMatchObject({ significance: 'holm' });
    const significantCount = (result: typeof plain) =>
      Number(result.summary!.significantPositive) + Number(result.summary!.significantNegative);
    expect(significantCount(holm)).toBeLessThanOrEqual(significantCount(plain));
  });
});
