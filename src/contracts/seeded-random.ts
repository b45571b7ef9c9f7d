/**
 * Seeded randomness shared by every stage (engine, surrogate, statistics). Seed derivation. Every random choice in a run is derived from (run seed, purpose, turn, agent)
 * rather than drawn from one running stream, so a run resumed after a crash makes exactly the same
 * choices as an uninterrupted one.
 */

/** 32-bit FNV-1a over a string key; a stable, dependency-free hash for seeds. */
export function hash32(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function deriveSeed(...parts: readonly (string | number)[]): number {
  return hash32(parts.join('\u241f')) & 0x7fffffff;
}

/**
 * mulberry32: a small, well-studied 32-bit generator; plenty for turn orders, placement and the
 * surrogate's draws, and cheap enough to create one per (run, purpose, turn, agent). The statistics
 * layer's resampling uses xoshiro128** (`createXoshiro128` in src/stats/random.ts), which matches a
 * published reference stream; the two are named for their algorithms so they are never confused.
 */
export function createMulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** A standard normal deviate by Box–Muller from a uniform generator. */
export function standardNormal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
