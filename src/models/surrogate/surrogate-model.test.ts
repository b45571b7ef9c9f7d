import { describe, expect, it } from 'vitest';
import type { GenerateRequest, LanguagePack } from '../../contracts/index.js';
import { loadLanguagePack } from '../../languages/index.js';
import { resolveSurrogateParameters } from './parameters.js';
import { createSurrogateModel } from './surrogate-model.js';

/**
 * Interventions other than alignment and individuation act through their declared effect
 * parameters; without parameters they have no effect and each call says so; sampling settings the
 * surrogate ignores (topP, a maxTokens its answer exceeds) are warnings, never silence.
 */

const MINDFULNESS = 'Before you answer, pause and reflect privately on how the others feel.';
const english = loadLanguagePack('en');
const pack: LanguagePack = {
  ...english,
  prompts: { ...english.prompts, interventions: { ...english.prompts.interventions, mindfulness: MINDFULNESS } },
};

function model(interventions: Record<string, { monologue?: number }> = {}) {
  return createSurrogateModel({
    packs: new Map([['en', pack]]),
    parameters: resolveSurrogateParameters({ interventions: interventions as never }),
    covariates: {},
    scoreText: () => ({}),
  });
}

function request(seed: number, system: string, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: 'Turn 1.' },
    ],
    temperature: 1,
    maxTokens: 768,
    seed,
    metadata: {
      runId: 'run-1',
      cellId: 'cell',
      agentId: 'p01',
      turn: 1,
      language: 'en',
      replicate: 0,
      participants: [{ id: 'p02', name: 'Bo' }],
    },
    ...extra,
  };
}

async function monologueShare(chat: ReturnType<typeof model>, system: string): Promise<number> {
  let monologues = 0;
  for (let seed = 0; seed < 400; seed += 1) {
    if ((await chat.generate(request(seed, system))).text.startsWith('[monologue]')) monologues += 1;
  }
  return monologues / 400;
}

describe('surrogate: declared effects of every intervention', () => {
  it('applies an intervention through its effect parameters', async () => {
    const system = `You are p01. ${MINDFULNESS}`;
    const without = await monologueShare(model(), system);
    const withEffect = await monologueShare(model({ mindfulness: { monologue: 2.5 } }), system);
    expect(withEffect).toBeGreaterThan(without + 0.2);
  });

  it('warns when a dosed intervention has no effect parameters', async () => {
    const result = await model().generate(request(1, `You are p01. ${MINDFULNESS}`));
    expect(result.warnings).toEqual([expect.stringMatching(/no effect parameters for intervention 'mindfulness'/)]);
    const declared = await model({ mindfulness: { monologue: 1 } }).generate(request(1, `You are p01. ${MINDFULNESS}`));
    expect(declared.warnings).toEqual([]);
  });

  it('warns on the sampling settings it ignores', async () => {
    const result = await model().generate(request(2, 'You are p01.', { topP: 0.5, maxTokens: 1 }));
    expect(result.warnings).toEqual([
      expect.stringMatching(/ignores topP \(0\.5\)/),
      expect.stringMatching(/ignores maxTokens \(1\)/),
    ]);
    expect((await model().generate(request(2, 'You are p01.'))).warnings).toEqual([]);
  });
});
