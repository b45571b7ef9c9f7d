import {
  fitGlmm,
  fitLmm,
  simulateRandomSlopesBinaryData,
  simulateRandomSlopesData,
} from '../src/stats/models-index.js';

/**
 * DESIGN.md performance target: a linear mixed model with correlated random slopes,
 * `y ~ x + (1 + x | g)`, on 1,200 rows in 16 groups fits in under 50 ms (median). Each timed fit is
 * the whole of fitLmm on generated data: model frame, REML optimisation, Satterthwaite degrees of
 * freedom, conditional modes. Warm-up fits first (JIT), then the median of the timed fits.
 */

export interface LmmBenchmarkResult {
  medianMs: number;
  minMs: number;
  maxMs: number;
  fits: number;
  rows: number;
  groups: number;
  /** Deviance evaluations the optimiser used in the last fit. */
  evaluations: number;
  converged: boolean;
}

export interface LmmBenchmarkOptions {
  rows?: number;
  groups?: number;
  warmup?: number;
  iterations?: number;
}

export function benchmarkLmm(options: LmmBenchmarkOptions = {}): LmmBenchmarkResult {
  const rows = options.rows ?? 1200;
  const groups = options.groups ?? 16;
  const warmup = options.warmup ?? 10;
  const iterations = Math.max(1, options.iterations ?? 30);
  const formula = 'y ~ x + (1 + x | g)';
  const times: number[] = [];
  let last: ReturnType<typeof fitLmm> | undefined;
  for (let index = 0; index < warmup + iterations; index += 1) {
    // A fresh data set per fit (another seed), so nothing is cached between fits.
    const data = simulateRandomSlopesData({ rows, groups, seed: 1000 + index });
    const start = performance.now();
    last = fitLmm({ formula, data });
    const elapsed = performance.now() - start;
    if (index >= warmup) times.push(elapsed);
  }
  times.sort((left, right) => left - right);
  const middle = Math.floor(times.length / 2);
  const medianMs = times.length % 2 === 1 ? times[middle]! : (times[middle - 1]! + times[middle]!) / 2;
  return {
    medianMs,
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
    fits: times.length,
    rows,
    groups,
    evaluations: last!.optimizer.evaluations,
    converged: last!.converged,
  };
}

/**
 * DESIGN.md performance target: a binomial GLMM with correlated random slopes,
 * `y ~ x + (1 + x | g)` on 1,200 0/1 rows in 16 groups (x at the paper's five doses), fits in under
 * 200 ms (median): the whole fitGlmm (Laplace optimisation and the Hessian for the SEs) on fresh
 * generated data. The figure depends on the design: identical rows are fitted as one (80 distinct
 * rows here), so `distinctRows` is printed with it.
 */
export function benchmarkGlmm(options: LmmBenchmarkOptions = {}): LmmBenchmarkResult & { singular: number } {
  const rows = options.rows ?? 1200;
  const groups = options.groups ?? 16;
  const warmup = options.warmup ?? 5;
  const iterations = Math.max(1, options.iterations ?? 20);
  const formula = 'y ~ x + (1 + x | g)';
  const times: number[] = [];
  let last: ReturnType<typeof fitGlmm> | undefined;
  let singular = 0;
  for (let index = 0; index < warmup + iterations; index += 1) {
    const data = simulateRandomSlopesBinaryData({ rows, groups, seed: 2000 + index });
    const start = performance.now();
    last = fitGlmm({ formula, data, family: 'binomial' });
    const elapsed = performance.now() - start;
    if (index >= warmup) {
      times.push(elapsed);
      if (last.singular) singular += 1;
    }
  }
  times.sort((left, right) => left - right);
  const middle = Math.floor(times.length / 2);
  const medianMs = times.length % 2 === 1 ? times[middle]! : (times[middle - 1]! + times[middle]!) / 2;
  return {
    medianMs,
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
    fits: times.length,
    rows,
    groups,
    evaluations: last!.optimizer.evaluations,
    converged: last!.converged,
    singular,
  };
}
