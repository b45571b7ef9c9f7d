import { describe, expect, it } from 'vitest';
import type { TranscriptEvent } from '../src/contracts/index.js';
import { simulateRun } from '../src/engine/index.js';
import { loadLanguagePack } from '../src/languages/index.js';
import { compileLexicon, type RunToScore, scoreRuns } from '../src/metrics/index.js';
import { createSurrogateModel, resolveSurrogateParameters } from '../src/models/index.js';

/**
 * indices.reference: CPI and DI z-scored over the pooled runs (default), on stored norms, or on a
 * reference arm's runs. With norms the index is a fixed function of a run's components, so the same
 * run gets the same CPI whatever else is in the study; pooled z depends on the other runs.
 */

const pack = loadLanguagePack('en');
const lexicon = compileLexicon(pack);
const model = createSurrogateModel({
  packs: new Map([['en', pack]]),
  parameters: resolveSurrogateParameters({}),
  covariates: {},
  scoreText: (_language, text) => lexicon.count(text),
});

async function runs(doses: number[]): Promise<RunToScore[]> {
  const result: RunToScore[] = [];
  for (const dose of doses) {
    for (let replicate = 0; replicate < 4; replicate += 1) {
      const events: TranscriptEvent[] = [];
      const runId = `ref-${dose}-${replicate}`;
      await simulateRun(
        {
          runId,
          cellId: `k${dose}`,
          pack,
          modelRef: 'surrogate',
          model,
          agents: 4,
          turns: 4,
          dose,
          doseIntervention: 'alignment',
          background: [],
          placement: 'random',
          seed: 1000 + dose * 17 + replicate,
          replicate,
          sampling: { temperature: 1, maxTokens: 256 },
          memoryWindow: null,
          turnPolicy: 'sequential-shuffled',
        },
        { commitTurn: (batch) => events.push(...batch.events) },
      );
      result.push({
        runId,
        cellId: `k${dose}`,
        language: 'en',
        model: 'surrogate',
        dose,
        replicate,
        complete: true,
        events,
      });
    }
  }
  return result;
}

const settings = {
  metrics: {
    normalization: 'per-action' as const,
    scoredChannels: ['talk' as const, 'whisper' as const, 'monologue' as const],
  },
  exclusions: { maxFailedActionShare: 0.5, minIntendedLanguageShare: null },
};
const norms = {
  monologueRatio: { mean: 0.3, sd: 0.1 },
  sexual: { mean: 0.2, sd: 0.1 },
  protective: { mean: 0.3, sd: 0.1 },
};

describe('indices.reference', () => {
  it('norms give each run the same CPI whatever the other runs; pooled z does not', async () => {
    const low = await runs([0]);
    const both = [...low, ...(await runs([4]))];
    const cpi = (scored: ReturnType<typeof scoreRuns>, runId: string) =>
      scored.runs.find((entry) => entry.runId === runId)!.cpi!;
    const packs = new Map([['en', pack]]);
    const onNorms = (input: RunToScore[]) =>
      scoreRuns(input, packs, { ...settings, indices: { reference: { norms } } });
    const pooled = (input: RunToScore[]) => scoreRuns(input, packs, settings);
    const first = low[0]!.runId;
    expect(cpi(onNorms(low), first)).toBeCloseTo(cpi(onNorms(both), first), 12);
    expect(Math.abs(cpi(pooled(low), first) - cpi(pooled(both), first))).toBeGreaterThan(1e-6);
    // A reference arm: the arm's own runs have CPI mean 0 on their scale.
    const armScored = scoreRuns(both, packs, { ...settings, indices: { reference: { arm: { dose: 0 } } } });
    const armValues = armScored.runs.filter((entry) => entry.dose === 0).map((entry) => entry.cpi!);
    expect(armValues.reduce((sum, value) => sum + value, 0) / armValues.length).toBeCloseTo(0, 10);
  });
});
