import { type Command, Option } from 'commander';
import { UserInputError } from '../../../contracts/index.js';
import {
  type PowerDesign,
  type PowerResult,
  type SampleSizeResult,
  tTestDetectableEffect,
  tTestPower,
  tTestSampleSize,
} from '../../../stats/index.js';
import { runEngine } from './data.js';
import { emit, estimatorLine, formatNumber, formatTable, warningLines } from './format.js';
import { parseNumber, parseProbability } from './options.js';

/** `backfire stats power`: analytic power of a t test, as power.t.test; reads no data. */

function isSampleSize(result: PowerResult | SampleSizeResult): result is SampleSizeResult {
  return 'nRequired' in result;
}

interface PowerCommandOptions {
  d?: number;
  n?: number;
  power?: number;
  alpha: number;
  type: PowerDesign;
  alternative: 'two-sided' | 'one-sided';
  strict?: boolean;
  json?: boolean;
}

export function registerPower(stats: Command): void {
  stats
    .command('power')
    .description(
      'analytic power of a t test, as power.t.test: give two of --d, --n, --power and get the third (no data needed)',
    )
    .option('--d <effect>', 'true standardized effect (difference / sd)', parseNumber('--d'))
    .option(
      '--n <n>',
      'observations per group (two-sample), pairs (paired) or observations (one-sample)',
      parseNumber('--n', (value) => (value >= 2 ? undefined : 'must be at least 2')),
    )
    .option('--power <power>', 'target power', parseProbability('--power'))
    .option('--alpha <alpha>', 'significance level', parseProbability('--alpha'), 0.05)
    .addOption(
      new Option('--type <type>', 'design').choices(['two-sample', 'one-sample', 'paired']).default('two-sample'),
    )
    .addOption(
      new Option('--alternative <alternative>', 'one- or two-sided test')
        .choices(['two-sided', 'one-sided'])
        .default('two-sided'),
    )
    .option('--strict', 'count both rejection tails of a two-sided test (R: strict = TRUE)')
    .option('--json', 'print the result as JSON')
    .action((options: PowerCommandOptions) => {
      const given = (['d', 'n', 'power'] as const).filter((name) => options[name] !== undefined);
      if (given.length !== 2) {
        throw new UserInputError(
          `give exactly two of --d, --n and --power (got ${given.length === 0 ? 'none' : given.map((name) => `--${name}`).join(', ')})`,
          {
            path: '--d, --n, --power',
            fix: 'e.g. --d 0.5 --n 64 (power), --d 0.5 --power 0.8 (sample size), --n 64 --power 0.8 (detectable effect)',
          },
        );
      }
      const settings = {
        design: options.type,
        alternative: options.alternative,
        sigLevel: options.alpha,
        strict: options.strict === true,
      };
      const solvedFor = options.power === undefined ? 'power' : options.n === undefined ? 'n' : 'd';
      const result = runEngine(undefined, [], () =>
        solvedFor === 'power'
          ? tTestPower({ ...settings, n: options.n!, delta: options.d! })
          : solvedFor === 'n'
            ? tTestSampleSize({ ...settings, delta: options.d!, power: options.power! })
            : tTestDetectableEffect({ ...settings, n: options.n!, power: options.power! }),
      );
      const output = { test: 'power', solvedFor, d: result.delta / result.sd, ...result };
      const perGroup = { 'two-sample': 'per group', paired: 'pairs', 'one-sample': 'observations' }[result.design];
      const rows: string[][] = [
        ['d', formatNumber(result.delta / result.sd)],
        [`n (${perGroup})`, formatNumber(result.n)],
        ...(isSampleSize(result)
          ? [
              ['n to plan with', String(result.nRequired)],
              ['power at that n', formatNumber(result.powerAtRequired)],
            ]
          : []),
        ['power', formatNumber(result.power)],
        ['alpha', formatNumber(result.sigLevel)],
      ];
      emit(output, options.json, () => [
        `Power of a ${result.design} t test (${result.alternative}${result.strict ? ', both tails counted' : ''}): solved for ${solvedFor}`,
        estimatorLine(result.estimator),
        '',
        ...formatTable(['quantity', 'value'], rows, 1),
        ...warningLines(result.warnings),
      ]);
    });
}
