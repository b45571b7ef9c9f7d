import type { Command } from 'commander';
import {
  CORRELATION_PRIOR_SCALES,
  type CorrelationPriorScale,
  oneSampleBayesFactor,
  pairedBayesFactor,
  pearsonBayesFactor,
  T_TEST_PRIOR_SCALES,
  type TTestPriorScale,
  twoSampleBayesFactor,
} from '../../../stats/index.js';
import { rejectOption, runEngine } from './data.js';
import {
  dataLines,
  emit,
  estimateOf,
  estimatorLine,
  formatNumber,
  formatTable,
  pairsLine,
  sampleLines,
  warningLines,
} from './format.js';
import {
  type DataOptions,
  parsePriorScale,
  type SampleOptions,
  withDataOptions,
  withSampleOptions,
} from './options.js';
import { resolvePairs, resolveSamples } from './samples.js';

/** `backfire stats bf-ttest | bf-cor`: JZS Bayes factors, as the BayesFactor package. */

interface BayesTTestOptions extends SampleOptions {
  rscale?: TTestPriorScale;
}

interface BayesCorrelationOptions extends DataOptions {
  x: string;
  y: string;
  rscale?: CorrelationPriorScale;
}

function bayesFactorLines(result: { bf10: number; bf01: number; logBf10: number; rScale: number }): string[] {
  return formatTable(
    ['BF10', 'BF01', 'log BF10', 'prior scale'],
    [[formatNumber(result.bf10), formatNumber(result.bf01), formatNumber(result.logBf10), formatNumber(result.rScale)]],
  );
}

export function registerBayesFactors(stats: Command): void {
  const tCommand = stats
    .command('bf-ttest')
    .description('JZS Bayes factor of a t test, as BayesFactor::ttestBF: two groups, paired, or one sample')
    .option(
      '--rscale <scale>',
      `Cauchy prior scale: a number or ${Object.keys(T_TEST_PRIOR_SCALES).join(', ')} (default medium = sqrt(2)/2)`,
      parsePriorScale(T_TEST_PRIOR_SCALES),
    );
  withSampleOptions(tCommand, { paired: true, oneSample: true });
  withDataOptions(tCommand).action((options: BayesTTestOptions) => {
    const resolved = resolveSamples('bf-ttest', options, { oneSample: true });
    const { design } = resolved;
    if (design.kind !== 'one-sample') rejectOption(options.mu, '--mu', 'to a two-group or paired Bayes factor');
    const prior = options.rscale === undefined ? {} : { rScale: options.rscale };
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      design.kind === 'two-sample'
        ? twoSampleBayesFactor(design.x, design.y, prior)
        : design.kind === 'paired'
          ? pairedBayesFactor(design.x, design.y, prior)
          : oneSampleBayesFactor(design.x, { ...prior, mu: options.mu ?? 0 }),
    );
    const output = { test: 'bf-ttest', ...result, samples: resolved.samples, data: resolved.data };
    emit(output, options.json, () => [
      `JZS Bayes factor, ${design.kind} t test (H1: ${estimateOf(design.kind)} != ${formatNumber(options.mu ?? 0)}, Cauchy prior on the standardized effect)`,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      `t = ${formatNumber(result.statistic)}`,
      '',
      ...bayesFactorLines(result),
      ...warningLines(result.warnings),
    ]);
  });

  const corCommand = stats
    .command('bf-cor')
    .description('Bayes factor for a Pearson correlation, as BayesFactor::correlationBF')
    .requiredOption('--x <column>', 'first numeric column')
    .requiredOption('--y <column>', 'second numeric column')
    .option(
      '--rscale <scale>',
      `stretched-beta prior scale: a number or ${Object.keys(CORRELATION_PRIOR_SCALES).join(', ')} (default medium = 1/3)`,
      parsePriorScale(CORRELATION_PRIOR_SCALES),
    );
  withDataOptions(corCommand).action((options: BayesCorrelationOptions) => {
    const pairs = resolvePairs(options);
    const result = runEngine(pairs.data.file, pairs.lines, () =>
      pearsonBayesFactor(pairs.x, pairs.y, options.rscale === undefined ? {} : { rScale: options.rscale }),
    );
    const output = { test: 'bf-cor', ...result, variables: pairs.variables, data: pairs.data };
    emit(output, options.json, () => [
      'Bayes factor for a correlation (H1: rho != 0, stretched-beta prior)',
      estimatorLine(result.estimator),
      ...dataLines(pairs.data),
      `${pairsLine(pairs)}; r = ${formatNumber(result.statistic)}`,
      '',
      ...bayesFactorLines(result),
      ...warningLines(result.warnings),
    ]);
  });
}
