import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';
import gammainc from '@stdlib/math-base-special-gammainc';
import gammaln from '@stdlib/math-base-special-gammaln';
import chiSquareQuantileStdlib from '@stdlib/stats-base-dists-chisquare-quantile';
import fQuantileStdlib from '@stdlib/stats-base-dists-f-quantile';
import normalCdfStdlib from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { StatisticsError } from '../contracts/index.js';

/**
 * Probability distributions for the statistics engine. Central t, F, chi-square and normal are thin
 * wrappers over stdlib's special functions (the regularised incomplete beta and gamma functions
 * give both tails to full precision, which `1 - cdf` would not for small p-values). What stdlib
 * lacks is written here: the noncentral t CDF (algorithm AS 243, Lenth 1989, in the form R's `pt`
 * uses, so results agree with `pt(q, df, ncp)` to about 1e-12), the inversion of the noncentral t
 * for confidence limits on a noncentrality parameter, and Brent's root finder.
 *
 * We import stdlib's single-function packages rather than the `@stdlib/stats-base-dists` namespace:
 * the namespace loads every distribution stdlib has and costs about three seconds at start-up.
 */

/** Which tail a CDF returns: `lower` is P[X <= x], `upper` is P[X > x]. */
export type Tail = 'lower' | 'upper';

function requirePositiveDegreesOfFreedom(df: number, label = 'df'): void {
  if (!(df > 0) || Number.isNaN(df)) {
    throw new StatisticsError(`${label} is ${String(df)}; degrees of freedom must be positive`);
  }
}

function requireQuantileProbability(probability: number): void {
  if (!(probability >= 0 && probability <= 1)) {
    throw new StatisticsError(`probability is ${String(probability)}; it must lie in [0, 1]`);
  }
}

/** log Γ(x). */
export function logGamma(x: number): number {
  return gammaln(x);
}

/** log B(a, b), accurate also when a or b is large. */
export function logBeta(a: number, b: number): number {
  return betaln(a, b);
}

/** Standard normal CDF. */
export function normalCdf(z: number, tail: Tail = 'lower'): number {
  return tail === 'lower' ? normalCdfStdlib(z, 0, 1) : normalCdfStdlib(-z, 0, 1);
}

/** Standard normal quantile. */
export function normalQuantile(probability: number, tail: Tail = 'lower'): number {
  requireQuantileProbability(probability);
  return tail === 'lower' ? normalQuantileStdlib(probability, 0, 1) : -normalQuantileStdlib(probability, 0, 1);
}

/**
 * Student t CDF for any positive (also non-integer) df, computed as R's `pt`: the two-tailed
 * probability P[|T| > |x|] is an incomplete beta function, and each tail is half of it, so the
 * upper tail of a large t keeps its digits. df = Infinity gives the normal.
 */
export function tCdf(x: number, df: number, tail: Tail = 'lower'): number {
  requirePositiveDegreesOfFreedom(df);
  if (Number.isNaN(x)) {
    return Number.NaN;
  }
  if (!Number.isFinite(df)) {
    return normalCdf(x, tail);
  }
  if (!Number.isFinite(x)) {
    return x < 0 === (tail === 'lower') ? 0 : 1;
  }
  const ratio = 1 + (x / df) * x;
  let bothTails: number;
  if (ratio > 1e100) {
    const logValue =
      -0.5 * df * (2 * Math.log(Math.abs(x)) - Math.log(df)) - logBeta(0.5 * df, 0.5) - Math.log(0.5 * df);
    bothTails = Math.exp(logValue);
  } else {
    bothTails =
      df > x * x
        ? betainc((x * x) / (df + x * x), 0.5, df / 2, true, true)
        : betainc(1 / ratio, df / 2, 0.5, true, false);
  }
  const oneTail = bothTails / 2;
  // For x > 0 the upper tail is `oneTail`; for x <= 0 the lower tail is.
  const wantsSmallTail = x > 0 === (tail === 'upper');
  return wantsSmallTail ? oneTail : 0.5 - oneTail + 0.5;
}

