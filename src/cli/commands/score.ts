import type { Command } from 'commander';
import { runScoreStage } from '../stages.js';

export function registerScore(program: Command): void {
  program
    .command('score')
    .description("score a run folder's stored transcripts with the installed lexicons (never re-simulates)")
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .option('--quiet', 'no summary output')
    .action((directory: string, options: { quiet?: boolean }) => {
      runScoreStage(directory, options.quiet === true);
    });
}
