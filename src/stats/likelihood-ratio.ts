import type { EstimatorRecord } from '../contracts/index.js';
import { StatisticsError } from '../contracts/index.js';
import { chiSquareCdf } from './distributions.js';
import { type LmmFit, refitWithMaximumLikelihood } from './lmm.js';
import { MODELS_ENGINE_VERSION } from './model-frame.js';
import type { GlmFit } from './glm.js';
import type { GlmmFit } from './glmm.js';
import type { OlsFit } from './ols.js';

/**
 * Likelihood-ratio test between nested models, as lme4's `anova(reduced, full)`: REML fits are
 * refitted with maximum likelihood first (REML likelihoods of models with different fixed effects
 * are not comparable), then chisq = 2 (logLik_full - logLik_reduced), truncated at 0, on the
 * difference in parameter counts. The reduced model may be an OLS fit (a model without random
 * effects), whose logLik is already ML. Nesting itself cannot be checked from the fits: the caller
 * vouches for it; we check what can be checked (same response, same rows, fewer parameters).
 * GLMs and GLMMs compare with each other within one family (a GLM is the reduced model of a GLMM
 * as an OLS fit is of an LMM), on one likelihood scale: adaptive Gauss-Hermite fits (nAGQ > 1)
 * only with fits of the same nAGQ, since lme4's nAGQ > 1 logLik leaves out a constant.
 */

export interface ModelSummary {
  formula: string;
  npar: number;
  logLik: number;
  deviance: number;
  AIC: number;
  BIC: number;
}

export interface LikelihoodRatioTest {
  reduced: ModelSummary;
  full: ModelSummary;
  chisq: number;
  df: number;
  p: number;
  /** Whether either model was refitted with ML for the comparison. */
  refitted: boolean;
  warnings: string[];
  estimator: EstimatorRecord;
}

type Fit = LmmFit | OlsFit | GlmFit | GlmmFit;

function summarise(fit: Fit): ModelSummary {
  const deviance = -2 * fit.logLik;
  return { formula: fit.formula, npar: fit.npar, logLik: fit.logLik, deviance, AIC: fit.AIC, BIC: fit.BIC };
}

function generalised(fit: Fit): fit is GlmFit | GlmmFit {
  return fit.model === 'glm' || fit.model === 'glmm';
}

export function compareModels(reduced: Fit, full: Fit): LikelihoodRatioTest {
  if (generalised(reduced) !== generalised(full)) {
    throw new StatisticsError('A GLM or GLMM can only be compared with another GLM or GLMM (not with a linear model)');
  }
  if (generalised(reduced) && generalised(full)) {
    if (reduced.family !== full.family) {
      throw new StatisticsError(
        `Models of different families cannot be compared (${reduced.family} vs ${full.family})`,
      );
    }
    const quadrature = (fit: GlmFit | GlmmFit) => (fit.model === 'glmm' ? fit.nAGQ : 1);
    if (quadrature(reduced) !== quadrature(full) && Math.max(quadrature(reduced), quadrature(full)) > 1) {
      throw new StatisticsError(
        "Fits with nAGQ > 1 are on lme4's deviance-residual likelihood scale and can only be compared with fits of the same nAGQ",
      );
    }
    if (full.model === 'glm' && reduced.model === 'glmm') {
      throw new StatisticsError('The full model must be the mixed model when the reduced model is a mixed model');
    }
  }
  if (full.model !== 'lmm' && reduced.model === 'lmm') {
    throw new StatisticsError('The full model must be the mixed model when the reduced model is a mixed model');
  }
  if (reduced.response !== full.response) {
    throw new StatisticsError(
      `Models with different responses cannot be compared ('${reduced.response}' vs '${full.response}')`,
    );
  }
  if (reduced.nobs !== full.nobs) {
    throw new StatisticsError(
      `Models fitted to different numbers of rows cannot be compared (${reduced.nobs} vs ${full.nobs})`,
    );
  }
  const refitted = (reduced.model === 'lmm' && reduced.reml) || (full.model === 'lmm' && full.reml);
  const reducedMl = reduced.model === 'lmm' ? refitWithMaximumLikelihood(reduced) : reduced;
  const fullMl = full.model === 'lmm' ? refitWithMaximumLikelihood(full) : full;
  const df = fullMl.npar - reducedMl.npar;
  if (df <= 0) {
    throw new StatisticsError(
      `The full model must have more parameters than the reduced one (${fullMl.npar} vs ${reducedMl.npar}); pass (reduced, full)`,
    );
  }
  const warnings: string[] = [];
  for (const fit of [reducedMl, fullMl]) {
    if (fit.model === 'lmm' && !fit.converged) warnings.push(`The ML fit of ${fit.formula} did not converge`);
  }
  if (fullMl.logLik < reducedMl.logLik - 1e-6) {
    warnings.push(
      'The full model fits worse than the reduced one: the models may not be nested, or a fit did not converge',
    );
  }
  const chisq = Math.max(0, 2 * (fullMl.logLik - reducedMl.logLik));
  return {
    reduced: summarise(reducedMl),
    full: summarise(fullMl),
    chisq,
    df,
    p: chiSquareCdf(chisq, df, 'upper'),
    refitted,
    warnings,
    estimator: {
      name: 'likelihood-ratio-test',
      version: MODELS_ENGINE_VERSION,
      args: { reduced: reduced.formula, full: full.formula, refit: 'ml' },
    },
  };
}
