import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../contracts/index.js';
import type { PriceEntry } from '../prices.js';
import { sequenceModel, testRequest, testResult } from '../test-support.js';
import { UsageMeter, withUsageMeter } from './usage-meter.js';

const price: PriceEntry = {
  provider: 'p',
  model: 'm',
  inputPerMillion: 1,
  cachedInputPerMillion: 0.25,
  outputPerMillion: 4,
  date: '2026-01-01',
  source: 'test',
};

describe('withUsageMeter', () => {
  it('prices each call, counts cache hits as free, and adds up per run, cell, model and study', async () => {
    const meter = new UsageMeter({ cellOf: ({ metadata }) => (metadata.runId.startsWith('a') ? 'cell-a' : 'cell-b') });
    const inner = sequenceModel([
      testResult({ usage: { promptTokens: 1_000, completionTokens: 100, cachedPromptTokens: 600 } }),
      testResult({ usage: { promptTokens: 2_000, completionTokens: 500 } }),
      testResult({ usage: { promptTokens: 2_000, completionTokens: 500 }, cached: true }),
    ]);
    const model = withUsageMeter(inner, { price, meter });
    const first = await model.generate(testRequest({ metadata: { runId: 'a1' } }));
    const second = await model.generate(testRequest({ metadata: { runId: 'b1' } }));
    const hit = await model.generate(testRequest({ metadata: { runId: 'b2' } }));
    // (400 * 1 + 600 * 0.25 + 100 * 4) / 1e6 = 950e-6 ; (2000 + 2000) / 1e6 = 4000e-6
    expect(first.costUsd).toBeCloseTo(950e-6, 12);
    expect(second.costUsd).toBeCloseTo(4000e-6, 12);
    expect(hit.costUsd).toBe(0);
    expect(meter.study()).toEqual({
      calls: 3,
      cachedCalls: 1,
      promptTokens: 5_000,
      completionTokens: 1_100,
      cachedPromptTokens: 600,
      costUsd: expect.closeTo(4950e-6, 12),
      unpricedCalls: 0,
    });
    expect(meter.byRun().get('a1')?.costUsd).toBeCloseTo(950e-6, 12);
    expect(meter.byCell().get('cell-b')).toMatchObject({ calls: 2, cachedCalls: 1 });
    expect(meter.byModel().get('test:model')?.calls).toBe(3);
  });

  it('leaves cost undefined and counts the call as unpriced when no price is known', async () => {
    const meter = new UsageMeter();
    const result = await withUsageMeter(sequenceModel([testResult()]), { price: undefined, meter }).generate(
      testRequest(),
    );
    expect(result.costUsd).toBeUndefined();
    expect(meter.study()).toMatchObject({ calls: 1, unpricedCalls: 1, costUsd: 0 });
    expect([...meter.byCell().keys()]).toEqual(['test:model en']);
  });

  it('refuses the next call once the budget is spent', async () => {
    const meter = new UsageMeter({ budgetUsd: 0.001 });
    const inner = sequenceModel([testResult({ usage: { promptTokens: 1_000, completionTokens: 0 } })]);
    const model = withUsageMeter(inner, { price, meter });
    await model.generate(testRequest());
    await expect(model.generate(testRequest())).rejects.toBeInstanceOf(BudgetExceededError);
    expect(inner.calls).toHaveLength(1);
  });
});
