import type { Command } from 'commander';
import { UserInputError } from '../../../contracts/index.js';
import { testLmmContrast, testWaldContrast, tTwoSidedP } from '../../../stats/index.js';
import { runEngine } from './data.js';
import { dataLines, emit, formatNumber } from './format.js';
import { fitAny } from './model-fit.js';
import { type GeneralisedOptions, withDataOptions, withFamily, withModelOptions } from './options.js';

/**
 * `backfire stats contrast`: a linear combination of fixed effects: lmerTest's contest1D for an LMM,
 * Wald z for a GLM(M), t on the residual df for OLS.
 */

/** --weights "term=1,other=-1" (by term name) or "0,1,-1" (by position). */
function parseWeights(text: string): number[] | Record<string, number> {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.every((part) => part !== '' && Number.isFinite(Number(part)))) return parts.map(Number);
  const named: Record<string, number> = {};
  for (const part of parts) {
    const separator = part.lastIndexOf('=');
    const weight = Number(part.slice(separator + 1));
    if (separator <= 0 || !Number.isFinite(weight)) {
      throw new UserInputError(`cannot read contrast weight "${part}"`, {
        path: '--weights',
        fix: 'write term=weight pairs separated by commas, e.g. --weights "k=1,k:languageja=1", or one number per fixed effect',
      });
    }
    named[part.slice(0, separator)] = weight;
  }
  return named;
}

export function registerContrast(stats: Command): void {
  const contrast = stats
    .command('contrast')
    .description(
      'test of a linear combination of fixed effects: Satterthwaite t for an LMM (contest1D), Wald z for a GLM(M), t on the residual df for OLS',
    )
    .requiredOption('--formula <formula>', 'the model')
    .requiredOption(
      '--weights <weights>',
      'term=weight pairs, e.g. "k=1,k:languageja=1" (or one number per fixed effect)',
    )
    .option('--ml', 'fit an LMM by maximum likelihood instead of REML');
  withDataOptions(withModelOptions(withFamily(contrast))).action(
    (options: GeneralisedOptions & { weights: string }) => {
      const weights = parseWeights(options.weights);
      const { fit, data } = fitAny(options.formula, options, options.ml !== true);
      const result = runEngine(data.file, [], () => {
        if (fit.model === 'lmm') return { test: 'satterthwaite-t', ...testLmmContrast(fit, weights) };
        if (fit.model === 'ols') {
          const rows = fit.coefficients.map((row) => ({ term: row.term, estimate: row.estimate }));
          const wald = testWaldContrast({ fixed: rows, covariance: fit.covariance }, weights);
          const t = wald.z;
          return {
            test: 'ols-t',
            estimate: wald.estimate,
            se: wald.se,
            df: fit.residualDf,
            t,
            p: tTwoSidedP(t, fit.residualDf),
          };
        }
        return { test: 'wald-z', ...testWaldContrast(fit, weights) };
      });
      emit(
        (() => {
          const { test: method, ...numbers } = result;
          return { test: 'contrast', method, formula: options.formula, weights, ...numbers, model: fit.model, data };
        })(),
        options.json,
        () => [
          `Linear contrast of fixed effects (${result.test === 'satterthwaite-t' ? 'Satterthwaite t, as lmerTest::contest1D' : result.test === 'wald-z' ? 'Wald z' : 't on the residual df'})`,
          ...dataLines(data),
          `formula: ${options.formula}`,
          `weights: ${options.weights}`,
          ...Object.entries(result)
            .filter(([key]) => key !== 'test')
            .map(([key, value]) => `${key}: ${typeof value === 'number' ? formatNumber(value) : String(value)}`),
        ],
      );
    },
  );
}
