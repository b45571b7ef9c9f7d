import type { DataColumns } from './model-frame.js';

/**
 * Seeded 0/1 data from a logistic random-slopes model for the GLMM benchmark and tests:
 * logit P(y = 1) = -0.5 + 0.15 x + a_g + b_g x with x cycling through the paper's doses
 * (0, 3, 5, 7, 10), group intercepts with sd 0.6, slopes with sd 0.15 and correlation 0.3.
 * Deterministic for a seed (the same generator as simulateRandomSlopesData).
 */
export interface GlmmSimulationOptions {
  rows: number;
  groups: number;
  seed?: number;
}

export function simulateRandomSlopesBinaryData(options: GlmmSimulationOptions): DataColumns {
  let state = (options.seed ?? 20260302) % 2147483647 || 1;
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
    intercepts.push(0.6 * first);
    slopes.push(0.15 * second);
  }
  const doses = [0, 3, 5, 7, 10];
  const y: number[] = [];
  const x: number[] = [];
  const g: string[] = [];
  for (let row = 0; row < options.rows; row += 1) {
    const group = row % options.groups;
    const dose = doses[Math.floor(row / options.groups) % doses.length]!;
    const eta = -0.5 + 0.15 * dose + intercepts[group]! + slopes[group]! * dose;
    x.push(dose);
    g.push(`g${String(group + 1).padStart(2, '0')}`);
    y.push(uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  return { y, x, g };
}
