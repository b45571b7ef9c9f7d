import type { Command } from 'commander';
import { type Alternative, pearsonCorrelation, spearmanCorrelation } from '../../../stats/index.js';
import { runEngine } from './data.js';
import {
  dataLines,
  emit,
  estimatorLine,
  formatInterval,
  formatNumber,
  formatTable,
  hypothesisLine,
  pairsLine,
  warningLines,
} from './format.js';
import { type DataOptions, parseProbability, withAlternative, withDataOptions } from './options.js';
import { resolvePairs } from './samples.js';

/** `backfire stats pearson | spearman`: correlations with the tests of cor.test. */

interface CorrelationCommandOptions extends DataOptions {
  x: string;
  y: string;
  alternative?: Alternative;
  ciLevel: number;
  exact?: boolean;
}

export function registerCorrelations(stats: Command): void {
  const pearson = stats
    .command('pearson')
    .description('Pearson correlation with its t test and Fisher-z CI, as cor.test')
    .requiredOption('--x <column>', 'first numeric column')
    .requiredOption('--y <column>', 'second numeric column')
    .option('--ci-level <level>', 'confidence level', parseProbability('--ci-level'), 0.95);
  withDataOptions(withAlternative(pearson)).action((options: CorrelationCommandOptions) => {
    const pairs = resolvePairs(options);
    const result = runEngine(pairs.data.file, pairs.lines, () =>
      pearsonCorrelation(pairs.x, pairs.y, {
        alternative: options.alternative ?? 'two-sided',
        ciLevel: options.ciLevel,
      }),
    );
    const output = { test: 'pearson', ...result, variables: pairs.variables, data: pairs.data };
    emit(output, options.json, () => [
      "Pearson's product-moment correlation",
      estimatorLine(result.estimator),
      ...dataLines(pairs.data),
      pairsLine(pairs),
      hypothesisLine('rho', result.alternative, 0),
      '',
      ...formatTable(
        ['r', `${formatNumber(result.ciLevel * 100)}% CI`, 't', 'df', 'p'],
        [
          [
            formatNumber(result.estimate),
            formatInterval(result.ci),
            formatNumber(result.statistic),
            formatNumber(result.df),
            formatNumber(result.p),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });

  const spearman = stats
    .command('spearman')
    .description('Spearman rank correlation with the p-value of cor.test(method = "spearman")')
    .requiredOption('--x <column>', 'first numeric column')
    .requiredOption('--y <column>', 'second numeric column')
    .option('--no-exact', 'use the t approximation for the p-value even without ties');
  withDataOptions(withAlternative(spearman)).action((options: CorrelationCommandOptions) => {
    const pairs = resolvePairs(options);
    const result = runEngine(pairs.data.file, pairs.lines, () =>
      spearmanCorrelation(pairs.x, pairs.y, {
        alternative: options.alternative ?? 'two-sided',
        exact: options.exact !== false,
      }),
    );
    const output = { test: 'spearman', ...result, variables: pairs.variables, data: pairs.data };
    emit(output, options.json, () => [
      "Spearman's rank correlation",
      estimatorLine(result.estimator),
      ...dataLines(pairs.data),
      pairsLine(pairs),
      hypothesisLine('rho', result.alternative, 0),
      '',
      ...formatTable(
        ['rho', 'S', 'p', 'p method'],
        [[formatNumber(result.estimate), formatNumber(result.statistic), formatNumber(result.p), result.pMethod]],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}
