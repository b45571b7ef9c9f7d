import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * bench/README.md target: a user's install of the packed package brings <= 400 packages and <= 150 MB.
 * Measured as a user would meet it: `npm pack` of this checkout, then `npm install <tarball>` in an
 * empty folder (the registry, no cache tricks), then the packages npm lists and the bytes on disk of
 * node_modules. Slow (minutes: better-sqlite3 compiles where its prebuilt binary cannot be fetched),
 * so `npm run bench` runs it only with `--install`.
 */
export interface InstallBenchmarkResult {
  packages: number;
  megabytes: number;
  tarballKilobytes: number;
  largest: { name: string; megabytes: number }[];
}

function diskBytes(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.blocks * 512;
  let total = stats.blocks * 512;
  for (const entry of readdirSync(path)) total += diskBytes(join(path, entry));
  return total;
}

export function benchmarkInstall(): InstallBenchmarkResult {
  const root = resolve(import.meta.dirname, '..');
  const work = mkdtempSync(join(tmpdir(), 'backfire-install-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1)!;
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"install-bench","version":"1.0.0","private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', join(work, tarball)], { cwd: app, stdio: 'ignore' });
    const listed = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: app, encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('node_modules'));
    const modules = join(app, 'node_modules');
    const topLevel = readdirSync(modules).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : [name],
    );
    const largest = topLevel
      .map((name) => ({ name, megabytes: diskBytes(join(modules, name)) / 2 ** 20 }))
      .sort((a, b) => b.megabytes - a.megabytes)
      .slice(0, 5);
    return {
      packages: new Set(listed).size,
      megabytes: diskBytes(modules) / 2 ** 20,
      tarballKilobytes: statSync(join(work, tarball)).size / 1024,
      largest,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
