import type { Command } from 'commander';
import { compareModels } from '../../../stats/index.js';
import { runEngine } from './data.js';
import { dataLines, emit, estimatorLine, formatNumber, formatTable, indent, warningLines } from './format.js';
import { fitAny } from './model-fit.js';
import { type GeneralisedOptions, withDataOptions, withFamily, withModelOptions } from './options.js';

/** `backfire stats lrt`: likelihood-ratio test of nested models, as anova(); LMM, OLS, GLMM or GLM. */

export function registerLikelihoodRatioTest(stats: Command): void {
  const lrt = stats
    .command('lrt')
    .description('likelihood-ratio test of nested models, as anova(reduced, full) (REML fits refitted with ML)')
    .requiredOption('--reduced <formula>', 'the reduced model')
    .requiredOption('--full <formula>', 'the full model');
  withDataOptions(withModelOptions(withFamily(lrt))).action(
    (options: GeneralisedOptions & { reduced: string; full: string }) => {
      const reduced = fitAny(options.reduced, { ...options, formula: options.reduced }, false);
      const full = fitAny(options.full, { ...options, formula: options.full }, false);
      const test = runEngine(full.data.file, [], () => compareModels(reduced.fit, full.fit));
      emit({ test: 'lrt', ...test, data: full.data }, options.json, () => [
        'Likelihood-ratio test of nested models, as anova()',
        estimatorLine(test.estimator),
        ...dataLines(full.data),
        ...indent(
          formatTable(
            ['model', 'npar', 'logLik', 'deviance', 'AIC', 'BIC'],
            [test.reduced, test.full].map((model) => [
              model.formula,
              String(model.npar),
              formatNumber(model.logLik),
              formatNumber(model.deviance),
              formatNumber(model.AIC),
              formatNumber(model.BIC),
            ]),
            1,
          ),
        ),
        `chisq = ${formatNumber(test.chisq)}, df = ${test.df}, p = ${formatNumber(test.p)}`,
        ...warningLines(test.warnings),
      ]);
    },
  );
}
