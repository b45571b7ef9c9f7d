import type { Command } from 'commander';
import { runReportStage } from '../stages.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("write report.html and report.md from a run folder's results")
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .action((directory: string) => {
      const { html, markdown } = runReportStage(directory);
      process.stdout.write(`${html}\n${markdown}\n`);
    });
}
