import { CommanderError } from 'commander';
import { BackfireError, UserInputError } from '../contracts/index.js';

/**
 * The CLI boundary: a known error becomes one readable message and an exit code; only a bug shows a
 * stack trace (and says it is one).
 */
export function reportError(error: unknown, stream: NodeJS.WriteStream = process.stderr): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (unknown option, missing argument).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof UserInputError) {
    stream.write(`error: ${error.format()}\n`);
    return error.exitCode;
  }
  if (error instanceof BackfireError) {
    stream.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stream.write(`internal error (a bug in backfire; please report it with this text):\n${detail}\n`);
  return 1;
}
