import { describe, expect, it } from 'vitest';
import { type GenerateResult, ModelCallError } from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { testRequest, testResult } from '../test-support.js';
import { AdaptiveConcurrencyLimiter, estimateRequestTokens, withAdaptiveConcurrency } from './adaptive-concurrency.js';
import { withLoadBalancing } from './load-balance.js';

/** A model whose calls stay open until released by hand, counting concurrency. */
function gatedModel(ref = 'gated') {
  let inFlight = 0;
  let peak = 0;
  const pending: { resolve: (result: GenerateResult) => void; reject: (error: unknown) => void }[] = [];
  const model: ChatModel = {
    ref,
    surrogate: false,
    generate: () =>
      new Promise<GenerateResult>((resolve, reject) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        pending.push({
          resolve: (result) => {
            inFlight -= 1;
            resolve(result);
          },
          reject: (error) => {
            inFlight -= 1;
            reject(error);
          },
        });
      }),
  };
  return { model, pending, peak: () => peak, inFlight: () => inFlight };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('AdaptiveConcurrencyLimiter', () => {
  it('never runs more calls than the limit, and starts at the maximum', async () => {
    const gate = gatedModel();
    const limiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 3 });
    const model = withAdaptiveConcurrency(gate.model, limiter);
    const calls = Array.from({ length: 7 }, () => model.generate(testRequest()));
    await tick();
    expect(gate.inFlight()).toBe(3);
    expect(limiter.state()).toMatchObject({ inFlight: 3, queued: 4, limit: 3 });
    while (gate.pending.length > 0) {
      gate.pending.shift()!.resolve(testResult());
      await tick();
    }
    await Promise.all(calls);
    expect(gate.peak()).toBe(3);
    expect(limiter.state().maxInFlight).toBe(3);
  });

  it('halves the limit on a 429 once per congestion epoch, then grows it by about one per round', async () => {
    const gate = gatedModel();
    const limiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 8 });
    const model = withAdaptiveConcurrency(gate.model, limiter);
    const calls = Array.from({ length: 8 }, () => model.generate(testRequest()).catch(() => 'failed'));
    await tick();
    // Three 429s from calls started in the same epoch: one cut, not three.
    for (let index = 0; index < 3; index += 1) {
      gate.pending.shift()!.reject(new ModelCallError('rate-limit', '429', { status: 429 }));
    }
    await tick();
    expect(limiter.state()).toMatchObject({ limit: 4, decreases: 1 });
    // A 500 is not congestion.
    gate.pending.shift()!.reject(new ModelCallError('server', '500', { status: 500 }));
    await tick();
    expect(limiter.state().limit).toBe(4);
    while (gate.pending.length > 0) {
      gate.pending.shift()!.resolve(testResult());
      await tick();
    }
    await Promise.all(calls);
    // Four successes at limit 4..5 add about one.
    expect(limiter.state().limit).toBeGreaterThan(4.8);
    expect(limiter.state().limit).toBeLessThan(5.1);
    // A timeout of a call started after the cut is a new congestion signal.
    const late = model.generate(testRequest()).catch(() => 'failed');
    await tick();
    gate.pending.shift()!.reject(new ModelCallError('timeout', 'slow'));
    await late;
    expect(limiter.state().decreases).toBe(2);
    expect(limiter.state().limit).toBeLessThan(2.6);
  });

  it('keeps at least the minimum concurrency', async () => {
    const gate = gatedModel();
    const limiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 4, minConcurrency: 2 });
    const model = withAdaptiveConcurrency(gate.model, limiter);
    for (let round = 0; round < 4; round += 1) {
      const call = model.generate(testRequest()).catch(() => undefined);
      await tick();
      gate.pending.shift()!.reject(new ModelCallError('rate-limit', '429'));
      await call;
    }
    expect(limiter.state().limit).toBe(2);
  });

  it('holds calls back under a requests-per-minute ceiling', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 10, requestsPerMinute: 2, windowMs: 300 });
    const instant: ChatModel = { ref: 'i', surrogate: false, generate: async () => testResult() };
    const model = withAdaptiveConcurrency(instant, limiter);
    const started = performance.now();
    const finished: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () =>
        model.generate(testRequest()).then(() => finished.push(performance.now() - started)),
      ),
    );
    finished.sort((left, right) => left - right);
    expect(finished[1]).toBeLessThan(250);
    expect(finished[2]).toBeGreaterThanOrEqual(290);
    expect(finished[4]).toBeGreaterThanOrEqual(590);
  });

  it('holds calls back under a tokens-per-minute ceiling, corrected by reported usage', async () => {
    const request = testRequest({ maxTokens: 100 });
    const estimate = estimateRequestTokens(request);
    expect(estimate).toBeGreaterThan(100);
    const limiter = new AdaptiveConcurrencyLimiter({
      maxConcurrency: 10,
      tokensPerMinute: estimate * 2,
      windowMs: 300,
    });
    // Each call reports exactly its estimate, so two fit in a window and the third waits.
    const model = withAdaptiveConcurrency(
      {
        ref: 't',
        surrogate: false,
        generate: async () => testResult({ usage: { promptTokens: estimate - 10, completionTokens: 10 } }),
      },
      limiter,
    );
    const started = performance.now();
    const finished: number[] = [];
    await Promise.all(
      Array.from({ length: 3 }, () => model.generate(request).then(() => finished.push(performance.now() - started))),
    );
    finished.sort((left, right) => left - right);
    expect(finished[1]).toBeLessThan(250);
    expect(finished[2]).toBeGreaterThanOrEqual(290);
  });

  it('removes an aborted call from the queue', async () => {
    const gate = gatedModel();
    const limiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 1 });
    const model = withAdaptiveConcurrency(gate.model, limiter);
    const first = model.generate(testRequest());
    const controller = new AbortController();
    const second = model.generate(testRequest({ signal: controller.signal }));
    await tick();
    controller.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    expect(limiter.state().queued).toBe(0);
    gate.pending.shift()!.resolve(testResult());
    await first;
  });
});

