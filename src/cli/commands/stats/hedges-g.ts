import type { Command } from 'commander';
import { type EffectSizeOptions, hedgesG, oneSampleHedgesG, pairedHedgesG } from '../../../stats/index.js';
import { rejectOption, runEngine } from './data.js';
import {
  dataLines,
  emit,
  estimatorLine,
  formatInterval,
  formatNumber,
  formatTable,
  sampleLines,
  warningLines,
} from './format.js';
import { parseProbability, type SampleOptions, withDataOptions, withSampleOptions } from './options.js';
import { resolveSamples } from './samples.js';

/** `backfire stats g`: Hedges' g with its noncentral-t confidence interval. */

interface HedgesGOptions extends SampleOptions {
  ciLevel: number;
}

export function registerHedgesG(stats: Command): void {
  const command = stats
    .command('g')
    .description(
      "Hedges' g with the exact small-sample correction and a noncentral-t CI: two groups, paired (g_z) or one sample",
    )
    .option('--ci-level <level>', 'confidence level', parseProbability('--ci-level'), 0.95);
  withSampleOptions(command, { paired: true, oneSample: true });
  withDataOptions(command).action((options: HedgesGOptions) => {
    const resolved = resolveSamples('g', options, { oneSample: true });
    const settings: EffectSizeOptions = { ciLevel: options.ciLevel };
    const { design } = resolved;
    if (design.kind !== 'one-sample') rejectOption(options.mu, '--mu', 'to a two-group or paired g');
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      design.kind === 'two-sample'
        ? hedgesG(design.x, design.y, settings)
        : design.kind === 'paired'
          ? pairedHedgesG(design.x, design.y, settings)
          : oneSampleHedgesG(design.x, { ...settings, mu: options.mu ?? 0 }),
    );
    const standardized =
      design.kind === 'two-sample'
        ? '(mean(x) - mean(y)) / pooled sd'
        : design.kind === 'paired'
          ? 'mean(x - y) / sd(x - y)'
          : `(mean(x) - ${formatNumber(options.mu ?? 0)}) / sd(x)`;
    const output = { test: 'g', ...result, standardized, samples: resolved.samples, data: resolved.data };
    emit(output, options.json, () => [
      `Hedges' g (${design.kind}): J x ${standardized}`,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      '',
      ...formatTable(
        ['g', `${formatNumber(result.ciLevel * 100)}% CI`, 'd', 'J', 't', 'df', 'p'],
        [
          [
            formatNumber(result.g),
            formatInterval(result.ciG),
            formatNumber(result.d),
            formatNumber(result.correction),
            formatNumber(result.t),
            formatNumber(result.df),
            formatNumber(result.p),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}
