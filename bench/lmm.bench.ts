import {
  fitGlmm,
  fitLmm,
  simulateRandomSlopesBinaryData,
  simulateRandomSlopesData,
} from '../src/stats/models-index.js';

/**
 * bench/README.md performance target: a linear mixed model with correlated random slopes,
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

/** A fitted model as the timing loop needs it. */
interface TimedFit {
  singular: boolean;
  converged: boolean;
  optimizer: { evaluations: number };
}

/**
 * Times `warmup + iterations` fits, each on fresh data made before its clock starts (another seed
 * per fit, so nothing is cached between fits), and summarises the measured ones: median, range,
 * singular fits, and the last fit's optimiser figures.
 */
function timeFits<Data>(
  options: LmmBenchmarkOptions,
  defaults: { warmup: number; iterations: number },
  makeData: (shape: { rows: number; groups: number; index: number }) => Data,
  fitModel: (data: Data) => TimedFit,
): LmmBenchmarkResult & { singular: number } {
  const rows = options.rows ?? 1200;
  const groups = options.groups ?? 16;
  const warmup = options.warmup ?? defaults.warmup;
  const iterations = Math.max(1, options.iterations ?? defaults.iterations);
  const times: number[] = [];
  let last: TimedFit | undefined;
  let singular = 0;
  for (let index = 0; index < warmup + iterations; index += 1) {
    const data = makeData({ rows, groups, index });
    const start = performance.now();
    last = fitModel(data);
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

export function benchmarkLmm(options: LmmBenchmarkOptions = {}): LmmBenchmarkResult {
  const { singular: _singular, ...result } = timeFits(
    options,
    { warmup: 10, iterations: 30 },
    ({ rows, groups, index }) => simulateRandomSlopesData({ rows, groups, seed: 1000 + index }),
    (data) => fitLmm({ formula: 'y ~ x + (1 + x | g)', data }),
  );
  return result;
}

/**
 * bench/README.md performance target: a binomial GLMM with correlated random slopes,
 * `y ~ x + (1 + x | g)` on 1,200 0/1 rows in 16 groups (x at the paper's five doses), fits in under
 * 200 ms (median): the whole fitGlmm (Laplace optimisation and the Hessian for the SEs) on fresh
 * generated data. The figure depends on the design: identical rows are fitted as one (80 distinct
 * rows here), so `distinctRows` is printed with it.
 */
export function benchmarkGlmm(options: LmmBenchmarkOptions = {}): LmmBenchmarkResult & { singular: number } {
  return timeFits(
    options,
    { warmup: 5, iterations: 20 },
    ({ rows, groups, index }) => simulateRandomSlopesBinaryData({ rows, groups, seed: 2000 + index }),
    (data) => fitGlmm({ formula: 'y ~ x + (1 + x | g)', data, family: 'binomial' }),
  );
}
