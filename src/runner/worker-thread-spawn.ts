import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on an entry module (the simulation and scoring threads). The built CLI runs
 * JavaScript (dist/); from source (tests, `tsx`) the entry is TypeScript, and the thread registers
 * tsx before importing it.
 */
export function spawnWorkerThread(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  // Not `--import tsx`: on Node 20 tsx's loader registers itself in the main thread only. Its API's
  // register() works in any thread (its ESM build: the CommonJS one fails to load from an eval).
  const require = createRequire(import.meta.url);
  const manifest = require('tsx/package.json') as { exports: { './esm/api': { import: { default: string } } } };
  const api = pathToFileURL(
    join(dirname(require.resolve('tsx/package.json')), manifest.exports['./esm/api'].import.default),
  );
  const bootstrap = `import(${JSON.stringify(api.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
}

/** An entry module beside `from` (an `import.meta.url`), with its extension: .js when built, .ts from source. */
export function siblingEntry(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}
