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
  // A safety net for the stages' own mapping (runner/run-folder-health.ts): a full disk or a damaged
  // store is never a bug, wherever it surfaces.
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    stream.write(
      'error: the disk is full: stopped; committed work is kept\n  fix: free some space, then run the same command again\n',
    );
    return 75;
  }
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    stream.write(
      `error: a store is damaged (${(error as Error).message})\n  fix: \`backfire doctor <run-folder>\` says what is wrong; restore store.sqlite from a backup or start the folder over\n`,
    );
    return 4;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stream.write(`internal error (a bug in backfire; please report it with this text):\n${detail}\n`);
  return 1;
}
