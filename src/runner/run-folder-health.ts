import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackfireError, type Manifest, UserInputError } from '../contracts/index.js';
import { inspectStore, isStoreCorruptionError, type StoreInspection, storeDamage } from '../store/index.js';
import { acquireWriterLock } from './writer-lock.js';

/**
 * A run folder that knows when its store is damaged or emptied. Stages check the store before they
 * use it (once per process and folder: SQLite's quick_check reads the whole file); a damaged store
 * stops the command with one message (exit 4), and a writer moves the outputs derived from the store
 * (report.html, report.md, results.json) into `stale/`, so nothing invalid looks current. A full disk
 * stops a stage cleanly (exit 75): every committed turn is kept, and the same command resumes.
 */

const STORE_FILE_NAME = 'store.sqlite';
export const DERIVED_OUTPUTS = ['results.json', 'report.html', 'report.md'] as const;
export const STALE_DIRECTORY = 'stale';

export class DamagedRunFolderError extends BackfireError {
  readonly directory: string;
  readonly problems: readonly string[];
  readonly movedAside: readonly string[];

  constructor(directory: string, problems: readonly string[], movedAside: readonly string[] = []) {
    const aside =
      movedAside.length === 0
        ? ''
        : `\n  ${movedAside.join(', ')} ${movedAside.length === 1 ? 'was' : 'were'} moved to ${join(directory, STALE_DIRECTORY)}/ (derived from the damaged store; not current)`;
    super(
      'run-folder-damaged',
      `the store of run folder ${directory} is damaged: ${problems[0] ?? 'unknown problem'}${aside}\n  fix: restore ${join(directory, STORE_FILE_NAME)} from a backup and run the command again, or delete the folder (or use another --out) to start over; \`backfire doctor ${directory}\` lists every problem`,
      4,
    );
    this.directory = directory;
    this.problems = problems;
    this.movedAside = movedAside;
  }
}

/** The disk filled up during a stage: committed work is kept; the same command resumes. */
export class DiskFullError extends BackfireError {
  constructor(directory: string, options?: { cause?: unknown }) {
    super(
      'disk-full',
      `the disk holding ${directory} is full: stopped; every committed turn is kept\n  fix: free some space, then run the same command again to resume`,
      75,
      options,
    );
  }
}

export function isDiskFullError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT';
}

/** Folders whose store this process has already found sound (or created itself). */
const soundFolders = new Set<string>();

/** Records that this process made (and so trusts) the folder's store. */
export function markRunFolderSound(directory: string): void {
  soundFolders.add(resolve(directory));
}

/**
 * The problems that make a run folder's store unusable: SQLite's quick_check, a missing schema, or a
 * store emptied or lost while its manifest says it held runs. Empty: sound.
 */
export function runFolderDamage(
  directory: string,
  manifest: Manifest | undefined,
  inspection: StoreInspection = inspectStore(join(directory, STORE_FILE_NAME)),
): string[] {
  const problems = storeDamage(inspection);
  if (problems.length > 0 || manifest === undefined) return problems;
  // The manifest is written only after the store was created and migrated, so a manifest beside a
  // missing, empty or table-less store means the data was lost, not that it was never made.
  if (!inspection.exists) {
    problems.push(
      `${STORE_FILE_NAME} is ${existsSync(join(directory, STORE_FILE_NAME)) ? 'empty' : 'missing'}, but manifest.json records ${manifest.sessions} session(s) of study ${studyName(manifest)}: its transcripts are lost`,
    );
  } else if (inspection.runs === 0 && (manifest.status === 'completed' || manifest.sessions > 1)) {
    problems.push(
      `${STORE_FILE_NAME} holds no runs, but manifest.json records ${manifest.sessions} session(s) of study ${studyName(manifest)} (status ${manifest.status}): its transcripts are lost`,
    );
  }
  return problems;
}

