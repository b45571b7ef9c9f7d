import { logGamma } from './distributions.js';

/**
 * The two exponential families the GLM and GLMM fits support, with their canonical links, written
 * as R's `binomial()` and `poisson()` family objects compute them (stats/src/family.c): the logit's
 * inverse clamps η at ±30, Poisson means stay above machine epsilon, deviance residuals follow
 * `binomial()$dev.resids` / `poisson()$dev.resids`, and `minusTwoLogLikelihood` is the family's
 * `aic()` (the full likelihood: binomial coefficients and log y! included), which is what makes
 * logLik and AIC equal R's.
 *
 * The response is a proportion y with binomial trials m (m = 1 for 0/1 outcomes) or a count with
 * m = 1 (Poisson). With a canonical link the working weight is m·Var(μ) and the score m(y - μ).
 */
export type FamilyName = 'binomial' | 'poisson';

export interface Family {
  name: FamilyName;
  link: 'logit' | 'log';
  mean(eta: number): number;
  /** m · dμ/dη, which for a canonical link is also the working weight m · Var(μ). */
  weight(mu: number, trials: number): number;
  /** One observation's squared deviance residual. */
  devianceResidual(y: number, mu: number, trials: number): number;
  /** One observation's -2 log-likelihood (R's family$aic summand). */
  minusTwoLogLikelihood(y: number, mu: number, trials: number): number;
  /** glm.fit's starting mean (the family's mustart). */
  startingMean(y: number, trials: number): number;
}

const DOUBLE_EPS = 2.220446049250313e-16;
const LOGIT_THRESHOLD = 30;

function yLogYOverMu(y: number, mu: number): number {
  return y > 0 ? y * Math.log(y / mu) : 0;
}

const binomial: Family = {
  name: 'binomial',
  link: 'logit',
  mean(eta) {
    const e = eta < -LOGIT_THRESHOLD ? DOUBLE_EPS : eta > LOGIT_THRESHOLD ? 1 / DOUBLE_EPS : Math.exp(eta);
    return e / (1 + e);
  },
  weight(mu, trials) {
    return trials * Math.max(mu * (1 - mu), DOUBLE_EPS);
  },
  devianceResidual(y, mu, trials) {
    return 2 * trials * (yLogYOverMu(y, mu) + yLogYOverMu(1 - y, 1 - mu));
  },
  minusTwoLogLikelihood(y, mu, trials) {
    if (trials <= 0) return 0;
    const m = Math.round(trials);
    const successes = Math.round(trials * y);
    const logChoose = logGamma(m + 1) - logGamma(successes + 1) - logGamma(m - successes + 1);
    const logDensity =
      logChoose +
      (successes > 0 ? successes * Math.log(mu) : 0) +
      (m - successes > 0 ? (m - successes) * Math.log1p(-mu) : 0);
    return -2 * logDensity;
  },
  startingMean(y, trials) {
    return (trials * y + 0.5) / (trials + 1);
  },
};

const poisson: Family = {
  name: 'poisson',
  link: 'log',
  mean(eta) {
    return Math.max(Math.exp(eta), DOUBLE_EPS);
  },
  weight(mu, trials) {
    return trials * mu;
  },
  devianceResidual(y, mu, trials) {
    return 2 * trials * (yLogYOverMu(y, mu) - (y - mu));
  },
  minusTwoLogLikelihood(y, mu, trials) {
    return -2 * trials * ((y > 0 ? y * Math.log(mu) : 0) - mu - logGamma(y + 1));
  },
  startingMean(y) {
    return y + 0.1;
  },
};

export function familyNamed(name: FamilyName): Family {
  return name === 'binomial' ? binomial : poisson;
}

/** η from μ for the starting values (the link function itself). */
export function linkOf(family: Family, mu: number): number {
  return family.name === 'binomial' ? Math.log(mu / (1 - mu)) : Math.log(mu);
}
