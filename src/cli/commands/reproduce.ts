import type { Command } from 'commander';
import { reproduceBundle } from '../../runner/index.js';

/**
 * `backfire reproduce <bundle> [--out <folder>] [--rescore-with <pack-folder>]`: rebuilds a run folder
 * from a bundle, re-scores and re-analyses it with zero model calls, and prints whether every number
 * equals the bundled results.json (exit 1 when it does not). With --rescore-with, says what changed.
 */
export function registerReproduce(program: Command): void {
  program
    .command('reproduce')
    .description('re-derive every number of a replication bundle with zero model calls and compare it byte for byte')
    .argument('<bundle>', 'a .tar.gz made by `backfire bundle`')
    .option('--out <folder>', 'run folder to rebuild (default: runs/<study>-<hash>-reproduced)')
    .option(
      '--rescore-with <pack-folder>',
      're-score with the lexicons of another pack folder (<tag>/pack.json) and say what changed',
    )
    .action(async (bundle: string, options: { out?: string; rescoreWith?: string }) => {
      const summary = await reproduceBundle({ bundle, out: options.out, rescoreWith: options.rescoreWith });
      const lines = [
        `bundle ${bundle} (bundle.json sha256 ${summary.bundleSha256}): intact`,
        `rebuilt ${summary.counts.runs} runs, ${summary.counts.events} events, ${summary.counts.calls} call records into ${summary.out}; ${summary.modelCalls} model calls`,
      ];
      if (summary.rescored) {
        lines.push(
          `re-scored with other lexicons: ${summary.lexiconChanges.length === 0 ? 'no lexicon differs from the bundled ones' : summary.lexiconChanges.join('; ')}`,
        );
      }
      if (summary.identical) {
        lines.push(
          `verdict: REPRODUCED: results.json is byte-identical to the bundled one (sha256 ${summary.actualResultsSha256})`,
        );
      } else {
        lines.push(
          `verdict: ${summary.rescored ? 'CHANGED' : 'NOT REPRODUCED'}: ${summary.differenceCount} value(s) of results.json differ (bundled -> now)`,
          ...summary.differences.map((difference) => `  ${difference}`),
        );
        if (summary.software.bundled !== summary.software.reproducing) {
          lines.push(
            `  note: the run was made with ${summary.software.bundled} and reproduced with ${summary.software.reproducing}; install the former to rule the software out`,
          );
        }
        if (summary.differenceCount > summary.differences.length) {
          lines.push(
            `  ... and ${summary.differenceCount - summary.differences.length} more (see ${summary.out}/reproduction.json)`,
          );
        }
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      // A re-score with other lexicons is expected to move numbers; a plain reproduction is not.
      if (!summary.identical && !summary.rescored) process.exitCode = 1;
    });
}
