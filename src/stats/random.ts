import { StatisticsError } from '../contracts/index.js';

/**
 * A small, seedable, well-known pseudo-random generator for resampling: xoshiro128** 1.1
 * (Blackman & Vigna 2018, https://prng.di.unimi.it/xoshiro128starstar.c), 128 bits of state,
 * period 2^128 - 1, 32-bit outputs. Its state is seeded from the integer seed with SplitMix64, as
 * the authors recommend, so that nearby seeds give unrelated streams. The same seed gives the same
 * stream on every platform (only 32-bit integer arithmetic is involved).
 *
 * Not for cryptography. Resampling results record the algorithm name and the seed.
 */

export const RANDOM_ALGORITHM = 'xoshiro128**-splitmix64';

const MASK_64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea & Flood 2014): the standard seeder for the xoshiro family. */
export function splitMix64(seed: bigint): () => bigint {
  let state = seed & MASK_64;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    return z ^ (z >> 31n);
  };
}

function rotateLeft(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}

export interface RandomGenerator {
  readonly algorithm: string;
  /** The seed it was created from (null when created from a raw state). */
  readonly seed: number | null;
  /** Next 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Uniform integer in [0, bound), without modulo bias; bound <= 2^32. */
  nextInt(bound: number): number;
}

class Xoshiro128StarStar implements RandomGenerator {
  readonly algorithm = RANDOM_ALGORITHM;
  readonly seed: number | null;
  private readonly state: Uint32Array;

  constructor(state: Uint32Array, seed: number | null) {
    if (state.length !== 4 || state.every((word) => word === 0)) {
      throw new StatisticsError('xoshiro128** needs four state words, not all zero');
    }
    this.state = state;
    this.seed = seed;
  }

  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotateLeft(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const shifted = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= shifted;
    s[3] = rotateLeft(s[3]!, 11);
    return result;
  }

  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992; // (high * 2^26 + low) / 2^53
  }

  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 4294967296) {
      throw new StatisticsError(`random integer bound is ${bound}; it must be an integer in [1, 2^32]`);
    }
    // Reject the top partial block of the 2^32 range so every residue is equally likely.
    const limit = 4294967296 - (4294967296 % bound);
    for (;;) {
      const value = this.nextUint32();
      if (value < limit) {
        return value % bound;
      }
    }
  }
}

/** A generator seeded from a non-negative safe integer. */
export function createXoshiro128(seed: number): RandomGenerator {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new StatisticsError(`seed is ${String(seed)}; it must be a non-negative safe integer`);
  }
  const next = splitMix64(BigInt(seed));
  const first = next();
  const second = next();
  const state = new Uint32Array([
    Number(first & 0xffffffffn),
    Number(first >> 32n),
    Number(second & 0xffffffffn),
    Number(second >> 32n),
  ]);
  return new Xoshiro128StarStar(state, seed);
}

/** A generator started from four explicit state words (used to check against the reference code). */
export function createXoshiro128FromState(words: readonly [number, number, number, number]): RandomGenerator {
  return new Xoshiro128StarStar(Uint32Array.from(words), null);
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<Item>(items: Item[], random: RandomGenerator): Item[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = random.nextInt(index + 1);
    const held = items[index]!;
    items[index] = items[other]!;
    items[other] = held;
  }
  return items;
}
