import type { Command } from 'commander';
import { asRunFolderWriterAsync } from '../../runner/index.js';
import { checkStudyModels } from '../model-preflight.js';
import {
  loadStudyWithOverrides,
  preregistrationFor,
  printSummary,
  refuseOverBudget,
  runAnalyzeStage,
  runDirectory,
  runReportStage,
  runScoreStage,
  runSimulateStage,
  type StudyCommandOptions,
} from '../stages.js';
import { REDIS_PASSWORD_VARIABLE } from '../../queue/index.js';
import { addStudyRunOptions } from '../study-options.js';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('simulate, score, analyse and report a study (resumes an interrupted run in the same folder)')
    .argument('<study>', 'study file, e.g. studies/study1.yaml');
  addStudyRunOptions(command).option(
    '--queue <redis-url>',
    `run the simulations on \`backfire worker\` processes through this Redis: redis://[user:password@]host:port[/db] (the password may be in ${REDIS_PASSWORD_VARIABLE} instead)`,
  );
  command.action(async (studyFile: string, options: StudyCommandOptions) => {
    const loaded = loadStudyWithOverrides(studyFile, options);
    const directory = runDirectory(loaded, options);
    // A queue's coordinator calls no model (its workers do): like a replay, it needs no key and no weights.
    checkStudyModels(loaded, {
      fromFlag: options.model !== undefined,
      replaying: options.replay !== undefined || options.queue !== undefined,
    });
    const preregistration = preregistrationFor(loaded, directory, options);
    // Every check above writes nothing; from here this process is the folder's one writer.
    await asRunFolderWriterAsync(directory, async () => {
      await refuseOverBudget(loaded, directory, options);
      const finished = await runSimulateStage(loaded, directory, options, preregistration);
      if (!finished) {
        process.exitCode = 130;
        return;
      }
      await runScoreStage(directory, options.quiet === true);
      const results = runAnalyzeStage(directory);
      runReportStage(directory);
      printSummary(results, directory, loaded);
    });
  });
}
