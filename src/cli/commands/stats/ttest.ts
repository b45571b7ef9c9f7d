import type { Command } from 'commander';
import { oneSampleTTest, pairedTTest, twoSampleTTest } from '../../../stats/index.js';
import { rejectOption, runEngine } from './data.js';
import {
  dataLines,
  emit,
  estimateOf,
  estimatorLine,
  formatInterval,
  formatNumber,
  formatTable,
  hypothesisLine,
  sampleLines,
  warningLines,
} from './format.js';
import {
  parseProbability,
  type SampleOptions,
  withAlternative,
  withDataOptions,
  withSampleOptions,
} from './options.js';
import { resolveSamples } from './samples.js';

/** `backfire stats ttest`: Student, Welch, paired or one-sample t test, as R's t.test. */

interface TTestCommandOptions extends SampleOptions {
  welch?: boolean;
  ciLevel: number;
}

export function registerTTest(stats: Command): void {
  const command = stats
    .command('ttest')
    .description("t test, as R's t.test: two groups (--y --group; Student unless --welch), paired, or one-sample")
    .option('--welch', "Welch's unequal-variance test instead of Student's pooled test")
    .option('--ci-level <level>', 'confidence level', parseProbability('--ci-level'), 0.95);
  withAlternative(withSampleOptions(command, { paired: true, oneSample: true }));
  withDataOptions(command).action((options: TTestCommandOptions) => {
    if (options.welch === true && options.group === undefined) {
      rejectOption(true, '--welch', 'without --group (it chooses between two-sample tests)');
    }
    const resolved = resolveSamples('ttest', options, { oneSample: true });
    const settings = {
      alternative: options.alternative ?? 'two-sided',
      mu: options.mu ?? 0,
      ciLevel: options.ciLevel,
    };
    const { design } = resolved;
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      design.kind === 'two-sample'
        ? twoSampleTTest(design.x, design.y, { ...settings, equalVariances: options.welch !== true })
        : design.kind === 'paired'
          ? pairedTTest(design.x, design.y, settings)
          : oneSampleTTest(design.x, settings),
    );
    const title = {
      student: "Student's two-sample t test (pooled variance)",
      welch: "Welch's two-sample t test (unequal variances)",
      paired: 'Paired t test',
      'one-sample': 'One-sample t test',
    }[result.method];
    const output = {
      test: 'ttest',
      ...result,
      estimateOf: estimateOf(design.kind),
      samples: resolved.samples,
      data: resolved.data,
    };
    emit(output, options.json, () => [
      title,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      hypothesisLine(estimateOf(design.kind), result.alternative, result.mu),
      '',
      ...formatTable(
        ['estimate', 'se', 't', 'df', 'p', `${formatNumber(result.ciLevel * 100)}% CI`],
        [
          [
            formatNumber(result.estimate),
            formatNumber(result.standardError),
            formatNumber(result.statistic),
            formatNumber(result.df),
            formatNumber(result.p),
            formatInterval(result.ci),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}