/** Two-sided p-value of a t statistic, 2 P[T > |t|]. */
export function tTwoSidedP(t: number, df: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** Student t quantile. */
export function tQuantile(probability: number, df: number, tail: Tail = 'lower'): number {
  requireQuantileProbability(probability);
  requirePositiveDegreesOfFreedom(df);
  if (!Number.isFinite(df)) {
    return normalQuantile(probability, tail);
  }
  return tail === 'lower' ? tQuantileStdlib(probability, df) : -tQuantileStdlib(probability, df);
}

/** log density of the central t distribution. */
export function tLogDensity(x: number, df: number): number {
  requirePositiveDegreesOfFreedom(df);
  return (
    logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) - ((df + 1) / 2) * Math.log1p((x * x) / df)
  );
}

/** F CDF through the incomplete beta function (both tails to full precision). */
export function fCdf(x: number, df1: number, df2: number, tail: Tail = 'lower'): number {
  requirePositiveDegreesOfFreedom(df1, 'df1');
  requirePositiveDegreesOfFreedom(df2, 'df2');
  if (Number.isNaN(x)) {
    return Number.NaN;
  }
  if (x <= 0) {
    return tail === 'lower' ? 0 : 1;
  }
  if (!Number.isFinite(x)) {
    return tail === 'lower' ? 1 : 0;
  }
  // P[F <= x] = I_{d1 x / (d1 x + d2)}(d1/2, d2/2); evaluate with the argument that stays away from 1.
  const scaled = df1 * x;
  if (scaled > df2) {
    const argument = df2 / (df2 + scaled);
    return betainc(argument, df2 / 2, df1 / 2, true, tail === 'lower');
  }
  const argument = scaled / (df2 + scaled);
  return betainc(argument, df1 / 2, df2 / 2, true, tail === 'upper');
}

/** F quantile. */
export function fQuantile(probability: number, df1: number, df2: number): number {
  requireQuantileProbability(probability);
  requirePositiveDegreesOfFreedom(df1, 'df1');
  requirePositiveDegreesOfFreedom(df2, 'df2');
  return fQuantileStdlib(probability, df1, df2);
}

/** Chi-square CDF through the regularised incomplete gamma function. */
export function chiSquareCdf(x: number, df: number, tail: Tail = 'lower'): number {
  requirePositiveDegreesOfFreedom(df);
  if (Number.isNaN(x)) {
    return Number.NaN;
  }
  if (x <= 0) {
    return tail === 'lower' ? 0 : 1;
  }
  if (!Number.isFinite(x)) {
    return tail === 'lower' ? 1 : 0;
  }
  return gammainc(x / 2, df / 2, true, tail === 'upper');
}

/** Chi-square quantile. */
export function chiSquareQuantile(probability: number, df: number): number {
  requireQuantileProbability(probability);
  requirePositiveDegreesOfFreedom(df);
  return chiSquareQuantileStdlib(probability, df);
}

const NONCENTRAL_T_MAX_ITERATIONS = 1000;
const NONCENTRAL_T_ERROR_BOUND = 1e-12;
/** Beyond this ncp^2, exp(-ncp^2 / 2) underflows and the series cannot start (2 ln 2 * 1021). */
const NONCENTRAL_T_NORMAL_LIMIT = 2 * Math.LN2 * 1021;
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * CDF of the noncentral t distribution with `df` degrees of freedom and noncentrality `ncp`.
 *
 * Algorithm AS 243 (Lenth 1989, Applied Statistics 38:185-189): P[T <= t] is Φ(-δ) plus a Poisson
 * mixture of incomplete beta functions, summed until the Poisson weight left over bounds the error
 * below 1e-12. Like R's `pt`, a negative t is reflected (P[T <= -t; δ] = P[T >= t; -δ]), large df or
 * huge δ fall back to a normal approximation, and the upper tail is 1 minus the sum (so relative
 * precision of tiny upper tails is limited, as in R).
 */
