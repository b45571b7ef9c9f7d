import type { Command } from 'commander';
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
    const preregistration = preregistrationFor(loaded, directory, options);
    await refuseOverBudget(loaded, directory, options);
    const finished = await runSimulateStage(loaded, directory, options, preregistration);
    if (!finished) process.exitCode = 130;
    else process.stdout.write(`${directory}\n`);
  });
}
