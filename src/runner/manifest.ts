import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  hashCanonical,
  type LanguagePack,
  type Manifest,
  MANIFEST_FORMAT_VERSION,
  ManifestSchema,
  type PreregistrationRecord,
} from '../contracts/index.js';
import type { LoadedStudy } from './study-file.js';

/** The package root (where package.json is), found from this module's location in src/ or dist/. */
export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    directory = dirname(directory);
  }
  return process.cwd();
}

export function toolVersion(): string {
  const packageJson = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return packageJson.version;
}

/**
 * Versions of the packages that can change a run's numbers: every runtime dependency of the package
 * (statistics, matrices, distributions, tokenizer, SDKs, store, stemming, script conversion) and,
 * recursively, the packages they depend on, read from the installed tree, so the manifest names
 * the code that actually computed each p-value rather than an umbrella package.
 */
function packageVersions(): Record<string, string> {
  const root = packageRoot();
  const readPackage = (directory: string): { version?: string; dependencies?: Record<string, string> } | undefined => {
    const file = join(directory, 'package.json');
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string; dependencies?: Record<string, string> })
      : undefined;
  };
  const versions: Record<string, string> = {};
  const pending = Object.keys(readPackage(root)?.dependencies ?? {});
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (versions[name] !== undefined) continue;
    const installed = readPackage(join(root, 'node_modules', name));
    if (installed?.version === undefined) continue;
    versions[name] = installed.version;
    pending.push(...Object.keys(installed.dependencies ?? {}));
  }
  return Object.fromEntries(Object.entries(versions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function gitState(): Manifest['git'] {
  const root = packageRoot();
  if (!existsSync(join(root, '.git'))) return null;
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (commit.status !== 0) return null;
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return { commit: commit.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

export function createManifest(
  loaded: LoadedStudy,
  models: Manifest['models'],
  previous: Manifest | undefined,
  preregistration?: PreregistrationRecord | undefined,
): Manifest {
  const record = preregistration ?? previous?.preregistration;
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    tool: { name: 'backfire', version: toolVersion() },
    git: gitState(),
    node: process.version,
    packages: packageVersions(),
    studyFile: loaded.file,
    studyHash: loaded.hash,
    study: loaded.study,
    languagePacks: [...loaded.packs.values()].map((pack: LanguagePack) => ({
      tag: pack.meta.tag,
      version: pack.meta.version,
      lexiconVersion: pack.lexicon.version,
      reviewStatus: pack.meta.reviewStatus,
      packHash: hashCanonical(pack),
      lexiconHash: hashCanonical(pack.lexicon),
    })),
    models,
    seed: loaded.study.seed,
    startedAt: previous?.startedAt ?? new Date().toISOString(),
    endedAt: null,
    status: 'running',
    sessions: (previous?.sessions ?? 0) + 1,
    ...(record === undefined ? {} : { preregistration: record }),
  };
}

export function readManifest(directory: string): Manifest | undefined {
  const file = join(directory, 'manifest.json');
  if (!existsSync(file)) return undefined;
  return ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Writes a file atomically (temp file + rename), so a reader never sees half a file. */
export function writeFileAtomic(file: string, content: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    // A full disk fails the write part-way: leave no half-written temporary file behind.
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function writeManifest(directory: string, manifest: Manifest): void {
  writeFileAtomic(join(directory, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
