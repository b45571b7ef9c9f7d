import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** Versions of the packages that can change a run's numbers. */
function packageVersions(): Record<string, string> {
  const root = packageRoot();
  const names = [
    'zod',
    'better-sqlite3',
    'franc',
    'ml-matrix',
    'openai',
    '@anthropic-ai/sdk',
    '@stdlib/stats-base-dists',
  ];
  const versions: Record<string, string> = {};
  for (const name of names) {
    const file = join(root, 'node_modules', name, 'package.json');
    if (existsSync(file)) versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return versions;
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
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

export function writeManifest(directory: string, manifest: Manifest): void {
  writeFileAtomic(join(directory, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
