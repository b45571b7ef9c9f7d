#!/usr/bin/env node
import { Command } from 'commander';
import { toolVersion } from '../runner/index.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerLanguages } from './commands/languages.js';
import { registerLexicon } from './commands/lexicon.js';
import { registerMockServer } from './commands/mock-server.js';
import { registerPlan } from './commands/plan.js';
import { registerPower } from './commands/power.js';
import { registerPrereg } from './commands/prereg.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerScore } from './commands/score.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStats } from './commands/stats.js';
import { registerValidate } from './commands/validate.js';
import { reportError } from './errors.js';

/** The composition root: one commander program, one file per command under commands/. */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('backfire')
    .description(
      'Preregistered experiments on prompt-level safety interventions in multilingual LLM multi-agent groups',
    )
    .version(toolVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [
    registerRun,
    registerValidate,
    registerSimulate,
    registerScore,
    registerAnalyze,
    registerReport,
    registerSchema,
    registerLanguages,
    registerLexicon,
    registerPlan,
    registerMockServer,
    registerPower,
    registerStats,
    registerPrereg,
  ]) {
    register(program);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
