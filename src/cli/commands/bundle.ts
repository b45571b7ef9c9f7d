import type { Command } from 'commander';
import { createBundle } from '../../runner/index.js';

/**
 * `backfire bundle <run-folder> --out <file.tar.gz>`: a replication archive of a finished run folder
 * (see src/runner/bundle.ts for its contents); `backfire reproduce` re-derives every number from it.
 */
export function registerBundle(program: Command): void {
  program
    .command('bundle')
    .description(
      'write a replication bundle of a run folder (.tar.gz) that `reproduce` re-analyses with zero model calls',
    )
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .requiredOption('--out <file.tar.gz>', 'the archive to write (never written over)')
    .option('--quiet', 'no summary output')
    .action(async (directory: string, options: { out: string; quiet?: boolean }) => {
      const summary = await createBundle({ directory, out: options.out });
      if (options.quiet !== true) {
        const { counts } = summary.manifest;
        process.stderr.write(
          `bundle: ${counts.runs} runs, ${counts.events} events, ${counts.calls} calls, ${summary.manifest.members.length} files; ${(summary.bytes / 1e6).toFixed(2)} MB\n`,
        );
      }
      process.stdout.write(`${summary.file}\nbundle.json sha256 ${summary.bundleSha256}\n`);
    });
}
