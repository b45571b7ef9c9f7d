import type { DataColumns } from './model-frame.js';

/**
 * Seeded data from random-slopes models for the benchmarks and tests: `groups` groups, x cycling
 * through 0, 3, 5, 7, 10 (the paper's doses), group intercepts and slopes with correlation 0.3.
 * Deterministic for a seed (a small linear congruential generator and Box–Muller), independent of
 * Math.random.
 *
 * - `simulateRandomSlopesData`: y = 0.3 + 0.05 x + a_g + b_g x + e, intercept sd 0.4, slope sd 0.04,
 *   residual sd 1 (the LMM's data).
 * - `simulateRandomSlopesBinaryData`: logit P(y = 1) = -0.5 + 0.15 x + a_g + b_g x, intercept sd
 *   0.6, slope sd 0.15 (the GLMM's 0/1 data).
 */
export interface SimulationOptions {
  rows: number;
  groups: number;
  seed?: number;
}
export type GlmmSimulationOptions = SimulationOptions;

const DOSES = [0, 3, 5, 7, 10];

/**
 * The design both generators share: the generator, correlated group effects (drawn first, one pair
 * per group), and each row's group and dose. `response` draws the row's y from the same generator.
 */
function simulate(
  options: SimulationOptions,
  defaultSeed: number,
  effectSds: { intercept: number; slope: number },
  response: (
    linear: { dose: number; intercept: number; slope: number },
    draw: { uniform: () => number; normal: () => number },
  ) => number,
): DataColumns {
  let state = (options.seed ?? defaultSeed) % 2147483647 || 1;
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
    intercepts.push(effectSds.intercept * first);
    slopes.push(effectSds.slope * second);
  }
  const y: number[] = [];
  const x: number[] = [];
  const g: string[] = [];
  for (let row = 0; row < options.rows; row += 1) {
    const group = row % options.groups;
    const dose = DOSES[Math.floor(row / options.groups) % DOSES.length]!;
    x.push(dose);
    g.push(`g${String(group + 1).padStart(2, '0')}`);
    y.push(response({ dose, intercept: intercepts[group]!, slope: slopes[group]! }, { uniform, normal }));
  }
  return { y, x, g };
}

export function simulateRandomSlopesData(options: SimulationOptions): DataColumns {
  return simulate(
    options,
    20260301,
    { intercept: 0.4, slope: 0.04 },
    ({ dose, intercept, slope }, { normal }) => 0.3 + 0.05 * dose + intercept + slope * dose + normal(),
  );
}

export function simulateRandomSlopesBinaryData(options: GlmmSimulationOptions): DataColumns {
  return simulate(options, 20260302, { intercept: 0.6, slope: 0.15 }, ({ dose, intercept, slope }, { uniform }) => {
    const eta = -0.5 + 0.15 * dose + intercept + slope * dose;
    return uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  });
}