/** Throws DamagedRunFolderError when the folder's store is damaged (once per process and folder). */
export function assertRunFolderSound(directory: string, manifest: Manifest | undefined): void {
  const absolute = resolve(directory);
  if (soundFolders.has(absolute)) return;
  const problems = runFolderDamage(absolute, manifest);
  if (problems.length > 0) throw new DamagedRunFolderError(directory, problems);
  soundFolders.add(absolute);
}

/**
 * Moves the outputs derived from a damaged store into `stale/` (with a note saying why), so an old
 * report is not taken for the current state of the folder. Returns the files moved.
 */
export function setDerivedOutputsAside(directory: string, problems: readonly string[]): string[] {
  const moved: string[] = [];
  const target = join(directory, STALE_DIRECTORY);
  for (const name of DERIVED_OUTPUTS) {
    const file = join(directory, name);
    if (!existsSync(file)) continue;
    mkdirSync(target, { recursive: true });
    renameSync(file, join(target, name));
    moved.push(name);
  }
  if (moved.length > 0) {
    writeFileSync(
      join(target, 'README.txt'),
      `Moved here by backfire on ${new Date().toISOString()} because the store they were derived from is damaged:\n${problems.map((problem) => `- ${problem}`).join('\n')}\nThey describe the folder as it was before the damage, not as it is.\n`,
    );
  }
  return moved;
}

/** `--out` (or a run-folder argument, `flag` undefined) must be a folder or not exist yet. */
export function checkRunFolderPath(directory: string, flag?: string): void {
  if (existsSync(directory) && !statSync(directory).isDirectory()) {
    throw new UserInputError('is a file, not a run folder', {
      file: directory,
      path: flag,
      fix:
        flag === undefined
          ? 'pass a run folder made by `backfire run`, e.g. runs/study1-1a2b3c4d'
          : `pass a folder (a new one is created), e.g. ${flag} runs/my-study`,
    });
  }
}

/**
 * Runs a stage that writes into a run folder: checks the path, takes the writer lock (creating the
 * folder), and turns the store's failures into their one-line errors: damage (outputs set aside) and
 * a full disk. Synchronous, for the stages that are.
 */
export function asRunFolderWriter<T>(directory: string, work: () => T): T {
  const lock = takeLock(directory);
  try {
    return work();
  } catch (error) {
    throw mapWriterError(directory, error);
  } finally {
    lock.release();
  }
}

export async function asRunFolderWriterAsync<T>(directory: string, work: () => Promise<T>): Promise<T> {
  const lock = takeLock(directory);
  try {
    return await work();
  } catch (error) {
    throw mapWriterError(directory, error);
  } finally {
    lock.release();
  }
}

/** The lock, and the folder it lives in; a folder made only to hold the lock is removed with it. */
function takeLock(directory: string): { release(): void } {
  checkRunFolderPath(directory);
  const created = !existsSync(directory);
  mkdirSync(directory, { recursive: true });
  const removeIfUnused = () => {
    if (created && readdirSync(directory).length === 0) rmdirSync(directory);
  };
  let lock: { release(): void };
  try {
    lock = acquireWriterLock(directory);
  } catch (error) {
    removeIfUnused();
    throw error;
  }
  return {
    release: () => {
      lock.release();
      removeIfUnused();
    },
  };
}

function mapWriterError(directory: string, error: unknown): unknown {
  if (error instanceof DamagedRunFolderError) {
    if (error.movedAside.length > 0) return error;
    return new DamagedRunFolderError(directory, error.problems, setDerivedOutputsAside(directory, error.problems));
  }
  if (isStoreCorruptionError(error)) {
    soundFolders.delete(resolve(directory));
    const problems = runFolderDamage(directory, undefined);
    const listed = problems.length > 0 ? problems : [`SQLite reports: ${(error as Error).message}`];
    return new DamagedRunFolderError(directory, listed, setDerivedOutputsAside(directory, listed));
  }
  if (isDiskFullError(error)) return new DiskFullError(directory, { cause: error });
  return error;
}

function studyName(manifest: Manifest): string {
  const name = (manifest.study as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '?';
}
