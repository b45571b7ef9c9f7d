import type { Command } from 'commander';
import { permutationTest } from '../../../stats/index.js';
import { parseInteger } from '../../options.js';
import { runEngine } from './data.js';
import {
  dataLines,
  emit,
  estimatorLine,
  formatNumber,
  formatTable,
  hypothesisLine,
  sampleLines,
  warningLines,
} from './format.js';
import { type SampleOptions, withAlternative, withDataOptions, withSampleOptions } from './options.js';
import { resolveSamples } from './samples.js';

/** `backfire stats permutation`: the two-group permutation test, exact or seeded Monte Carlo. */

interface PermutationCommandOptions extends SampleOptions {
  permutations: number;
  seed: number;
}

export function registerPermutation(stats: Command): void {
  const command = stats
    .command('permutation')
    .description(
      'two-group permutation test of mean(x) - mean(y): exact when C(n1 + n2, n1) <= 100000, else seeded Monte Carlo',
    )
    .option(
      '--permutations <n>',
      'random relabellings when exact enumeration is too large',
      parseInteger('--permutations', 1),
      9999,
    )
    .option('--seed <n>', 'seed of the random relabellings', parseInteger('--seed'), 1);
  withAlternative(withSampleOptions(command, { paired: false, oneSample: false }));
  withDataOptions(command).action((options: PermutationCommandOptions) => {
    const resolved = resolveSamples('permutation', options, { oneSample: false });
    const { design } = resolved;
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      permutationTest(design.x, design.y ?? [], {
        alternative: options.alternative ?? 'two-sided',
        resamples: options.permutations,
        seed: options.seed,
      }),
    );
    const output = {
      test: 'permutation',
      ...result,
      estimateOf: 'mean(x) - mean(y)',
      samples: resolved.samples,
      data: resolved.data,
    };
    emit(output, options.json, () => [
      `Permutation test of the mean difference (${result.method === 'exact' ? 'exact enumeration' : `Monte Carlo, seed ${result.seed}`})`,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      hypothesisLine('mean(x) - mean(y)', result.alternative, 0),
      '',
      ...formatTable(
        ['statistic', 'p', 'permutations', 'as extreme', 'MC se'],
        [
          [
            formatNumber(result.statistic),
            formatNumber(result.p),
            String(result.permutations),
            String(result.atLeastAsExtreme),
            formatNumber(result.monteCarloStandardError),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}