export function noncentralTCdf(x: number, df: number, ncp: number, tail: Tail = 'lower'): number {
  requirePositiveDegreesOfFreedom(df);
  if (Number.isNaN(x) || Number.isNaN(ncp)) {
    return Number.NaN;
  }
  if (ncp === 0) {
    return tCdf(x, df, tail);
  }
  if (!Number.isFinite(x)) {
    return x < 0 === (tail === 'lower') ? 0 : 1;
  }
  let reflected = false;
  let magnitude = x;
  let delta = ncp;
  if (x < 0) {
    // P[T <= x] <= P[T <= 0] = Φ(-ncp): negligible for a large positive ncp.
    if (ncp > 40) {
      return tail === 'lower' ? 0 : 1;
    }
    reflected = true;
    magnitude = -x;
    delta = -ncp;
  }
  const lowerOfReflected = (tail === 'lower') !== reflected;

  if (df > 4e5 || delta * delta > NONCENTRAL_T_NORMAL_LIMIT) {
    const shrink = 1 / (4 * df);
    const z = (magnitude * (1 - shrink) - delta) / Math.sqrt(1 + magnitude * magnitude * 2 * shrink);
    return normalCdf(z, lowerOfReflected ? 'lower' : 'upper');
  }

  const squared = x * x;
  const betaArgument = squared / (squared + df);
  let total = 0;
  if (betaArgument > 0) {
    const lambda = delta * delta;
    let poissonEven = 0.5 * Math.exp(-0.5 * lambda);
    if (poissonEven === 0) {
      return lowerOfReflected ? 0 : 1;
    }
    let poissonOdd = SQRT_TWO_OVER_PI * poissonEven * delta;
    let remainingWeight = 0.5 - poissonEven;
    if (remainingWeight < 1e-7) {
      remainingWeight = -0.5 * Math.expm1(-0.5 * lambda);
    }
    let a = 0.5;
    const b = 0.5 * df;
    const complementPower = (1 - betaArgument) ** b;
    const logBetaHalf = LOG_SQRT_PI + logGamma(b) - logGamma(0.5 + b);
    let betaOdd = betainc(betaArgument, a, b, true, false);
    let stepOdd = 2 * complementPower * Math.exp(a * Math.log(betaArgument) - logBetaHalf);
    const firstEven = b * betaArgument;
    let betaEven = firstEven < Number.EPSILON ? firstEven : 1 - complementPower;
    let stepEven = firstEven * complementPower;
    total = poissonEven * betaOdd + poissonOdd * betaEven;
    let converged = false;
    for (let iteration = 1; iteration <= NONCENTRAL_T_MAX_ITERATIONS; iteration++) {
      a += 1;
      betaOdd -= stepOdd;
      betaEven -= stepEven;
      stepOdd *= (betaArgument * (a + b - 1)) / a;
      stepEven *= (betaArgument * (a + b - 0.5)) / (a + 0.5);
      poissonEven *= lambda / (2 * iteration);
      poissonOdd *= lambda / (2 * iteration + 1);
      total += poissonEven * betaOdd + poissonOdd * betaEven;
      remainingWeight -= poissonEven;
      if (remainingWeight < -1e-10 || (remainingWeight <= 0 && iteration > 1)) {
        converged = true;
        break;
      }
      const errorBound = 2 * remainingWeight * (betaOdd - stepOdd);
      if (Math.abs(errorBound) < NONCENTRAL_T_ERROR_BOUND) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      throw new StatisticsError(
        `noncentral t CDF did not converge (x = ${x}, df = ${df}, ncp = ${ncp}); the value would be inaccurate`,
      );
    }
  }
  total += normalCdf(-delta);
  const lowerValue = Math.min(total, 1);
  return lowerOfReflected ? lowerValue : 1 - lowerValue;
}

export interface RootOptions {
  /** Absolute tolerance on the root (default 1e-12 times max(1, |root|)). */
  tolerance?: number;
  maxIterations?: number;
}

/**
 * Brent's method (Brent 1973, "zeroin"): a root of `f` in [lower, upper], where f(lower) and
 * f(upper) differ in sign. Combines bisection's guarantee with inverse quadratic interpolation's
 * speed.
 */
