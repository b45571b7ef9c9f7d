import { type EstimatorRecord, StatisticsError } from '../contracts/index.js';
import { estimatorRecord, requireProbability } from './descriptives.js';
import { brentRoot, bracketRoot, noncentralTCdf, tQuantile } from './distributions.js';

/**
 * Analytic power and sample size of t tests through the noncentral t, numerically as R's
 * `power.t.test`.
 *
 * With ν = (n - 1) k (k = 2 groups for two-sample, 1 otherwise), ncp = sqrt(n / k) δ / σ and
 * critical value c = t_{ν, 1 - α/s} (s = 2 sides or 1):
 *  - default (`strict: false`, R's default): power = P[T' > c], the rejection probability in the
 *    direction of δ only, ignoring the (tiny) chance of rejecting in the wrong tail;
 *  - `strict: true`: power = P[T' > c] + P[T' < -c], both tails of a two-sided test.
 * For a two-sided test δ is taken as |δ|, as in R. `n` is per group for two-sample designs and the
 * number of pairs for paired ones (σ is then the SD of the differences).
 *
 * Sample size and detectable effect are found by Brent's method to 1e-10 relative, where R's
 * `uniroot` default tolerance (eps^0.25 ≈ 1.2e-4) leaves n uncertain in its fourth decimal.
 */

export type PowerDesign = 'two-sample' | 'one-sample' | 'paired';
export type PowerAlternative = 'two-sided' | 'one-sided';

export interface PowerSettings {
  design?: PowerDesign;
  alternative?: PowerAlternative;
  /** Standard deviation (default 1, so δ is in SD units). */
  sd?: number;
  /** Significance level α (default 0.05). */
  sigLevel?: number;
  /** Count both rejection tails of a two-sided test (default false, as R). */
  strict?: boolean;
}

export interface PowerResult {
  /** Per group (two-sample), pairs (paired) or observations (one-sample); may be fractional. */
  n: number;
  delta: number;
  sd: number;
  sigLevel: number;
  power: number;
  design: PowerDesign;
  alternative: PowerAlternative;
  strict: boolean;
  estimator: EstimatorRecord;
  warnings: string[];
}

export interface SampleSizeResult extends PowerResult {
  /** The smallest whole n reaching the target power, and the power it actually gives. */
  nRequired: number;
  powerAtRequired: number;
  targetPower: number;
}

interface ResolvedSettings {
  design: PowerDesign;
  alternative: PowerAlternative;
  sd: number;
  sigLevel: number;
  strict: boolean;
}

function resolve(settings: PowerSettings): ResolvedSettings {
  const resolved = {
    design: settings.design ?? 'two-sample',
    alternative: settings.alternative ?? 'two-sided',
    sd: settings.sd ?? 1,
    sigLevel: settings.sigLevel ?? 0.05,
    strict: settings.strict ?? false,
  };
  if (!(resolved.sd > 0 && Number.isFinite(resolved.sd))) {
    throw new StatisticsError(`sd is ${resolved.sd}; it must be a positive number`);
  }
  requireProbability(resolved.sigLevel, 'sigLevel');
  return resolved;
}

/** The power formula of `power.t.test` (its `p.body`). */
function powerOf(n: number, delta: number, settings: ResolvedSettings): number {
  const groups = settings.design === 'two-sample' ? 2 : 1;
  const sides = settings.alternative === 'two-sided' ? 2 : 1;
  const effect = sides === 2 ? Math.abs(delta) : delta;
  const df = Math.max(1e-7, n - 1) * groups;
  const critical = tQuantile(settings.sigLevel / sides, df, 'upper');
  const ncp = (Math.sqrt(n / groups) * effect) / settings.sd;
  const upper = noncentralTCdf(critical, df, ncp, 'upper');
  return settings.strict && sides === 2 ? upper + noncentralTCdf(-critical, df, ncp, 'lower') : upper;
}

