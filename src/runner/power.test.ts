import { describe, expect, it } from 'vitest';
import { type StudyInput, StudySchema, UserInputError } from '../contracts/index.js';
import { createStudyModels } from '../cli/model-factory.js';
import type { ChatModel } from '../models/index.js';
import {
  analyticPower,
  mergeOverrides,
  PAPER_SMALLER_EFFECT,
  type SimulatedPowerOptions,
  simulatedPower,
} from './power.js';
import { PowerReferenceSchema, readReferenceFixture } from '../stats/tests-reference.test-support.js';
import { type LoadedStudy, loadStudyFile, resolveStudy } from './study-file.js';

// R's power.t.test values (scripts/reference/tests.R -> test/fixtures/reference/tests-power.json).
const reference = readReferenceFixture('power', PowerReferenceSchema);
/** The calls `analyticPower` makes: two-sample, two-sided, R's default strict = FALSE, sd 1. */
const asPlanned = (item: { type: string; alternative: string; strict: boolean; sd: number }) =>
  item.type === 'two.sample' && item.alternative === 'two.sided' && !item.strict && item.sd === 1;

function studyOf(overrides: Partial<StudyInput>): StudyInput {
  return {
    name: 'power-test',
    title: 'Power test',
    seed: 11,
    languages: ['en', 'ja'],
    agents: 4,
    turns: 4,
    design: { dose: { intervention: 'alignment', levels: [0, 4] } },
    replicates: 6,
    analysis: {
      hypotheses: [{ id: 'H1', kind: 'contrast', metric: 'monologue_ratio', high: 4, low: 0, by: 'language' }],
    },
    ...overrides,
  };
}

