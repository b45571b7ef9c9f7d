import type { Command } from 'commander';
import { openRunDirectory } from '../../runner/index.js';
import { printSummary, runAnalyzeStage } from '../stages.js';

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description("run the study's analysis plan on a scored run folder; writes results.json")
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .action((directory: string) => {
      const results = runAnalyzeStage(directory);
      const { loaded, store } = openRunDirectory(directory);
      store.close();
      printSummary(results, directory, loaded);
    });
}
