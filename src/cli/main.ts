#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { packageVersion } from './version.js';

/**
 * The composition root: one commander program, one file per command under commands/. Only the
 * command being run (or whose help is asked for) is loaded; the others are listed by name and
 * summary, so start-up does not pay for statistics, SDKs or the store it will not use.
 */
export async function createProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('backfire')
    .description(
      'Preregistered experiments on prompt-level safety interventions in multilingual LLM multi-agent groups',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const requested = requestedCommand(argv);
  for (const entry of COMMANDS) {
    if (entry.name === requested) (await entry.load())(program);
    else program.command(entry.name).description(entry.summary);
  }
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The command a command line names: its first word that is not an option (`help <command>` too). */
function requestedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((argument) => !argument.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await createProgram(argv)).parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (unknown option, missing argument).
      return error.exitCode === 0 ? 0 : 2;
    }
    const { reportError } = await import('./errors.js');
    return reportError(error);
  }
}

// A reader that closes early (`backfire export ... | head`) is not an error of backfire's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