describe('analytic power of the planned contrasts', () => {
  it("equals R's power.t.test for the study's replicates per cell", () => {
    const cases = reference.powerGivenN.filter((item) => asPlanned(item) && item.sigLevel === 0.05);
    expect(cases.length).toBe(12);
    for (const item of cases) {
      const study = StudySchema.parse(studyOf({ replicates: item.n }));
      const report = analyticPower(study, { effect: item.delta });
      const row = report.rows[0]!;
      expect(row.perGroup).toBe(item.n);
      expect(row.labels).toEqual(['en', 'ja']);
      expect(Math.abs(row.atAlpha.power! - item.power)).toBeLessThan(1e-10);
    }
  });

  it("solves the replicates per cell for the target power as R's n, rounded up, and divides by pooled cells", () => {
    const cases = reference.nGivenPower.filter((item) => asPlanned(item) && item.sigLevel === 0.05);
    expect(cases.length).toBe(6);
    for (const item of cases) {
      const perLanguage = analyticPower(StudySchema.parse(studyOf({})), { effect: item.delta, targetPower: item.power })
        .rows[0]!;
      expect(perLanguage.atAlpha.requiredPerGroup).toBe(Math.ceil(item.n));
      expect(perLanguage.atAlpha.requiredReplicates).toBe(Math.ceil(item.n));
      expect(perLanguage.atAlpha.powerAtRequired).toBeGreaterThanOrEqual(item.power);
      // Pooled over two languages, each cell contributes half of a group.
      const pooled = analyticPower(
        StudySchema.parse(
          studyOf({
            analysis: { hypotheses: [{ id: 'H1', kind: 'contrast', metric: 'cpi', high: 4, low: 0, by: 'none' }] },
          }),
        ),
        { effect: item.delta, targetPower: item.power },
      ).rows[0]!;
      expect(pooled.cellsPerGroup).toBe(2);
      expect(pooled.perGroup).toBe(12);
      expect(pooled.atAlpha.requiredReplicates).toBe(Math.ceil(Math.ceil(item.n) / 2));
    }
  });

  it('reports the Bonferroni bound alpha/m of a Holm family, and its power equals R at that level', () => {
    // R: power.t.test(n = 20, delta = 3, sd = 4, sig.level = 0.01): d = 0.75 at alpha = 0.05 / 5.
    const item = reference.powerGivenN.find((entry) => entry.sigLevel === 0.01 && entry.sd === 4)!;
    expect(item).toMatchObject({ n: 20, delta: 3 });
    const study = StudySchema.parse(
      studyOf({
        languages: ['en', 'ja', 'de', 'fr', 'es'],
        replicates: 20,
        analysis: { correction: 'holm', hypotheses: [{ id: 'H1', kind: 'contrast', metric: 'cpi', high: 4, low: 0 }] },
      }),
    );
    const report = analyticPower(study, { effect: item.delta / item.sd });
    expect(report.familySize).toBe(5);
    expect(report.bonferroniAlpha).toBeCloseTo(0.01, 15);
    expect(report.correctionNote).toMatch(/Holm/);
    expect(Math.abs(report.rows[0]!.atBonferroni!.power! - item.power)).toBeLessThan(1e-10);
    expect(report.rows[0]!.atBonferroni!.requiredReplicates).toBeGreaterThan(
      report.rows[0]!.atAlpha.requiredReplicates,
    );
  });

  it("defaults to the paper's smaller effect as d, counts study1's family, and refuses nonsense", () => {
    const study1 = loadStudyFile(new URL('../../studies/study1.yaml', import.meta.url).pathname).study;
    const report = analyticPower(study1);
    expect(report.effect.d).toBe(PAPER_SMALLER_EFFECT);
    expect(report.effect.source).toMatch(/0\.771/);
    // H1-cpi (2) + H1-di (2) + H2-trend (2) + H3-interaction (1 term) + H4-di-agents (2 terms); E1 is exploratory.
    expect(report.familySize).toBe(9);
    expect(report.familySizeIsLowerBound).toBe(false);
    expect(report.rows.map((row) => row.hypothesis)).toEqual(['H1-cpi', 'H1-di']);
    expect(report.rows[0]!.atAlpha.power).toBeCloseTo(0.531, 3);
    expect(() => analyticPower(study1, { effect: 0 })).toThrow(UserInputError);
    expect(() => analyticPower(study1, { targetPower: 0.01 })).toThrow(UserInputError);
    const none = analyticPower({ ...study1, analysis: { ...study1.analysis, correction: 'none' } });
    expect(none.bonferroniAlpha).toBeNull();
    expect(none.rows[0]!.atBonferroni).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

/** Only surrogate refs may reach the factory: power never builds a network model. */
const surrogateFactory: SimulatedPowerOptions['createModels'] = async (loaded) => {
  for (const ref of loaded.study.models) expect(ref.startsWith('surrogate')).toBe(true);
  return (await createStudyModels(loaded)).models as ReadonlyMap<string, ChatModel>;
};

const STRONG = { languageProfiles: { en: { alignmentMonologue: 3 }, ja: { alignmentMonologue: 3 } } };
const NONE = { languageProfiles: { en: { alignmentMonologue: 0 }, ja: { alignmentMonologue: 0 } } };

function tinyStudy(overrides: Partial<StudyInput> = {}): LoadedStudy {
  return resolveStudy(studyOf({ surrogate: { parameters: STRONG }, ...overrides }), 'tiny.yaml');
}

describe('simulated power on the surrogate', () => {
  it('finds a strong planted effect almost always, with its sign, and counts its cost', async () => {
    const report = await simulatedPower(tinyStudy(), { createModels: surrogateFactory, simulations: 10 });
    expect(report.simulations).toBe(10);
    expect(report.runsPerSimulation).toBe(24);
    expect(report.agentTurns).toBe(10 * 24 * 4 * 4);
    expect(report.modelCalls).toBe(report.agentTurns);
    expect(report.rows.map((row) => row.label)).toEqual(['en', 'ja']);
    for (const row of report.rows) {
      // log-odds +3 for every agent of the aligned groups: g is several SDs; 6 vs 6 runs detect it
      // essentially always even at Holm's alpha/2. 9 of 10 leaves room for one unlucky simulation.
      expect(row.adjusted).toBe(true);
      expect(row.power).toBeGreaterThanOrEqual(0.9);
      expect(row.plantedSign).toBe(1);
      expect(row.plantedSignShare).toBe(1);
      expect(row.meanEstimate!).toBeGreaterThan(2);
      expect(row.estimateMcse!).toBeGreaterThan(0);
    }
    expect(report.caveat).toMatch(/planted effects.*assumptions, not estimates/);
  });

  it('with the effect planted at 0 (by --plant over the study), rejects at about alpha', async () => {
    const report = await simulatedPower(tinyStudy(), {
      createModels: surrogateFactory,
      simulations: 20,
      plant: NONE,
      seed: 5,
    });
    expect(report.plant).toEqual(NONE);
    const rejections = report.rows.reduce((total, row) => total + row.rejections, 0);
    const mean = report.rows.map((row) => row.meanEstimate!);
    // 40 Holm-adjusted tests of a true null: expected rejections <= 40 x 0.05 = 2; P(Bin(40, 0.05) >= 7)
    // is 0.003, so at most 6 is a loose bound that still fails for any real leak of an effect.
    expect(rejections).toBeLessThanOrEqual(6);
    for (const [index, row] of report.rows.entries()) {
      expect(Math.abs(mean[index]!)).toBeLessThan(3 * row.estimateMcse!);
      expect(row.plantedSign).toBe(0);
      expect(row.plantedSignShare).toBeNull();
    }
  });

  it('gives identical output for the same seed and different output for another seed', async () => {
    const options = { createModels: surrogateFactory, simulations: 3, seed: 99 };
    const first = await simulatedPower(tinyStudy(), options);
    const second = await simulatedPower(tinyStudy(), options);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const other = await simulatedPower(tinyStudy(), { ...options, seed: 100 });
    expect(other.rows[0]!.meanEstimate).not.toBe(first.rows[0]!.meanEstimate);
  });

  it('replaces the replicates, stands the surrogate in for other models, and counts the same family as the analysis', async () => {
    const study = tinyStudy({
      models: ['openai-compatible:http://127.0.0.1:9/v1#some-model'],
      analysis: {
        hypotheses: [
          { id: 'H1', kind: 'contrast', metric: 'monologue_ratio', high: 4, low: 0 },
          { id: 'H2', kind: 'trend', metric: 'cpi', by: 'none' },
          { id: 'E1', kind: 'contrast', metric: 'di', high: 4, low: 0, by: 'none', confirmatory: false },
        ],
      },
    });
    const report = await simulatedPower(study, { createModels: surrogateFactory, simulations: 2, replicates: 3 });
    expect(report.replicates).toBe(3);
    expect(report.runsPerSimulation).toBe(12);
    expect(report.standIns).toEqual([
      { model: 'openai-compatible:http://127.0.0.1:9/v1#some-model', surrogate: 'surrogate' },
    ]);
    expect(report.rows.map((row) => [row.hypothesis, row.label, row.adjusted])).toEqual([
      ['H1', 'en', true],
      ['H1', 'ja', true],
      ['H2', 'pooled', true],
      ['E1', 'pooled', false],
    ]);
    expect(report.rows.filter((row) => row.adjusted).length).toBe(analyticPower(study.study).familySize);
  });

  it('refuses a --plant that is not a surrogate parameter set', async () => {
    await expect(
      simulatedPower(tinyStudy(), {
        createModels: surrogateFactory,
        simulations: 1,
        plant: { channel: { nope: 1 } } as never,
      }),
    ).rejects.toThrow(UserInputError);
  });
});

describe('mergeOverrides', () => {
  it('writes the plant over the study one level deep, per language and per phase', () => {
    const merged = mergeOverrides(
      {
        channel: { monologueIntercept: -1 },
        register: { pressureByPhase: { rules: 0.1 }, echoIntercept: 0.2 },
        languageProfiles: { en: { alignmentMonologue: 1, alignmentEcho: 2 } },
      },
      {
        channel: { whisperIntercept: -2 },
        register: { pressureByPhase: { exclusion: 0.9 } },
        languageProfiles: { en: { alignmentMonologue: 0 }, ja: { conformityBias: 1 } },
      },
    );
    expect(merged).toEqual({
      channel: { monologueIntercept: -1, whisperIntercept: -2 },
      register: { pressureByPhase: { rules: 0.1, exclusion: 0.9 }, echoIntercept: 0.2 },
      languageProfiles: { en: { alignmentMonologue: 0, alignmentEcho: 2 }, ja: { conformityBias: 1 } },
    });
  });
});
