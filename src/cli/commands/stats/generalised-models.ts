import type { Command } from 'commander';
import { fitGlm, fitGlmm, type GlmFit, type GlmmFit } from '../../../stats/index.js';
import { parseInteger } from '../../options.js';
import { runEngine } from './data.js';
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
import { engineOptions, glmFormula, modelInput } from './model-input.js';
import { type GeneralisedOptions, parseFamily, withDataOptions, withModelOptions } from './options.js';

/**
 * `backfire stats glmm | glm`: generalised linear (mixed) models as lme4::glmer and glm(), Wald z
 * tests. Reading and checking the CSV is shared with `stats lmm` (model-input.ts); every number is
 * the engine's.
 */

export function fixedTable(
  rows: readonly { term: string; estimate: number; se: number; z: number; p: number }[],
): string[] {
  return indent(
    formatTable(
      ['term', 'estimate', 'se', 'z', 'p'],
      rows.map((row) => [
        row.term,
        formatNumber(row.estimate),
        formatNumber(row.se),
        formatNumber(row.z),
        formatNumber(row.p),
      ]),
      1,
    ),
  );
}

function printGlmm(fit: GlmmFit, data: ReturnType<typeof modelInput>['data'], json: boolean | undefined): void {
  const output = {
    test: 'glmm',
    formula: fit.formula,
    family: fit.family,
    link: fit.link,
    nAGQ: fit.nAGQ,
    fixed: fit.fixed,
    random: fit.random,
    correlations: fit.correlations,
    logLik: fit.logLik,
    deviance: fit.deviance,
    objective: fit.objective,
    AIC: fit.AIC,
    BIC: fit.BIC,
    npar: fit.npar,
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
    `Generalized linear mixed model fit by maximum likelihood (${fit.nAGQ === 1 ? 'Laplace approximation' : `adaptive Gauss-Hermite quadrature, nAGQ = ${fit.nAGQ}`}), as lme4::glmer`,
    `family: ${fit.family} (${fit.link})`,
    estimatorLine(fit.estimator),
    ...dataLines(data),
    `formula: ${fit.formula}`,
    `logLik: ${formatNumber(fit.logLik)}; AIC: ${formatNumber(fit.AIC)}; BIC: ${formatNumber(fit.BIC)}; deviance: ${formatNumber(fit.deviance)}`,
    `converged: ${fit.converged ? 'yes' : 'no'}; singular: ${fit.singular ? 'yes' : 'no'}`,
    '',
    'Random effects:',
    ...indent(
      formatTable(
        ['group', 'term', 'variance', 'sd'],
        fit.random.map((effect) => [effect.group, effect.term, formatNumber(effect.variance), formatNumber(effect.sd)]),
        2,
      ),
    ),
    ...randomCorrelationAndGroupLines(fit),
    '',
    'Fixed effects (Wald z):',
    ...fixedTable(fit.fixed),
    ...(fit.aliased.length > 0 ? [`aliased (not estimable): ${fit.aliased.join(', ')}`] : []),
    ...warningLines(fit.warnings),
  ]);
}

function printGlm(fit: GlmFit, data: ReturnType<typeof modelInput>['data'], json: boolean | undefined): void {
  const { covariance: _covariance, ...rest } = fit;
  emit({ test: 'glm', ...rest, data }, json, () => [
    `Generalized linear model (${fit.family}, ${fit.link} link), as glm()`,
    estimatorLine(fit.estimator),
    ...dataLines(data),
    `formula: ${fit.formula}`,
    `deviance: ${formatNumber(fit.deviance)} on ${fit.dfResidual} df; null deviance: ${formatNumber(fit.nullDeviance)} on ${fit.dfNull} df`,
    `logLik: ${formatNumber(fit.logLik)}; AIC: ${formatNumber(fit.AIC)}; BIC: ${formatNumber(fit.BIC)}; IRLS iterations: ${fit.iterations}`,
    '',
    'Coefficients (Wald z):',
    ...fixedTable(fit.fixed),
    ...(fit.aliased.length > 0 ? [`aliased (not estimable): ${fit.aliased.join(', ')}`] : []),
    ...warningLines(fit.warnings),
  ]);
}

export function registerGeneralisedModelCommands(stats: Command): void {
  for (const kind of ['glmm', 'glm'] as const) {
    const command = stats
      .command(kind)
      .description(
        kind === 'glmm'
          ? 'generalized linear mixed model, as lme4::glmer (Laplace, or adaptive Gauss-Hermite with --nagq); Wald z tests'
          : 'generalized linear model, as glm(); Wald z tests',
      )
      .requiredOption(
        '--formula <formula>',
        kind === 'glmm'
          ? 'R formula with random terms, e.g. "cbind(successes, failures) ~ k + (1 | language)"'
          : 'R formula, e.g. "count ~ k + offset(log(exposure))"',
      )
      .requiredOption('--family <family>', 'binomial (logit link) or poisson (log link)', parseFamily);
    if (kind === 'glmm') {
      command.option(
        '--nagq <n>',
        'points of adaptive Gauss-Hermite quadrature (default 1: Laplace)',
        parseInteger('--nagq', 1),
      );
    }
    withDataOptions(withModelOptions(command)).action((options: GeneralisedOptions) => {
      const formula = glmFormula(options.formula, kind === 'glmm');
      const input = modelInput(formula, options);
      const base = { ...engineOptions(options.formula, input), family: options.family! };
      if (kind === 'glmm') {
        const fit = runEngine(input.table.file, input.lines, () => fitGlmm({ ...base, nAGQ: options.nagq ?? 1 }));
        printGlmm(fit, input.data, options.json);
      } else {
        const fit = runEngine(input.table.file, input.lines, () => fitGlm(base));
        printGlm(fit, input.data, options.json);
      }
    });
  }
}