export function brentRoot(
  f: (value: number) => number,
  lower: number,
  upper: number,
  options: RootOptions = {},
): number {
  const maxIterations = options.maxIterations ?? 200;
  let a = lower;
  let b = upper;
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) {
    return a;
  }
  if (fb === 0) {
    return b;
  }
  if (Number.isNaN(fa) || Number.isNaN(fb) || fa * fb > 0) {
    throw new StatisticsError(`root not bracketed: f(${lower}) = ${fa}, f(${upper}) = ${fb} do not differ in sign`);
  }
  let c = a;
  let fc = fa;
  let step = b - a;
  let previousStep = step;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 2 * Number.EPSILON * Math.abs(b) + 0.5 * (options.tolerance ?? 1e-12 * Math.max(1, Math.abs(b)));
    const midpoint = 0.5 * (c - b);
    if (Math.abs(midpoint) <= tolerance || fb === 0) {
      return b;
    }
    if (Math.abs(previousStep) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      // Try interpolation: secant when only two distinct points exist, inverse quadratic otherwise.
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * midpoint * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * midpoint * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) {
        q = -q;
      } else {
        p = -p;
      }
      if (2 * p < Math.min(3 * midpoint * q - Math.abs(tolerance * q), Math.abs(previousStep * q))) {
        previousStep = step;
        step = p / q;
      } else {
        step = midpoint;
        previousStep = step;
      }
    } else {
      step = midpoint;
      previousStep = step;
    }
    a = b;
    fa = fb;
    b += Math.abs(step) > tolerance ? step : midpoint > 0 ? tolerance : -tolerance;
    fb = f(b);
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      step = b - a;
      previousStep = step;
    }
  }
  throw new StatisticsError(`root finding did not converge in ${maxIterations} iterations`);
}

/**
 * Expands [lower, upper] geometrically until the monotone `f` changes sign across it, then returns
 * it. Used for roots whose location is only roughly known (noncentrality limits, sample sizes).
 */
export function bracketRoot(
  f: (value: number) => number,
  lower: number,
  upper: number,
  options: { increasing: boolean; minimum?: number; maximum?: number },
): [number, number] {
  const minimum = options.minimum ?? Number.NEGATIVE_INFINITY;
  const maximum = options.maximum ?? Number.POSITIVE_INFINITY;
  let low = lower;
  let high = upper;
  let fLow = f(low);
  let fHigh = f(high);
  let width = high - low;
  for (let attempt = 0; attempt < 200; attempt++) {
    if (Number.isNaN(fLow) || Number.isNaN(fHigh)) {
      break;
    }
    if (fLow === 0 || fHigh === 0 || fLow < 0 !== fHigh < 0) {
      return [low, high];
    }
    width *= 2;
    // Both ends on the same side of zero: an increasing f that is positive has its root below.
    const rootBelow = options.increasing === fLow > 0;
    if (rootBelow) {
      if (low <= minimum) {
        break;
      }
      high = low;
      fHigh = fLow;
      low = Math.max(minimum, low - width);
      fLow = f(low);
    } else {
      if (high >= maximum) {
        break;
      }
      low = high;
      fLow = fHigh;
      high = Math.min(maximum, high + width);
      fHigh = f(high);
    }
  }
  throw new StatisticsError(`could not bracket a root starting from [${lower}, ${upper}]`);
}

/**
 * The noncentrality δ at which P[T <= t; df, δ] equals `probability`. P falls as δ grows, so the
 * root is unique.
 */
export function noncentralityForProbability(t: number, df: number, probability: number): number {
  if (!(probability > 0 && probability < 1)) {
    throw new StatisticsError(`probability is ${String(probability)}; it must lie strictly between 0 and 1`);
  }
  const difference = (ncp: number): number => noncentralTCdf(t, df, ncp) - probability;
  const [low, high] = bracketRoot(difference, t - 1, t + 1, { increasing: false });
  return brentRoot(difference, low, high, { tolerance: 1e-12 * Math.max(1, Math.abs(t)) });
}

/**
 * Two-sided confidence limits for the noncentrality parameter of an observed t (Steiger & Fouladi
 * 1997): the δ that put t at the upper and at the lower (1 - level)/2 quantile.
 */
export function noncentralityInterval(t: number, df: number, ciLevel = 0.95): { lower: number; upper: number } {
  if (!(ciLevel > 0 && ciLevel < 1)) {
    throw new StatisticsError(`ciLevel is ${String(ciLevel)}; it must lie strictly between 0 and 1`);
  }
  const alpha = 1 - ciLevel;
  return {
    lower: noncentralityForProbability(t, df, 1 - alpha / 2),
    upper: noncentralityForProbability(t, df, alpha / 2),
  };
}
