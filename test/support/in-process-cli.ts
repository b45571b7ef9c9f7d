import type { Command } from 'commander';
import { Command as CommanderCommand, CommanderError } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { reportError } from '../../src/cli/errors.js';
import type { CliResult } from './cli.js';

/**
 * The CLI run inside the test process: the same command table and error boundary as
 * `src/cli/main.ts`, with stdout and stderr captured. Thousands of generated cases (test/fuzz) cost
 * milliseconds each this way instead of a process start each.
 */

export interface InProcessOptions {
  /** Replace every command's action (flag fuzzing: parse and validate, never act). */
  replaceActions?: (commandName: string) => (...args: unknown[]) => void | Promise<void>;
}

const loaded = new Map<string, (program: Command) => void>();

async function register(program: Command, name: string): Promise<void> {
  const entry = COMMANDS.find((command) => command.name === name);
  if (entry === undefined) return;
  let registration = loaded.get(name);
  if (registration === undefined) {
    registration = await entry.load();
    loaded.set(name, registration);
  }
  registration(program);
}

function buildProgram(): Command {
  return new CommanderCommand().name('backfire').exitOverride().showHelpAfterError('(run with --help for usage)');
}

/** Runs one command line in-process; resolves with its exit status and what it printed. */
export async function runInProcess(argv: readonly string[], options: InProcessOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = buildProgram();
  // Set before the commands are added: subcommands copy their parent's output settings when created.
  program.configureOutput({
    writeOut: (text) => {
      stdout += text;
    },
    writeErr: (text) => {
      stderr += text;
    },
  });
  const words = argv.filter((argument) => !argument.startsWith('-'));
  const name = words[0] ?? '';
  await register(program, name);
  for (const command of program.commands) {
    command.exitOverride();
    const replacement = options.replaceActions?.(command.name());
    if (replacement !== undefined) command.action(replacement);
  }
  const originalOut = process.stdout.write;
  const originalErr = process.stderr.write;
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  let status: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    status = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    status =
      error instanceof CommanderError
        ? error.exitCode === 0
          ? 0
          : 2
        : reportError(error, { write: (text: string) => (stderr += text) } as unknown as NodeJS.WriteStream);
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = previousExitCode;
  }
  return { status, stdout, stderr };
}

/** What no user error may print: the internal-error banner or a stack frame. */
export function looksLikeACrash(text: string): boolean {
  return (
    text.includes('internal error') || /\n\s+at .+[(:]\d+/.test(text) || /\bat [\w.<>]+ \(\S+:\d+:\d+\)/.test(text)
  );
}