describe('AdaptiveConcurrencyLimiter priority', () => {
  it('serves waiting calls by priority, then in arrival order, skipping aborted ones', async () => {
    const limiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 1 });
    const first = await limiter.acquire(1);
    const served: string[] = [];
    const controller = new AbortController();
    const waiting = [
      { name: 'turn 3', priority: 3 },
      { name: 'turn 1 a', priority: 1 },
      { name: 'turn 2 (aborted)', priority: 2, signal: controller.signal },
      { name: 'turn 1 b', priority: 1 },
      { name: 'turn 2', priority: 2 },
    ].map(({ name, priority, signal }) =>
      limiter.acquire(1, signal, priority).then(
        (permit) => {
          served.push(name);
          limiter.release(permit, 'success');
        },
        () => served.push(`${name}: rejected`),
      ),
    );
    controller.abort();
    expect(limiter.state().queued).toBe(4);
    limiter.release(first, 'success');
    await Promise.all(waiting);
    expect(served).toEqual(['turn 2 (aborted): rejected', 'turn 1 a', 'turn 1 b', 'turn 2', 'turn 3']);
    expect(limiter.state()).toMatchObject({ queued: 0, inFlight: 0 });
  });
});

describe('withLoadBalancing', () => {
  it('sends each call to the least-loaded endpoint', async () => {
    const left = gatedModel('left');
    const right = gatedModel('right');
    const leftLimiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 4 });
    const rightLimiter = new AdaptiveConcurrencyLimiter({ maxConcurrency: 2 });
    const balanced = withLoadBalancing('both', [
      withAdaptiveConcurrency(left.model, leftLimiter),
      withAdaptiveConcurrency(right.model, rightLimiter),
    ]);
    const calls = Array.from({ length: 6 }, () => balanced.generate(testRequest()));
    await tick();
    // Capacity 4 + 2: the calls fill both in proportion.
    expect(left.inFlight()).toBe(4);
    expect(right.inFlight()).toBe(2);
    for (const gate of [left, right]) {
      while (gate.pending.length > 0) {
        gate.pending.shift()!.resolve(testResult());
      }
    }
    await Promise.all(calls);
  });

  it('is the endpoint itself when there is only one', () => {
    const only = withAdaptiveConcurrency(gatedModel().model, new AdaptiveConcurrencyLimiter({ maxConcurrency: 1 }));
    expect(withLoadBalancing('x', [only])).toBe(only);
  });
});
