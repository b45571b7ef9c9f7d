import type { DataColumns } from './model-frame.js';

/**
 * Seeded data from a random-slopes model, y = 0.3 + 0.05 x + a_g + b_g x + e, for the benchmark and
 * tests: `groups` groups, x cycling through 0, 3, 5, 7, 10 (the paper's doses), group intercepts
 * with sd 0.4, group slopes with sd 0.04 and correlation 0.3, residual sd 1. Deterministic for a
 * seed (a small linear congruential generator and Box–Muller), independent of Math.random.
 */
export interface SimulationOptions {
  rows: number;
  groups: number;
  seed?: number;
}

export function simulateRandomSlopesData(options: SimulationOptions): DataColumns {
  let state = (options.seed ?? 20260301) % 2147483647 || 1;
  const uniform = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const intercepts: number[] = [];
  const slopes: number[] = [];
  for (let group = 0; group < options.groups; group += 1) {
    const first = normal();
    const second = 0.3 * first + Math.sqrt(1 - 0.09) * normal();
    intercepts.push(0.4 * first);
    slopes.push(0.04 * second);
  }
  const doses = [0, 3, 5, 7, 10];
  const y: number[] = [];
  const x: number[] = [];
  const g: string[] = [];
  for (let row = 0; row < options.rows; row += 1) {
    const group = row % options.groups;
    const dose = doses[Math.floor(row / options.groups) % doses.length]!;
    x.push(dose);
    g.push(`g${String(group + 1).padStart(2, '0')}`);
    y.push(0.3 + 0.05 * dose + intercepts[group]! + slopes[group]! * dose + normal());
  }
  return { y, x, g };
}
