import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, ManifestSchema, StudySchema, UserInputError } from '../contracts/index.js';
import { inspectStore } from '../store/index.js';
import { planStudy } from './plan.js';
import { runFolderDamage } from './run-folder-health.js';
import { currentWriter } from './writer-lock.js';

/**
 * `backfire doctor <folder>`: everything that can be wrong with a run folder, read without changing
 * it: SQLite's full integrity check, the schema, events and calls of no planned run, turns stored in
 * part, progress counters that disagree with the stored turns, the store against the manifest (its
 * study's planned runs, its status), results.json against the stored results, and the writer lock.
 */

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  directory: string;
  checks: DoctorCheck[];
  healthy: boolean;
}

/** Exit codes of `backfire doctor`: healthy, not a run folder (or a bad argument), problems found. */
export const DOCTOR_EXIT = { healthy: 0, notARunFolder: 2, problems: 4 } as const;

export function diagnoseRunFolder(directory: string): DoctorReport {
  const manifestFile = join(directory, 'manifest.json');
  const storeFile = join(directory, 'store.sqlite');
  if (!existsSync(manifestFile) && !existsSync(storeFile)) {
    throw new UserInputError('is not a run folder (no manifest.json, no store.sqlite)', {
      file: directory,
      fix: 'pass a folder made by `backfire run` or `backfire simulate`, e.g. runs/study1-1a2b3c4d',
    });
  }
  const checks: DoctorCheck[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  let manifest: Manifest | undefined;
  if (!existsSync(manifestFile)) {
    add('manifest', false, 'manifest.json is missing: the folder cannot say which study its store holds');
  } else {
    try {
      manifest = ManifestSchema.parse(JSON.parse(readFileSync(manifestFile, 'utf8')));
      add(
        'manifest',
        true,
        `study ${(manifest.study as { name?: string }).name ?? '?'} (hash ${manifest.studyHash.slice(0, 8)}), ${manifest.sessions} session(s), status ${manifest.status}`,
      );
    } catch (error) {
      add('manifest', false, `manifest.json cannot be read: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  const inspection = inspectStore(storeFile, { thorough: true });
  const damage = runFolderDamage(directory, manifest, inspection);
  add(
    'store integrity',
    damage.length === 0,
    damage.length === 0
      ? `SQLite integrity_check ok, schema ${inspection.schemaVersion} of ${inspection.knownSchemaVersion}, ${inspection.bytes.toLocaleString('en-US')} bytes`
      : damage.join('; '),
  );
  const readable = damage.length === 0 && inspection.exists;
  if (readable) {
    add(
      'orphans',
      inspection.orphanEvents === 0 && inspection.orphanCalls === 0,
      `${inspection.orphanEvents} events and ${inspection.orphanCalls} calls belong to no planned run`,
    );
    const incomplete = inspection.incompleteTurns;
    add(
      'incomplete turns',
      incomplete.length === 0,
      incomplete.length === 0
        ? 'every stored turn is whole (ends with turn-end)'
        : `${incomplete.length} turn(s) stored in part, e.g. ${incomplete
            .slice(0, 3)
            .map((turn) => `${turn.runId} turn ${turn.turn}`)
            .join(', ')}`,
    );
    const mismatches = inspection.progressMismatches;
    add(
      'progress counters',
      mismatches.length === 0,
      mismatches.length === 0
        ? "every run's progress counter matches its stored turns"
        : `${mismatches.length} run(s) disagree, e.g. ${mismatches
            .slice(0, 3)
            .map((run) => `${run.runId} records ${run.recorded} turns, stores ${run.stored}`)
            .join(', ')}`,
    );
    if (manifest !== undefined) checks.push(...agreement(manifest, inspection.runIds, inspection.runsByStatus));
    checks.push(resultsCheck(directory, inspection.resultsBody));
  }
  const writer = currentWriter(directory);
  add(
    'writer lock',
    true,
    writer === undefined ? 'free' : `held by process ${writer.pid} since ${writer.startedAt} (a stage is writing)`,
  );
  return { directory, checks, healthy: checks.every((check) => check.ok) };
}

function agreement(
  manifest: Manifest,
  storedRunIds: readonly string[],
  byStatus: Record<string, number>,
): DoctorCheck[] {
  const parsed = StudySchema.safeParse(manifest.study);
  if (!parsed.success) {
    return [{ name: 'manifest and store', ok: false, detail: "the manifest's study no longer validates" }];
  }
  const planned = new Set(planStudy(parsed.data).runs.map((run) => run.id));
  const stored = new Set(storedRunIds);
  const foreign = [...stored].filter((id) => !planned.has(id));
  const missing = stored.size === 0 ? [] : [...planned].filter((id) => !stored.has(id));
  const completed = byStatus.completed ?? 0;
  const statusAgrees = manifest.status !== 'completed' || completed === planned.size;
  const problems = [
    ...(foreign.length > 0 ? [`${foreign.length} stored run(s) are not planned by the manifest's study`] : []),
    ...(missing.length > 0 ? [`${missing.length} planned run(s) are missing from the store`] : []),
    ...(statusAgrees ? [] : [`the manifest says completed, but ${completed} of ${planned.size} runs are`]),
  ];
  const counts = Object.entries(byStatus)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  return [
    {
      name: 'manifest and store',
      ok: problems.length === 0,
      detail:
        problems.length === 0
          ? `${planned.size} runs planned by the manifest's study, ${stored.size} in the store${counts === '' ? '' : ` (${counts})`}`
          : problems.join('; '),
    },
  ];
}

function resultsCheck(directory: string, storedBody: string | null): DoctorCheck {
  const file = join(directory, 'results.json');
  if (!existsSync(file)) {
    return {
      name: 'results.json',
      ok: true,
      detail: storedBody === null ? 'not analysed yet' : 'absent (`backfire analyze` writes it)',
    };
  }
  if (storedBody === null) {
    return { name: 'results.json', ok: false, detail: 'present, but the store holds no results: it is stale' };
  }
  let same: boolean;
  try {
    same = JSON.stringify(JSON.parse(readFileSync(file, 'utf8'))) === JSON.stringify(JSON.parse(storedBody));
  } catch {
    same = false;
  }
  return {
    name: 'results.json',
    ok: same,
    detail: same ? "equals the store's results" : "differs from the store's results: run `backfire analyze` again",
  };
}
