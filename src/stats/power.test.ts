import { afterAll, describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { type PowerDesign, tTestDetectableEffect, tTestPower, tTestSampleSize } from './power.js';
import {
  expectEstimate,
  expectNear,
  PowerReferenceSchema,
  readReferenceFixture,
  reportDeviations,
} from './tests-reference.test-support.js';

const reference = readReferenceFixture('power', PowerReferenceSchema);

afterAll(() => reportDeviations('power.test.ts'));

function settingsOf(item: { type: string; alternative: string; strict: boolean; sd: number; sigLevel: number }) {
  return {
    design: item.type.replace('.', '-') as PowerDesign,
    alternative: item.alternative === 'two.sided' ? ('two-sided' as const) : ('one-sided' as const),
    strict: item.strict,
    sd: item.sd,
    sigLevel: item.sigLevel,
  };
}

function labelOf(item: { type: string; alternative: string; strict: boolean }): string {
  return `${item.type} ${item.alternative} strict=${item.strict}`;
}

describe('power against R power.t.test', () => {
  it('matches power given n and delta (strict and default, every design and alternative)', () => {
    for (const item of reference.powerGivenN) {
      const result = tTestPower({ n: item.n, delta: item.delta, ...settingsOf(item) });
      expectNear(result.power, item.power, {
        kind: 'absolute',
        tolerance: 1e-10,
        quantity: 'power',
        label: `${labelOf(item)} n=${item.n} delta=${item.delta}`,
      });
    }
    expect(reference.powerGivenN).toHaveLength(145);
  });

  it('matches n given power and delta', () => {
    for (const item of reference.nGivenPower) {
      const result = tTestSampleSize({ delta: item.delta, power: item.power, ...settingsOf(item) });
      expectEstimate(result.n, item.n, `${labelOf(item)} power=${item.power} delta=${item.delta}`, 'sample size');
      expect(result.nRequired).toBe(Math.ceil(item.n));
      expect(result.powerAtRequired).toBeGreaterThanOrEqual(item.power);
    }
    expect(reference.nGivenPower).toHaveLength(72);
  });

  it('matches the detectable delta given n and power', () => {
    for (const item of reference.deltaGivenN) {
      const result = tTestDetectableEffect({ n: item.n, power: item.power, ...settingsOf(item) });
      expectEstimate(result.delta, item.delta, `${labelOf(item)} n=${item.n}`, 'detectable delta');
    }
  });

  it("plans docs/paper-notes.md's Study 1 contrast: 15 + 15 runs give 55% power for d = 0.792 (g = 0.771)", () => {
    // R: power.t.test(n = 15, delta = 0.79244994390548) -> 0.5538884441; n for 80% -> 25.99354.
    const d = 0.79244994390548;
    expect(tTestPower({ n: 15, delta: d }).power).toBeCloseTo(0.5538884441, 9);
    const plan = tTestSampleSize({ delta: d, power: 0.8 });
    expect(plan.n).toBeCloseTo(25.99354, 4);
    expect(plan.nRequired).toBe(26);
  });

  it('counts the wrong-direction tail only when strict', () => {
    const loose = tTestPower({ n: 3, delta: 0.3 });
    const strict = tTestPower({ n: 3, delta: 0.3, strict: true });
    expect(strict.power).toBeGreaterThan(loose.power);
    expect(strict.estimator.args).toMatchObject({ strict: true, design: 'two-sample' });
  });

  it('refuses impossible requests', () => {
    expect(() => tTestSampleSize({ delta: 0, power: 0.8 })).toThrow(StatisticsError);
    expect(() => tTestSampleSize({ delta: 0.5, power: 0.01 })).toThrow(StatisticsError);
    expect(() => tTestPower({ n: 1, delta: 0.5 })).toThrow(StatisticsError);
    expect(() => tTestPower({ n: 10, delta: 0.5, sigLevel: 0 })).toThrow(StatisticsError);
  });
});
