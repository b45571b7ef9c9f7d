import { describe, expect, it } from 'vitest';
import type { LanguagePack, SurrogateParameterOverrides, TranscriptEvent } from '../src/contracts/index.js';
import { simulateRun } from '../src/engine/index.js';
import { loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon, scoreRuns } from '../src/metrics/index.js';
import { createSurrogateModel, resolveSurrogateParameters } from '../src/models/index.js';
import { hedgesG } from '../src/stats/index.js';

/**
 * The pipeline recovers an effect planted in the surrogate. The planted parameter moves the log-odds
 * of monologue for alignment-instructed agents; the population effect it implies on the run-level
 * monologue ratio (Hedges' g, all aligned vs none) is measured once on many runs, then many small
 * seeded studies (15 vs 15 runs, as the paper's cells) go through engine -> scoring -> statistics and
 * must report 95% intervals that cover it most of the time, with the right sign.
 */

const AGENTS = 5;
const TURNS = 5;

async function monologueRatios(
  pack: LanguagePack,
  overrides: SurrogateParameterOverrides,
  dose: number,
  runs: number,
  seedBase: number,
): Promise<number[]> {
  const lexicon = compileLexicon(pack);
  const model = createSurrogateModel({
    packs: new Map([[pack.meta.tag, pack]]),
    parameters: resolveSurrogateParameters(overrides),
    covariates: {},
    scoreText: (_language, text) => lexicon.count(text),
  });
  const toScore = [];
  for (let replicate = 0; replicate < runs; replicate += 1) {
    const events: TranscriptEvent[] = [];
    const runId = `planted-${seedBase}-${dose}-${replicate}`;
    await simulateRun(
      {
        runId,
        cellId: `k${dose}`,
        pack,
        modelRef: 'surrogate',
        model,
        agents: AGENTS,
        turns: TURNS,
        dose,
        doseIntervention: 'alignment',
        background: [],
        placement: 'random',
        seed: seedBase * 100_003 + dose * 10_007 + replicate,
        replicate,
        sampling: { temperature: 1, maxTokens: 256 },
        memoryWindow: null,
        turnPolicy: 'sequential-shuffled',
      },
      { commitTurn: (batch) => events.push(...batch.events) },
    );
    toScore.push({
      runId,
      cellId: `k${dose}`,
      language: pack.meta.tag,
      model: 'surrogate',
      dose,
      replicate,
      complete: true,
      events,
    });
  }
  const scored = scoreRuns(toScore, new Map([[pack.meta.tag, pack]]), {
    metrics: { normalization: 'per-action', scoredChannels: ['talk', 'whisper', 'monologue'] },
    exclusions: { maxFailedActionShare: 0.5, minIntendedLanguageShare: null },
  });
  return scored.runs.map((run) => run.monologueRatio ?? Number.NaN);
}

async function coverage(planted: number, studies: number) {
  const pack = loadLanguagePack('en');
  const overrides: SurrogateParameterOverrides = {
    languageProfiles: { en: { alignmentMonologue: planted } },
  };
  // The population effect the planted parameter implies, from many runs.
  const truthHigh = await monologueRatios(pack, overrides, AGENTS, 300, 1);
  const truthLow = await monologueRatios(pack, overrides, 0, 300, 2);
  const trueG = hedgesG(truthHigh, truthLow).g;
  let covered = 0;
  let rightSign = 0;
  let significant = 0;
  for (let study = 0; study < studies; study += 1) {
    const high = await monologueRatios(pack, overrides, AGENTS, 15, 1000 + study);
    const low = await monologueRatios(pack, overrides, 0, 15, 2000 + study);
    const effect = hedgesG(high, low);
    if (effect.ciG[0] <= trueG && trueG <= effect.ciG[1]) covered += 1;
    if (Math.sign(effect.g) === Math.sign(trueG)) rightSign += 1;
    if (effect.p < 0.05) significant += 1;
  }
  return { trueG, covered: covered / studies, rightSign: rightSign / studies, significant: significant / studies };
}

describe('planted effects are recovered', () => {
  it('a planted alignment -> monologue effect is covered by the reported 95% CI with the right sign', async () => {
    const result = await coverage(1.5, 30);
    expect(result.trueG).toBeGreaterThan(0.8);
    expect(result.covered).toBeGreaterThanOrEqual(0.8);
    expect(result.rightSign).toBeGreaterThanOrEqual(0.95);
    expect(result.significant).toBeGreaterThanOrEqual(0.8);
  });

  it('no planted effect: intervals cover zero-ish truth and false positives stay rare', async () => {
    const result = await coverage(0, 30);
    expect(Math.abs(result.trueG)).toBeLessThan(0.25);
    expect(result.covered).toBeGreaterThanOrEqual(0.8);
    expect(result.significant).toBeLessThanOrEqual(0.2);
  });
});
