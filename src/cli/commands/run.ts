import type { Command } from 'commander';
import { collect, parseInteger } from '../options.js';
import {
  loadStudyWithOverrides,
  printSummary,
  runAnalyzeStage,
  runDirectory,
  runReportStage,
  runScoreStage,
  runSimulateStage,
  type StudyCommandOptions,
} from '../stages.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('simulate, score, analyse and report a study (resumes an interrupted run in the same folder)')
    .argument('<study>', 'study file, e.g. studies/study1.yaml')
    .option('--out <dir>', 'run folder (default: runs/<study>-<hash of the resolved study>)')
    .option('--seed <n>', "override the study's seed", parseInteger('--seed'))
    .option('--model <ref>', 'model reference (repeatable); overrides the study\'s models', collect)
    .option('--replicates <n>', 'override replicates per cell', parseInteger('--replicates', 1))
    .option('--concurrency <n>', 'runs in flight at once', parseInteger('--concurrency', 1))
    .option('--quiet', 'no progress output')
    .action(async (studyFile: string, options: StudyCommandOptions) => {
      const loaded = loadStudyWithOverrides(studyFile, options);
      const directory = runDirectory(loaded, options);
      const finished = await runSimulateStage(loaded, directory, options);
      if (!finished) {
        process.exitCode = 130;
        return;
      }
      runScoreStage(directory, options.quiet === true);
      const results = runAnalyzeStage(directory);
      runReportStage(directory);
      printSummary(results, directory, loaded);
    });
}
