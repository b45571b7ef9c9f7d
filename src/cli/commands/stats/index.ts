import type { Command } from 'commander';
import { registerBayesFactors } from './bayes-factors.js';
import { registerContrast } from './contrast.js';
import { registerCorrelations } from './correlations.js';
import { registerGeneralisedModelCommands } from './generalised-models.js';
import { registerHedgesG } from './hedges-g.js';
import { registerLikelihoodRatioTest } from './likelihood-ratio.js';
import { registerLinearModelCommands } from './linear-models.js';
import { registerPermutation } from './permutation.js';
import { registerPower } from './power.js';
import { registerTTest } from './ttest.js';

/**
 * `backfire stats <test>`: the statistics engine (src/stats) on any CSV file. Each subcommand's file
 * only reads and checks the columns its test uses (samples.ts, model-input.ts), calls the engine
 * (through data.ts's runEngine) and prints its result (format.ts); every number comes from the
 * engine. Data problems are UserInputErrors naming the file, line and column.
 */

/**
 * Registers `stats` and every subcommand; returns the `stats` command. The order is the order of
 * `backfire stats --help`.
 */
export function registerStats(program: Command): Command {
  const stats = program
    .command('stats')
    .description(
      'run the statistics engine on any CSV file: lmm, ols, glmm, glm, lrt, contrast, ttest, g, pearson, spearman, permutation, bf-ttest, bf-cor, power',
    );
  registerLinearModelCommands(stats);
  registerTTest(stats);
  registerHedgesG(stats);
  registerCorrelations(stats);
  registerPermutation(stats);
  registerBayesFactors(stats);
  registerPower(stats);
  registerGeneralisedModelCommands(stats);
  registerLikelihoodRatioTest(stats);
  registerContrast(stats);
  return stats;
}
