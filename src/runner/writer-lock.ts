import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { BackfireError } from '../contracts/index.js';

/**
 * One writer per run folder. A stage that writes (simulate, score, analyze, report, and `run` across
 * all four) holds `writer.lock` in the folder: a file created exclusively (O_EXCL) that names its
 * holder (pid, host, when it started, and on Linux the kernel's start tick of that process, so a
 * recycled pid is not mistaken for the holder). A lock whose holder is no longer alive is broken; a
 * live holder makes the second writer stop before it writes anything. Readers (view, export, doctor)
 * never take it.
 *
 * Written by hand: the maintained lock libraries decide staleness by an mtime their holder keeps
 * refreshing, which cannot say which process holds the folder, and a killed run (kill -9 is a
 * supported way to stop) would keep the folder locked until the timeout.
 */

export const WRITER_LOCK_FILE = 'writer.lock';

export interface WriterLockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot), when the platform has /proc. */
  processStart: string | null;
}

export interface WriterLock {
  readonly directory: string;
  release(): void;
}

/** A second writer: exit code 2, the folder is left exactly as it was. */
export class RunFolderInUseError extends BackfireError {
  readonly holder: WriterLockHolder;

  constructor(directory: string, holder: WriterLockHolder) {
    super(
      'run-folder-in-use',
      `run folder in use by process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} since ${holder.startedAt}: ${directory}\n  fix: wait for that process to finish (or stop it with Ctrl-C), or use another --out folder`,
      2,
    );
    this.holder = holder;
  }
}

/** Locks this process already holds, with how many nested stages hold each (a `run` holds it across its stages). */
const held = new Map<string, { count: number; file: string }>();

/**
 * Takes the folder's writer lock (creating the folder if needed), or throws RunFolderInUseError.
 * Re-entrant within one process.
 */
export function acquireWriterLock(directory: string): WriterLock {
  const absolute = resolve(directory);
  const file = join(absolute, WRITER_LOCK_FILE);
  const mine = held.get(absolute);
  if (mine !== undefined) {
    mine.count += 1;
    return releaser(absolute);
  }
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (tryCreate(file)) {
      held.set(absolute, { count: 1, file });
      return releaser(absolute);
    }
    const holder = readHolder(file);
    if (holder !== undefined && isAlive(holder)) throw new RunFolderInUseError(directory, holder);
    breakStaleLock(file, holder);
  }
  const holder = readHolder(file);
  throw new RunFolderInUseError(
    directory,
    holder ?? { pid: 0, host: hostname(), startedAt: 'unknown', processStart: null },
  );
}

/** Runs `work` holding the folder's writer lock, released however it ends. */
export async function withWriterLock<T>(directory: string, work: () => Promise<T> | T): Promise<T> {
  const lock = acquireWriterLock(directory);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/** Who holds the folder's lock now (a live holder), if anyone: for `doctor` and messages. */
export function currentWriter(directory: string): WriterLockHolder | undefined {
  const holder = readHolder(join(resolve(directory), WRITER_LOCK_FILE));
  return holder !== undefined && isAlive(holder) ? holder : undefined;
}

function releaser(absolute: string): WriterLock {
  let released = false;
  return {
    directory: absolute,
    release: () => {
      if (released) return;
      released = true;
      const entry = held.get(absolute);
      if (entry === undefined) return;
      entry.count -= 1;
      if (entry.count > 0) return;
      held.delete(absolute);
      const holder = readHolder(entry.file);
      if (holder?.pid === process.pid) rmSync(entry.file, { force: true });
    },
  };
}

function ownHolder(): WriterLockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: processStartTick(process.pid),
  };
}

/** Creates the lock file exclusively; false when it already exists. */
function tryCreate(file: string): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(descriptor, `${JSON.stringify(ownHolder())}\n`);
  } catch (error) {
    closeSync(descriptor);
    rmSync(file, { force: true });
    throw error;
  }
  closeSync(descriptor);
  return true;
}

function readHolder(file: string): WriterLockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<WriterLockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.startedAt !== 'string') return undefined;
    return {
      pid: parsed.pid,
      host: typeof parsed.host === 'string' ? parsed.host : hostname(),
      startedAt: parsed.startedAt,
      processStart: typeof parsed.processStart === 'string' ? parsed.processStart : null,
    };
  } catch {
    // A holder killed between creating and writing the file leaves it empty or half written.
    return undefined;
  }
}

/** Alive: same host, the pid exists, and (where /proc tells) it is the same process, not a recycled pid. */
function isAlive(holder: WriterLockHolder): boolean {
  // A lock from another host (a shared file system) cannot be checked from here: treat it as held.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.processStart === null) return true;
  const now = processStartTick(holder.pid);
  return now === null || now === holder.processStart;
}

/**
 * Removes a lock whose holder is dead. A half-written lock file (the holder was killed between
 * creating and writing it) counts as stale only once it is a few seconds old, so a writer that is
 * just creating its lock is not robbed of it. The file is renamed away first, so of two processes
 * breaking the same stale lock only one succeeds and neither removes a fresh one.
 */
function breakStaleLock(file: string, holder: WriterLockHolder | undefined): void {
  if (holder === undefined) {
    let ageMs: number;
    try {
      ageMs = Date.now() - statSync(file).mtimeMs;
    } catch {
      return;
    }
    if (ageMs < 2_000) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      return;
    }
  }
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  // If what was moved is not the dead holder's lock, another process took the folder in between:
  // put its lock back (the next attempt then reports it as in use).
  const moved = readHolder(aside);
  if (moved !== undefined && isAlive(moved) && !existsSync(file)) {
    renameSync(aside, file);
    return;
  }
  rmSync(aside, { force: true });
}

function processStartTick(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
