import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { hashCanonical, type Manifest, ManifestSchema, UserInputError } from '../contracts/index.js';
import { isSurrogateRef } from '../models/index.js';
import { RunStore } from '../store/index.js';
import {
  BUNDLE_PACKS_DIRECTORY,
  BUNDLE_SIMULATION_PACKS_DIRECTORY,
  type OpenedBundle,
  openBundle,
  rebuildStore,
} from './bundle.js';
import { gitState, toolVersion, writeFileAtomic } from './manifest.js';
import { analyzeStage, PACK_FILES, PACK_SNAPSHOT_DIRECTORY, reportStage, STORE_FILE, scoreStage } from './pipeline.js';
import { LOCK_FILE, PREREGISTRATION_DOCUMENT, RUN_PREREG_DIRECTORY } from './preregistration.js';
import { resolveStudy } from './study-file.js';

/**
 * `backfire reproduce <bundle>`: checks the bundle, rebuilds a run folder from it (manifest, lock,
 * packs, the store from the bundled transcript), re-scores and re-analyses it with zero model calls
 * (no model is even built), and compares the new results.json with the bundled one byte for byte.
 * With `rescoreWith`, the transcripts are re-scored with another pack folder's lexicons instead,
 * and the verdict says which lexicons changed and which numbers moved.
 *
 * The folder is built under a temporary name beside `out` and renamed into place when done, so a
 * refused or failed reproduction leaves nothing behind.
 */

export interface ReproduceOptions {
  bundle: string;
  /** Default: runs/<study>-<hash8>-reproduced. */
  out?: string | undefined;
  /** A folder of language packs (`<tag>/pack.json`) to re-score with instead of the bundled ones. */
  rescoreWith?: string | undefined;
}

export interface ReproduceSummary {
  out: string;
  bundleSha256: string;
  /** True when the new results.json equals the bundled one byte for byte. */
  identical: boolean;
  expectedResultsSha256: string;
  actualResultsSha256: string;
  /** Values that differ, as `path: bundled -> reproduced` (at most `MAX_LISTED`). */
  differences: string[];
  differenceCount: number;
  /** Lexicons that differ from the bundled ones (`--rescore-with`). */
  lexiconChanges: string[];
  counts: { runs: number; events: number; calls: number };
  /** The software that made the run and the one that reproduced it (a difference explains changed numbers). */
  software: { bundled: string; reproducing: string };
  /** Always 0: reproduction builds no model. Stated so the verdict can say it. */
  modelCalls: 0;
  rescored: boolean;
}

const MAX_LISTED = 20;

export async function reproduceBundle(options: ReproduceOptions): Promise<ReproduceSummary> {
  if (options.out !== undefined && existsSync(options.out)) {
    throw new UserInputError('already exists; reproduce builds a new run folder', {
      file: options.out,
      path: '--out',
      fix: 'choose another --out folder, or delete this one first',
    });
  }
  if (
    options.rescoreWith !== undefined &&
    !(existsSync(options.rescoreWith) && statSync(options.rescoreWith).isDirectory())
  ) {
    throw new UserInputError('is not a folder of language packs', {
      file: options.rescoreWith,
      path: '--rescore-with',
      fix: 'pass a folder holding <tag>/pack.json for every language of the study (e.g. a copy of src/languages)',
    });
  }
  const bundle = await openBundle(options.bundle);
  try {
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(bundle.root, 'manifest.json'), 'utf8')));
    const top = `${bundle.manifest.study.name}-${bundle.manifest.study.hash.slice(0, 8)}`;
    const out = options.out ?? join('runs', `${top}-reproduced`);
    if (existsSync(out)) {
      throw new UserInputError('already exists; reproduce builds a new run folder', {
        file: out,
        path: '--out',
        fix: 'choose another --out folder, or delete this one first',
      });
    }
    const packsDirectory = resolve(options.rescoreWith ?? join(bundle.root, BUNDLE_PACKS_DIRECTORY));
    const loaded = {
      ...resolveStudy(manifest.study, join(options.bundle, 'study.json'), { directory: packsDirectory }),
      file: manifest.studyFile,
    };
    const lexiconChanges = options.rescoreWith === undefined ? [] : lexiconDifferences(manifest, loaded.packs);

    const staging = `${out}.tmp-${process.pid}`;
    mkdirSync(staging, { recursive: true });
    try {
      const counts = await buildRunFolder(bundle, options.bundle, staging, manifest);
      const store = RunStore.open(join(staging, STORE_FILE), { create: false });
      let actual: Buffer;
      try {
        scoreStage(store, loaded, staging);
        const surrogateRefs = new Set(loaded.study.models.filter(isSurrogateRef));
        const results = analyzeStage(store, loaded, staging, surrogateRefs);
        reportStage(staging, results, manifest, loaded);
        actual = readFileSync(join(staging, 'results.json'));
      } finally {
        store.close();
      }
      const expected = readFileSync(join(bundle.root, 'results.json'));
      const identical = expected.equals(actual);
      const differences = identical
        ? []
        : differingValues(JSON.parse(expected.toString('utf8')), JSON.parse(actual.toString('utf8')));
      const summary: ReproduceSummary = {
        out,
        bundleSha256: bundle.bundleSha256,
        identical,
        expectedResultsSha256: sha256(expected),
        actualResultsSha256: sha256(actual),
        differences: differences.slice(0, MAX_LISTED),
        differenceCount: differences.length,
        lexiconChanges,
        counts,
        software: {
          bundled: describeSoftware(manifest.tool.version, manifest.git),
          reproducing: describeSoftware(toolVersion(), gitState()),
        },
        modelCalls: 0,
        rescored: options.rescoreWith !== undefined,
      };
      writeFileAtomic(
        join(staging, 'reproduction.json'),
        `${JSON.stringify({ bundle: options.bundle, ...summary }, null, 2)}\n`,
      );
      mkdirSync(dirname(resolve(out)), { recursive: true });
      renameSync(staging, out);
      return summary;
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  } finally {
    bundle.close();
  }
}

