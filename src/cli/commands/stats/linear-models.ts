import type { Command } from 'commander';
import { fitLmm, fitOls, type LmmFit, type OlsFit } from '../../../stats/index.js';
import { type DataSummary, runEngine } from './data.js';
import {
  dataLines,
  emit,
  estimatorLine,
  formatNumber,
  formatTable,
  indent,
  randomCorrelationAndGroupLines,
  warningLines,
} from './format.js';
import { engineOptions, modelInput, parseModelFormula } from './model-input.js';
import { type ModelOptions, withDataOptions, withModelOptions } from './options.js';

/** `backfire stats lmm | ols`: a linear mixed model (lme4 + lmerTest) or ordinary least squares. */

export function registerLinearModelCommands(stats: Command): void {
  for (const kind of ['lmm', 'ols'] as const) {
    const command = stats
      .command(kind)
      .description(
        kind === 'lmm'
          ? 'linear mixed model, as lme4::lmer with lmerTest (Satterthwaite df); REML unless --ml'
          : 'ordinary least squares, as summary(lm())',
      )
      .requiredOption(
        '--formula <formula>',
        kind === 'lmm' ? 'R formula with random terms, e.g. "y ~ x + (1 | group)"' : 'R formula, e.g. "y ~ x * g"',
      );
    withModelOptions(command);
    if (kind === 'lmm') command.option('--ml', 'fit by maximum likelihood instead of REML');
    withDataOptions(command).action((options: ModelOptions) => runModel(kind, options));
  }
}

function runModel(kind: 'lmm' | 'ols', options: ModelOptions): void {
  const formula = parseModelFormula(kind, options.formula);
  const input = modelInput(formula, options);
  const modelOptions = engineOptions(options.formula, input);
  if (kind === 'lmm') {
    const fit = runEngine(input.table.file, input.lines, () => fitLmm({ ...modelOptions, reml: options.ml !== true }));
    printLmm(fit, input.data, options.json);
  } else {
    const fit = runEngine(input.table.file, input.lines, () => fitOls(modelOptions));
    printOls(fit, input.data, options.json);
  }
}

function printLmm(fit: LmmFit, data: DataSummary, json: boolean | undefined): void {
  // The engine's fit also holds optimiser state, BLUPs and derivatives; print what a reader cites.
  const output = {
    test: 'lmm',
    formula: fit.formula,
    fixed: fit.fixed,
    random: fit.random,
    correlations: fit.correlations,
    residualVariance: fit.residualVariance,
    sigma: fit.sigma,
    logLik: fit.logLik,
    deviance: fit.deviance,
    AIC: fit.AIC,
    BIC: fit.BIC,
    npar: fit.npar,
    reml: fit.reml,
    converged: fit.converged,
    singular: fit.singular,
    warnings: fit.warnings,
    nobs: fit.nobs,
    ngroups: fit.ngroups,
    aliased: fit.aliased,
    estimator: fit.estimator,
    data,
  };
  emit(output, json, () => [
    `Linear mixed model fit by ${fit.reml ? 'REML' : 'maximum likelihood'} (Satterthwaite df, as lmerTest)`,
    estimatorLine(fit.estimator),
    ...dataLines(data),
    `formula: ${fit.formula}`,
    `${fit.reml ? 'REML criterion' : 'deviance'}: ${formatNumber(fit.deviance)}; logLik: ${formatNumber(fit.logLik)}; AIC: ${formatNumber(fit.AIC)}; BIC: ${formatNumber(fit.BIC)}`,
    `converged: ${fit.converged ? 'yes' : 'no'}; singular: ${fit.singular ? 'yes' : 'no'}`,
    '',
    'Random effects:',
    ...indent(
      formatTable(
        ['group', 'term', 'variance', 'sd'],
        [
          ...fit.random.map((effect) => [
            effect.group,
            effect.term,
            formatNumber(effect.variance),
            formatNumber(effect.sd),
          ]),
          ['Residual', '', formatNumber(fit.residualVariance), formatNumber(fit.sigma)],
        ],
        2,
      ),
    ),
    ...randomCorrelationAndGroupLines(fit),
    '',
    'Fixed effects:',
    ...indent(
      formatTable(
        ['term', 'estimate', 'se', 'df', 't', 'p'],
        fit.fixed.map((effect) => [
          effect.term,
          formatNumber(effect.estimate),
          formatNumber(effect.se),
          formatNumber(effect.df),
          formatNumber(effect.t),
          formatNumber(effect.p),
        ]),
        1,
      ),
    ),
    ...(fit.aliased.length > 0 ? [`aliased (not estimable): ${fit.aliased.join(', ')}`] : []),
    ...warningLines(fit.warnings),
  ]);
}

function printOls(fit: OlsFit, data: DataSummary, json: boolean | undefined): void {
  const output = {
    test: 'ols',
    formula: fit.formula,
    coefficients: fit.coefficients,
    residualStandardError: fit.residualStandardError,
    residualDf: fit.residualDf,
    rSquared: fit.rSquared,
    adjustedRSquared: fit.adjustedRSquared,
    fStatistic: fit.fStatistic,
    logLik: fit.logLik,
    AIC: fit.AIC,
    BIC: fit.BIC,
    npar: fit.npar,
    nobs: fit.nobs,
    aliased: fit.aliased,
    warnings: fit.warnings,
    estimator: fit.estimator,
    data,
  };
  emit(output, json, () => [
    'Ordinary least squares (as summary(lm()))',
    estimatorLine(fit.estimator),
    ...dataLines(data),
    `formula: ${fit.formula}`,
    '',
    ...indent(
      formatTable(
        ['term', 'estimate', 'se', 't', 'p'],
        fit.coefficients.map((coefficient) => [
          coefficient.term,
          formatNumber(coefficient.estimate),
          formatNumber(coefficient.se),
          formatNumber(coefficient.t),
          formatNumber(coefficient.p),
        ]),
        1,
      ),
    ),
    '',
    `residual standard error: ${formatNumber(fit.residualStandardError)} on ${fit.residualDf} df`,
    `R-squared: ${formatNumber(fit.rSquared)}; adjusted R-squared: ${formatNumber(fit.adjustedRSquared)}`,
    fit.fStatistic === null
      ? 'F statistic: none (intercept-only model)'
      : `F statistic: ${formatNumber(fit.fStatistic.value)} on ${fit.fStatistic.numeratorDf} and ${fit.fStatistic.denominatorDf} df, p = ${formatNumber(fit.fStatistic.p)}`,
    `logLik: ${formatNumber(fit.logLik)}; AIC: ${formatNumber(fit.AIC)}; BIC: ${formatNumber(fit.BIC)}; observations: ${fit.nobs}`,
    ...(fit.aliased.length > 0 ? [`aliased (not estimable): ${fit.aliased.join(', ')}`] : []),
    ...warningLines(fit.warnings),
  ]);
}
