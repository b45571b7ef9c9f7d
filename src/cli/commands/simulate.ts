import type { Command } from 'commander';
import { asRunFolderWriterAsync } from '../../runner/index.js';
import { checkStudyModels } from '../model-preflight.js';
import {
  loadStudyWithOverrides,
  preregistrationFor,
  refuseOverBudget,
  runDirectory,
  runSimulateStage,
  type StudyCommandOptions,
} from '../stages.js';
import { addStudyRunOptions } from '../study-options.js';

export function registerSimulate(program: Command): void {
  const command = program
    .command('simulate')
    .description('run (or resume) the simulations of a study into its run folder; no scoring')
    .argument('<study>', 'study file');
  addStudyRunOptions(command).action(async (studyFile: string, options: StudyCommandOptions) => {
    const loaded = loadStudyWithOverrides(studyFile, options);
    const directory = runDirectory(loaded, options);
    checkStudyModels(loaded, { fromFlag: options.model !== undefined, replaying: options.replay !== undefined });
    const preregistration = preregistrationFor(loaded, directory, options);
    // Every check above writes nothing; from here this process is the folder's one writer.
    const finished = await asRunFolderWriterAsync(directory, async () => {
      await refuseOverBudget(loaded, directory, options);
      return runSimulateStage(loaded, directory, options, preregistration);
    });
    if (!finished) process.exitCode = 130;
    else process.stdout.write(`${directory}\n`);
  });
}