/** A run folder from the bundle: manifest, preregistration, pack snapshots, and the rebuilt store. */
async function buildRunFolder(
  bundle: OpenedBundle,
  bundleFile: string,
  directory: string,
  manifest: Manifest,
): Promise<ReproduceSummary['counts']> {
  copyFileSync(join(bundle.root, 'manifest.json'), join(directory, 'manifest.json'));
  for (const file of [LOCK_FILE, PREREGISTRATION_DOCUMENT]) {
    const from = join(bundle.root, RUN_PREREG_DIRECTORY, file);
    if (existsSync(from)) {
      mkdirSync(join(directory, RUN_PREREG_DIRECTORY), { recursive: true });
      copyFileSync(from, join(directory, RUN_PREREG_DIRECTORY, file));
    }
  }
  // The simulation's packs: the bundled ones, or the separate copy where the simulation used other files.
  const languages = (manifest.study as { languages: string[] }).languages;
  for (const tag of languages) {
    const source = bundle.manifest.simulationPacksDiffer.includes(tag)
      ? BUNDLE_SIMULATION_PACKS_DIRECTORY
      : BUNDLE_PACKS_DIRECTORY;
    const target = join(directory, PACK_SNAPSHOT_DIRECTORY, 'simulated', tag);
    mkdirSync(target, { recursive: true });
    for (const file of PACK_FILES) {
      if (existsSync(join(bundle.root, source, tag, file)))
        copyFileSync(join(bundle.root, source, tag, file), join(target, file));
    }
  }
  return rebuildStore(bundle, bundleFile, join(directory, STORE_FILE));
}

function describeSoftware(version: string, git: Manifest['git']): string {
  return `backfire ${version}${git === null ? '' : ` (git ${git.commit.slice(0, 12)}${git.dirty ? ', uncommitted changes' : ''})`}`;
}

function lexiconDifferences(
  manifest: Manifest,
  packs: ReadonlyMap<string, { lexicon: { version: string } }>,
): string[] {
  const changes: string[] = [];
  for (const recorded of manifest.languagePacks) {
    const pack = packs.get(recorded.tag);
    if (pack === undefined) continue;
    const hash = hashCanonical(pack.lexicon);
    if (recorded.lexiconHash !== undefined && recorded.lexiconHash === hash) continue;
    changes.push(
      `${recorded.tag}: lexicon ${recorded.lexiconVersion} -> ${pack.lexicon.version}${
        recorded.lexiconVersion === pack.lexicon.version ? ' (same version number, different content)' : ''
      }`,
    );
  }
  return changes;
}

/** Leaf values that differ between two JSON documents, hypotheses and cells named by id. */
export function differingValues(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  const walk = (left: unknown, right: unknown, path: string) => {
    if (Array.isArray(left) && Array.isArray(right)) {
      const length = Math.max(left.length, right.length);
      for (let index = 0; index < length; index += 1) {
        walk(left[index], right[index], `${path}[${elementName(left[index] ?? right[index], index)}]`);
      }
      return;
    }
    if (isObject(left) && isObject(right)) {
      for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
        walk(left[key], right[key], path === '' ? key : `${path}.${key}`);
      }
      return;
    }
    if (JSON.stringify(left) !== JSON.stringify(right)) {
      out.push(
        `${path}: ${abbreviate(JSON.stringify(left) ?? 'absent')} -> ${abbreviate(JSON.stringify(right) ?? 'absent')}`,
      );
    }
  };
  walk(before, after, '');
  return out;
}

/** A whole object that appeared or vanished is named, not dumped. */
function abbreviate(text: string): string {
  return text.length <= 100 ? text : `${text.slice(0, 97)}...`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function elementName(element: unknown, index: number): string {
  if (isObject(element)) {
    for (const key of ['id', 'cellId', 'language']) {
      if (typeof element[key] === 'string') return String(element[key]);
    }
    if (typeof element.label === 'string') return `${index}:${element.label}`;
  }
  return String(index);
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
