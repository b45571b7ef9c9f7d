import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Background WAL checkpoints. In WAL mode SQLite appends commits to the write-ahead log and, every
 * `wal_autocheckpoint` pages, copies them back into the database file inside whichever commit
 * crossed the threshold, on the committing thread, with an fsync. During a study that thread is
 * the orchestrator's only one, and a checkpoint stalls every run in flight for tens of
 * milliseconds (bench/RESULTS.md). Here a worker thread with its own connection runs PASSIVE
 * checkpoints on a timer instead: they never wait for the writer and the writer never waits for
 * them, so commits only append to the log.
 *
 * The main connection keeps a high automatic threshold as a backstop, so the log stays bounded even
 * if the worker falls behind or dies. The worker is plain JavaScript evaluated from this string (no
 * loader needed under tsx or vitest) and loads the same better-sqlite3 as the store.
 */

/** Pages (4 KiB) of log after which the committing connection checkpoints itself anyway. */
export const BACKSTOP_CHECKPOINT_PAGES = 16_384;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path, { fileMustExist: true });
database.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failing: the next tick tries again, and the backstop bounds the log meanwhile.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    checkpoint();
    database.close();
    parentPort.postMessage({ stopped: true });
  }
});
`;

export interface Checkpointer {
  /** Runs a last checkpoint, closes the worker's connection and ends the worker. */
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, options: { intervalMs?: number } = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver, intervalMs: options.intervalMs ?? 200 },
  });
  // A study that ends without stopping it (a thrown error) must not be kept alive by it.
  worker.unref();
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  // A failing checkpoint is not fatal: the backstop threshold still bounds the log.
  worker.on('error', () => undefined);
  return {
    async stop() {
      if (exited) return;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: { stopped?: boolean }) => {
          if (message.stopped === true) resolve();
        });
      });
      worker.postMessage('stop');
      await Promise.race([stopped, exit]);
      await worker.terminate();
      await exit;
    },
  };
}
