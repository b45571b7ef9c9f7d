import { type Command, InvalidArgumentError } from 'commander';
import { StatisticsError, UserInputError } from '../../contracts/index.js';
import {
  compareModels,
  type FamilyName,
  fitGlm,
  fitGlmm,
  fitLmm,
  fitOls,
  type GlmFit,
  type GlmmFit,
  parseGlmFormula,
  testLmmContrast,
  testWaldContrast,
  tTwoSidedP,
} from '../../stats/index.js';
import { collect, parseInteger } from '../options.js';
import {
  dataLines,
  emit,
  estimatorLine,
  formatNumber,
  formatTable,
  indent,
  type ModelOptions,
  modelInput,
  parseModelFormula,
  randomCorrelationAndGroupLines,
  runEngine,
  warningLines,
  withDataOptions,
} from './stats.js';

/**
 * `backfire stats glmm | glm | lrt | contrast`: generalised linear (mixed) models as lme4::glmer and
 * glm(), likelihood-ratio tests between nested models (anova()), and linear contrasts of fixed
 * effects (lmerTest's contest1D for an LMM, Wald z for a GLM(M), t on the residual df for OLS).
 * Reading and checking the CSV is shared with `stats lmm` (stats.ts); every number is the engine's.
 */

interface GeneralisedOptions extends ModelOptions {
  family?: FamilyName;
  nagq?: number;
}

const FAMILIES: readonly FamilyName[] = ['binomial', 'poisson'];

function parseFamily(value: string): FamilyName {
  if (!(FAMILIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use ${FAMILIES.join(' or ')}`);
  }
  return value as FamilyName;
}

function withModelOptions(command: Command): Command {
  return command
    .option('--factor <column>', 'treat a numeric column as a factor (repeatable)', collect)
    .option('--reference <column=level>', "a factor's reference level, as relevel() (repeatable)", collect);
}

/** A GLM(M) formula: cbind() and offset() taken out, the rest parsed; errors name --formula. */
function glmFormula(text: string, mixed: boolean) {
  let parsed: ReturnType<typeof parseGlmFormula>;
  try {
    parsed = parseGlmFormula(text);
  } catch (error) {
    if (!(error instanceof StatisticsError)) throw error;
    throw new UserInputError(error.message, {
      path: '--formula',
      fix: 'write an R formula such as "cbind(successes, failures) ~ x + (1 | group)" or "count ~ x + offset(log(exposure)) + (1 | group)"',
    });
  }
  if (mixed && parsed.formula.randomTerms.length === 0) {
    throw new UserInputError(`the formula "${text}" has no random-effects term such as (1 | group)`, {
      path: '--formula',
      fix: 'add a random-effects term, or use `backfire stats glm` for a model without one',
    });
  }
  if (!mixed && parsed.formula.randomTerms.length > 0) {
    throw new UserInputError(`the formula "${text}" has random-effects terms`, {
      path: '--formula',
      fix: 'use `backfire stats glmm` for a mixed model, or remove the (... | group) terms',
    });
  }
  // modelInput reads and checks every column the formula uses: the failures and offset columns too.
  return { ...parsed.formula, variables: parsed.columns };
}

function engineOptions(formula: string, input: ReturnType<typeof modelInput>) {
  return {
    formula,
    data: input.columns,
    ...(input.factors.length > 0 ? { factors: input.factors } : {}),
    ...(Object.keys(input.referenceLevels).length > 0 ? { referenceLevels: input.referenceLevels } : {}),
  };
}

function fixedTable(rows: readonly { term: string; estimate: number; se: number; z: number; p: number }[]): string[] {
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

type AnyFit = ReturnType<typeof fitLmm> | ReturnType<typeof fitOls> | GlmFit | GlmmFit;

/** Fits one formula of `lrt` / `contrast`: LMM or OLS, or GLMM or GLM when --family is given. */
function fitAny(
  text: string,
  options: GeneralisedOptions,
  reml: boolean,
): { fit: AnyFit; data: ReturnType<typeof modelInput>['data'] } {
  if (options.family !== undefined) {
    const parsed = parseGlmFormula(text);
    const formula = glmFormula(text, parsed.formula.randomTerms.length > 0);
    const input = modelInput(formula, options);
    const base = { ...engineOptions(text, input), family: options.family };
    const fit = runEngine(input.table.file, input.lines, () =>
      formula.randomTerms.length > 0 ? fitGlmm({ ...base, nAGQ: options.nagq ?? 1 }) : fitGlm(base),
    );
    return { fit, data: input.data };
  }
  const mixed = /\|/.test(text);
  const formula = parseModelFormula(mixed ? 'lmm' : 'ols', text);
  const input = modelInput(formula, options);
  const fit = runEngine(input.table.file, input.lines, () =>
    mixed ? fitLmm({ ...engineOptions(text, input), reml }) : fitOls(engineOptions(text, input)),
  );
  return { fit, data: input.data };
}

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

function withFamily(command: Command): Command {
  return command
    .option('--family <family>', 'binomial (logit) or poisson (log): fit GLM(M)s instead of linear models', parseFamily)
    .option('--nagq <n>', 'adaptive Gauss-Hermite points for a GLMM (1 = Laplace)', parseInteger('--nagq', 1));
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
