import type { Command } from 'commander';
import { runScoreStage } from '../stages.js';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description("score a run folder's stored transcripts with the installed lexicons (never re-simulates)")
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .option('--deviation <reason>', 'state why a preregistered folder is re-scored with other packs (recorded)')
    .option('--quiet', 'no summary output')
    .action(async (directory: string, options: { quiet?: boolean; deviation?: string }) => {
      await runScoreStage(directory, options.quiet === true, options.deviation);
    });
}
