import { describe, expect, it } from 'vitest';
import { StatisticsError } from '../contracts/index.js';
import { createXoshiro128, createXoshiro128FromState, shuffleInPlace, splitMix64 } from './random.js';

describe('xoshiro128**', () => {
  it('reproduces the reference implementation from state {1, 2, 3, 4}', () => {
    // The first three values follow by hand from the reference C code (prng.di.unimi.it):
    // rotl(2 * 5, 7) * 9 = 11520; then s[1] becomes 0; then rotl(1029 * 5, 7) * 9 = 5927040.
    const random = createXoshiro128FromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 6 }, () => random.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('seeds with SplitMix64, whose published outputs it reproduces', () => {
    const fromZero = splitMix64(0n);
    expect(fromZero().toString(16)).toBe('e220a8397b1dcdaf');
    const next = splitMix64(1234567n);
    expect([next(), next(), next()]).toEqual([6457827717110365317n, 3203168211198807973n, 9817491932198370423n]);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const first = createXoshiro128(2024);
    const second = createXoshiro128(2024);
    const other = createXoshiro128(2025);
    const drawsFirst = Array.from({ length: 5 }, () => first.nextUint32());
    expect(Array.from({ length: 5 }, () => second.nextUint32())).toEqual(drawsFirst);
    expect(Array.from({ length: 5 }, () => other.nextUint32())).not.toEqual(drawsFirst);
    expect(first.seed).toBe(2024);
    expect(first.algorithm).toBe('xoshiro128**-splitmix64');
  });

  it('draws floats in [0, 1) and unbiased integers', () => {
    const random = createXoshiro128(7);
    const counts = [0, 0, 0];
    let sum = 0;
    let smallest = 1;
    let largest = 0;
    for (let draw = 0; draw < 30000; draw++) {
      const value = random.nextFloat();
      smallest = Math.min(smallest, value);
      largest = Math.max(largest, value);
      sum += value;
      counts[random.nextInt(3)]!++;
    }
    expect(smallest).toBeGreaterThanOrEqual(0);
    expect(largest).toBeLessThan(1);
    // Mean of 30000 uniforms: sd 0.0017, so 0.01 is ~6 sd.
    expect(Math.abs(sum / 30000 - 0.5)).toBeLessThan(0.01);
    for (const count of counts) {
      expect(Math.abs(count - 10000)).toBeLessThan(500);
    }
  });

  it('shuffles to a permutation and refuses bad seeds and bounds', () => {
    const shuffled = shuffleInPlace([1, 2, 3, 4, 5, 6, 7, 8], createXoshiro128(3));
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(shuffled).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => createXoshiro128(-1)).toThrow(StatisticsError);
    expect(() => createXoshiro128(1.5)).toThrow(StatisticsError);
    expect(() => createXoshiro128(7).nextInt(0)).toThrow(StatisticsError);
    expect(() => createXoshiro128FromState([0, 0, 0, 0])).toThrow(StatisticsError);
  });
});