function record(name: string, settings: ResolvedSettings, extra: Record<string, unknown>): EstimatorRecord {
  return estimatorRecord(name, {
    design: settings.design,
    alternative: settings.alternative,
    sd: settings.sd,
    sigLevel: settings.sigLevel,
    strict: settings.strict,
    ...extra,
  });
}

/** Power of a t test with n (per group) and true difference delta. */
export function tTestPower(input: { n: number; delta: number } & PowerSettings): PowerResult {
  const settings = resolve(input);
  if (!(input.n >= 2 && Number.isFinite(input.n))) {
    throw new StatisticsError(`n is ${input.n}; power needs at least 2 observations per group`);
  }
  if (!Number.isFinite(input.delta)) {
    throw new StatisticsError(`delta is ${input.delta}; a finite effect is needed`);
  }
  return {
    n: input.n,
    delta: input.delta,
    ...settings,
    power: powerOf(input.n, input.delta, settings),
    estimator: record('t-test-power', settings, { n: input.n, delta: input.delta }),
    warnings: [],
  };
}

/** n (per group) at which a t test reaches `power` against delta. */
export function tTestSampleSize(input: { delta: number; power: number } & PowerSettings): SampleSizeResult {
  const settings = resolve(input);
  requireProbability(input.power, 'power');
  if (!(Number.isFinite(input.delta) && input.delta !== 0)) {
    throw new StatisticsError(`delta is ${input.delta}; a sample size needs a non-zero finite effect`);
  }
  if (input.power <= settings.sigLevel) {
    throw new StatisticsError(`target power ${input.power} does not exceed sigLevel ${settings.sigLevel}`);
  }
  if (settings.alternative === 'one-sided' && input.delta < 0) {
    throw new StatisticsError('a one-sided power calculation needs delta > 0 (the tested direction)');
  }
  const warnings: string[] = [];
  const shortfall = (n: number): number => powerOf(n, input.delta, settings) - input.power;
  let n: number;
  if (shortfall(2) >= 0) {
    n = 2;
    warnings.push(`power ${input.power} is already reached at n = 2`);
  } else {
    const [low, high] = bracketRoot(shortfall, 2, 10, { increasing: true, minimum: 2, maximum: 1e7 });
    n = brentRoot(shortfall, low, high, { tolerance: 1e-10 * high });
  }
  const nRequired = Math.max(2, Math.ceil(n - 1e-9));
  return {
    n,
    delta: input.delta,
    ...settings,
    power: input.power,
    targetPower: input.power,
    nRequired,
    powerAtRequired: powerOf(nRequired, input.delta, settings),
    estimator: record('t-test-sample-size', settings, { delta: input.delta, power: input.power }),
    warnings,
  };
}

/** The smallest true difference a t test with n (per group) detects with `power`. */
export function tTestDetectableEffect(input: { n: number; power: number } & PowerSettings): PowerResult {
  const settings = resolve(input);
  requireProbability(input.power, 'power');
  if (!(input.n >= 2 && Number.isFinite(input.n))) {
    throw new StatisticsError(`n is ${input.n}; power needs at least 2 observations per group`);
  }
  if (input.power <= settings.sigLevel / (settings.alternative === 'two-sided' ? 2 : 1)) {
    throw new StatisticsError(`target power ${input.power} is not above the test's size`);
  }
  const shortfall = (delta: number): number => powerOf(input.n, delta, settings) - input.power;
  const [low, high] = bracketRoot(shortfall, settings.sd * 0.1, settings.sd * 2, {
    increasing: true,
    minimum: settings.sd * 1e-7,
    maximum: settings.sd * 1e7,
  });
  const delta = brentRoot(shortfall, low, high, { tolerance: 1e-12 * high });
  return {
    n: input.n,
    delta,
    ...settings,
    power: input.power,
    estimator: record('t-test-detectable-effect', settings, { n: input.n, power: input.power }),
    warnings: [],
  };
}
