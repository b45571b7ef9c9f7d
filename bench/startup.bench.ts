import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quantile } from './scheduler-support.js';

/**
 * bench/README.md targets: `backfire --version` and `--help` within 2x of `node -e 0`; `backfire validate
 * studies/study1.yaml` under 1 s. Measured on the built CLI (`dist/cli/main.js`, what `npx backfire`
 * runs), rebuilt first when any source file is newer than it, as wall time of a fresh process:
 * median of several runs after one unmeasured warm-up (the file cache), with the range beside it.
 * A CLI that imports everything before parsing its arguments measured 11.7x on this machine.
 */
export interface StartupFigure {
  label: string;
  medianMs: number;
  minimumMs: number;
  maximumMs: number;
}

export interface StartupBenchmarkResult {
  node: StartupFigure;
  version: StartupFigure;
  help: StartupFigure;
  validate: StartupFigure;
  rebuilt: boolean;
}

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function measure(label: string, args: readonly string[], runs: number): StartupFigure {
  const times: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`${label} exited ${result.status}: ${result.stderr}`);
    if (run > 0) times.push(elapsed);
  }
  return { label, medianMs: quantile(times, 0.5), minimumMs: Math.min(...times), maximumMs: Math.max(...times) };
}

/** Builds the CLI when any source file is newer than `dist/cli/main.js`; returns its path and whether it was rebuilt. */
export function ensureBuiltCli(): { cli: string; rebuilt: boolean } {
  const stale = !existsSync(CLI) || newestModification(join(ROOT, 'src')) > statSync(CLI).mtimeMs;
  if (stale) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  return { cli: CLI, rebuilt: stale };
}

export function benchmarkStartup(runs = 7): StartupBenchmarkResult {
  const stale = ensureBuiltCli().rebuilt;
  return {
    node: measure('node -e 0', ['-e', '0'], runs),
    version: measure('backfire --version', [CLI, '--version'], runs),
    help: measure('backfire --help', [CLI, '--help'], runs),
    validate: measure('backfire validate studies/study1.yaml', [CLI, 'validate', 'studies/study1.yaml'], runs),
    rebuilt: stale,
  };
}
