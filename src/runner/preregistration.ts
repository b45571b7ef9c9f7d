import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  canonicalJson,
  type Deviation,
  type FieldChange,
  hashCanonical,
  type Hypothesis,
  type HypothesisResult,
  type LanguagePack,
  type LockedPack,
  type PlannedVersusObserved,
  PREREG_LOCK_FORMAT,
  PREREG_LOCK_FORMAT_VERSION,
  type PreregContent,
  type PreregistrationRecord,
  type PreregistrationResults,
  type PreregLock,
  PreregLockSchema,
  type Study,
  StudySchema,
  UserInputError,
  userInputErrorFromZod,
} from '../contracts/index.js';
import { loadValidationSet } from '../languages/index.js';
import { INDEX_DEFINITIONS } from '../metrics/index.js';
import { MODELS_ENGINE_VERSION, TESTS_ENGINE_VERSION } from '../stats/index.js';
import { RunStore } from '../store/index.js';
import { gitState, readManifest, toolVersion } from './manifest.js';
import { planStudy } from './plan.js';
import { type LoadedStudy, studyDesign } from './study-file.js';

/**
 * Preregistration: the lock `backfire prereg` freezes before any data exist, its verification before
 * the first model call of `run --prereg <lock>`, and the deviations recorded when a run departs from
 * it. The lock covers what can change a number: the resolved study (design, sampling, seeds, models,
 * analysis plan), each language pack and its lexicon by content hash (the lexicon itself in full),
 * the validation sets, the index and estimator versions, and every run's derived seed.
 *
 * After data exist, a change to what a hypothesis's test depends on moves it to exploratory: a
 * change to one hypothesis demotes that hypothesis; a change to anything the tests share (design,
 * sampling, seeds, packs, exclusions, metrics, the correction family) demotes every confirmatory
 * hypothesis. Wording (titles, descriptions, pack notes) demotes nothing.
 */

export const LOCK_FILE = 'prereg.lock.json';
export const PREREGISTRATION_DOCUMENT = 'preregistration.md';
/** Where a run folder keeps the byte copy of its lock (and of the document, when it sat beside it). */
export const RUN_PREREG_DIRECTORY = 'preregistration';

const SEED_DERIVATION = 'run seed = deriveSeed(study seed, language, model, dose, replicate) (src/runner/plan.ts)';

// ---------------------------------------------------------------------------------------------
// The lock

/** Content hashes of one pack: the whole pack, each section, the lexicon (with its content). */
export function lockedPack(pack: LanguagePack, validation: readonly unknown[] | null): LockedPack {
  const sections: Record<string, string> = {};
  for (const [section, value] of Object.entries(pack)) sections[section] = hashCanonical(value);
  return {
    version: pack.meta.version,
    packHash: hashCanonical(pack),
    sections,
    lexicon: { version: pack.lexicon.version, hash: hashCanonical(pack.lexicon), content: pack.lexicon },
    validation: validation === null ? null : { items: validation.length, hash: hashCanonical(validation) },
  };
}

/** The estimator each hypothesis is tested with, named as the analysis records it. */
function plannedEstimator(hypothesis: Hypothesis): string {
  switch (hypothesis.kind) {
    case 'contrast':
      return `hedges-g with ${hypothesis.test} t`;
    case 'trend':
      return 'ols slope';
    case 'model':
      return hypothesis.estimator === 'lmm'
        ? `lmm (${hypothesis.reml ? 'REML' : 'ML'}, Satterthwaite df)`
        : hypothesis.estimator === 'glmm' || hypothesis.estimator === 'glm'
          ? `${hypothesis.estimator} (${hypothesis.family ?? 'binomial'}, Wald z)`
          : 'ols';
    case 'covariate-correlation':
      return 'pearson r over per-language hedges-g (student t)';
    case 'direction-count':
      return 'count of per-language hedges-g (student t)';
    case 'manipulation-check':
      return 'lmm of the agent-level metric on instructed with a run effect, mixed runs (Satterthwaite df)';
  }
}

/** What a lock holds for a loaded study (without the time it is made). */
export function preregContent(loaded: LoadedStudy): PreregContent {
  const study = loaded.study;
  const languagePacks: Record<string, LockedPack> = {};
  for (const tag of study.languages) {
    const pack = loaded.packs.get(tag);
    if (pack === undefined) throw new Error(`no pack loaded for ${tag}`);
    languagePacks[tag] = lockedPack(pack, loadValidationSet(tag, { directory: loaded.packsDirectory }));
  }
  const plan = planStudy(study);
  return {
    study: studyDesign(study),
    studyHash: loaded.hash,
    languagePacks,
    indices: Object.fromEntries(
      Object.values(INDEX_DEFINITIONS).map((index) => [index.name, { version: index.version, formula: index.formula }]),
    ),
    estimators: {
      engines: { 'stats-tests': TESTS_ENGINE_VERSION, 'stats-models': MODELS_ENGINE_VERSION },
      hypotheses: Object.fromEntries(
        study.analysis.hypotheses.map((hypothesis) => [hypothesis.id, plannedEstimator(hypothesis)]),
      ),
    },
    seeds: {
      derivation: SEED_DERIVATION,
      runs: plan.runs.length,
      runSeedsHash: hashCanonical(plan.runs.map((run) => [run.id, run.seed])),
    },
  };
}

export function createLock(loaded: LoadedStudy, now: Date = new Date()): PreregLock {
  const content = preregContent(loaded);
  return {
    format: PREREG_LOCK_FORMAT,
    formatVersion: PREREG_LOCK_FORMAT_VERSION,
    lockedAt: now.toISOString(),
    createdWith: { tool: 'backfire', version: toolVersion(), node: process.version, git: gitState() },
    content,
    hash: hashCanonical(content),
  };
}

export function serializeLock(lock: PreregLock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** Reads a lock file: format, version, schema, and that its hash still matches its content. */
export function readLock(file: string): PreregLock {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`, {
      file,
      fix: `pass the ${LOCK_FILE} written by \`backfire prereg <study> --out <folder>\``,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(`is not valid JSON (${(error as Error).message})`, {
      file,
      fix: `pass the ${LOCK_FILE} written by \`backfire prereg\`, unedited`,
    });
  }
  const head = (raw ?? {}) as { format?: unknown; formatVersion?: unknown };
  if (head.format !== PREREG_LOCK_FORMAT) {
    throw new UserInputError('is not a backfire preregistration lock', {
      file,
      path: 'format',
      fix: `pass the ${LOCK_FILE} written by \`backfire prereg <study> --out <folder>\``,
    });
  }
  if (typeof head.formatVersion === 'number' && head.formatVersion > PREREG_LOCK_FORMAT_VERSION) {
    throw new UserInputError(
      `was written by a newer backfire (lock format ${head.formatVersion}; this version reads up to ${PREREG_LOCK_FORMAT_VERSION})`,
      { file, path: 'formatVersion', fix: 'upgrade backfire to the version that made the lock' },
    );
  }
  const parsed = PreregLockSchema.safeParse(raw);
  if (!parsed.success) throw userInputErrorFromZod(parsed.error, file, `a lock is written by \`backfire prereg\``);
  const lock = parsed.data;
  const actual = hashCanonical(lock.content);
  if (actual !== lock.hash) {
    throw new UserInputError(
      `has been edited: its content hashes to ${actual.slice(0, 12)}, not to the recorded ${lock.hash.slice(0, 12)}`,
      {
        file,
        path: 'hash',
        fix: 'restore the lock as `backfire prereg` wrote it (a lock is never edited: run the changed study with --deviation "<reason>" instead)',
      },
    );
  }
  return lock;
}

/** The lock's study, re-validated (defaults of fields added since are filled in). */
export function lockedStudy(lock: PreregLock): Study {
  return StudySchema.parse(lock.content.study);
}

// ---------------------------------------------------------------------------------------------
// Field-level differences

const ABSENT = '(absent)';
const MAX_VALUE_LENGTH = 120;

function formatValue(value: unknown): string {
  if (value === undefined) return ABSENT;
  const text = typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}\u2026` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function idOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
}

function diffValues(path: string, before: unknown, after: unknown, changes: FieldChange[]): void {
  if (canonicalJson(before) === canonicalJson(after)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) diffValues(`${path}.${key}`, before[key], after[key], changes);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    // Lists of things with ids (hypotheses) are compared by id, so a path names the hypothesis.
    const beforeIds = before.map(idOf);
    const afterIds = after.map(idOf);
    if ([...beforeIds, ...afterIds].every((id) => id !== undefined)) {
      const beforeById = new Map(before.map((item) => [idOf(item)!, item]));
      const afterById = new Map(after.map((item) => [idOf(item)!, item]));
      const ids = [...new Set([...beforeIds, ...afterIds] as string[])];
      for (const id of ids) diffValues(`${path}[${id}]`, beforeById.get(id), afterById.get(id), changes);
      if (
        changes.every((change) => !change.field.startsWith(`${path}[`)) &&
        canonicalJson(beforeIds) !== canonicalJson(afterIds)
      ) {
        changes.push({ field: `${path} (order)`, preregistered: beforeIds.join(', '), observed: afterIds.join(', ') });
      }
      return;
    }
    // Lexicon term lists are sets: name what was added and removed.
    if (path.includes('.lexicon.content.') && [...before, ...after].every((item) => typeof item === 'string')) {
      const beforeSet = new Set(before as string[]);
      const afterSet = new Set(after as string[]);
      const added = (after as string[]).filter((item) => !beforeSet.has(item));
      const removed = (before as string[]).filter((item) => !afterSet.has(item));
      const parts = [
        ...(added.length > 0 ? [`added ${added.map((item) => JSON.stringify(item)).join(', ')}`] : []),
        ...(removed.length > 0 ? [`removed ${removed.map((item) => JSON.stringify(item)).join(', ')}`] : []),
      ];
      changes.push({
        field: path,
        preregistered: `${before.length} entries`,
        observed: `${after.length} entries (${parts.length > 0 ? parts.join('; ') : 'reordered'})`,
      });
      return;
    }
  }
  changes.push({ field: path, preregistered: formatValue(before), observed: formatValue(after) });
}

/**
 * Every field in which `current` differs from `planned`, hypotheses by id. Hashes that only follow
 * from content also compared (the study hash, the seeds list, a pack's hash, the lexicon's hash) are
 * left out when that content differs, so each change is named once, where it was made.
 */
export function diffPreregistration(planned: PreregContent, current: PreregContent): FieldChange[] {
  const changes: FieldChange[] = [];
  diffValues('', planned, current, changes);
  const fields = changes.map((change) => change.field.replace(/^\./, ''));
  const named = changes.map((change, index) => ({ ...change, field: fields[index]! }));
  const studyChanged = fields.some((field) => field.startsWith('study.'));
  return named.filter(({ field }) => {
    if (field === 'studyHash') return !studyChanged;
    if (field.startsWith('seeds.') && field !== 'seeds.derivation') return !studyChanged;
    const estimator = /^estimators\.hypotheses\.(.+)$/.exec(field);
    if (estimator !== null)
      return !fields.some((other) => other.startsWith(`study.analysis.hypotheses[${estimator[1]}]`));
    const pack = /^languagePacks\.([^.]+)\.(packHash|sections\.lexicon|lexicon\.hash)$/.exec(field);
    if (pack !== null) {
      const prefix = `languagePacks.${pack[1]}.`;
      if (pack[2] === 'packHash') return !fields.some((other) => other.startsWith(`${prefix}sections.`));
      return !fields.some((other) => other.startsWith(`${prefix}lexicon.content`));
    }
    return true;
  });
}

export function formatChange(change: FieldChange): string {
  return `${change.field}: ${change.preregistered} -> ${change.observed}`;
}

// ---------------------------------------------------------------------------------------------
// Which hypotheses a change after data moves to exploratory

const HYPOTHESIS_FIELD = /^study\.analysis\.hypotheses\[([^\]]+)\](?:\.(.+))?$/;
const WORDING_FIELDS = [/^study\.(title|description)$/, /^languagePacks\.[^.]+\.sections\.meta$/];

export function demotedByChanges(changes: readonly FieldChange[], planned: Study, current: Study): string[] {
  const confirmatoryNow = current.analysis.hypotheses.filter((hypothesis) => hypothesis.confirmatory);
  const plannedById = new Map(planned.analysis.hypotheses.map((hypothesis) => [hypothesis.id, hypothesis]));
  const demoted = new Set<string>();
  const demoteAll = () => {
    for (const hypothesis of confirmatoryNow) demoted.add(hypothesis.id);
  };
  for (const change of changes) {
    if (WORDING_FIELDS.some((pattern) => pattern.test(change.field))) continue;
    const match = HYPOTHESIS_FIELD.exec(change.field);
    if (match === null) {
      demoteAll();
      continue;
    }
    const [, id, member] = match;
    if (member === 'description') continue;
    if (change.observed === ABSENT) {
      // A confirmatory hypothesis dropped after data changes the correction family of all the others.
      if (plannedById.get(id!)?.confirmatory === true) demoteAll();
      continue;
    }
    demoted.add(id!);
  }
  const order = current.analysis.hypotheses.map((hypothesis) => hypothesis.id);
  return order.filter((id) => demoted.has(id) && confirmatoryNow.some((hypothesis) => hypothesis.id === id));
}

// ---------------------------------------------------------------------------------------------
// Verification before the first model call

export interface VerifyPreregistrationInput {
  loaded: LoadedStudy;
  lockFile: string;
  /** `--deviation` as given (undefined when not given). */
  deviation?: string | undefined;
  /** The run folder the run writes to. */
  directory: string;
  now?: Date;
}

export interface VerifiedPreregistration {
  lock: PreregLock;
  record: PreregistrationRecord;
  /** Every field in which the run differs from the lock. */
  changes: FieldChange[];
  /** The deviation recorded by this command, if any. */
  recorded: Deviation | null;
}

/**
 * Compares what is about to run with the lock. A difference not already on record needs a reason
 * (`--deviation`); with one, it is recorded with the time, whether data existed, and the hypotheses
 * it moves to exploratory. Nothing is written here: the caller puts the record in the manifest.
 */
export function verifyPreregistration(input: VerifyPreregistrationInput): VerifiedPreregistration {
  const { loaded, lockFile, directory } = input;
  if (input.deviation !== undefined && input.deviation.trim() === '') {
    throw new UserInputError('--deviation needs a reason', {
      path: '--deviation',
      fix: 'say what changed and why, e.g. --deviation "one more replicate per cell: two runs were lost to a provider outage"',
    });
  }
  const lock = readLock(lockFile);
  const plannedName = (lock.content.study as { name?: unknown }).name;
  if (plannedName !== loaded.study.name) {
    throw new UserInputError(
      `is the preregistration of study "${String(plannedName)}", not of "${loaded.study.name}" (${loaded.file})`,
      {
        file: lockFile,
        fix: `pass the lock that \`backfire prereg ${loaded.file} --out <folder>\` wrote for this study`,
      },
    );
  }
  const previous = existingRecord(directory, lock, lockFile);
  const changes = diffPreregistration(lock.content, preregContent(loaded));
  const onRecord = previous?.deviations ?? [];
  const covered = (change: FieldChange) =>
    onRecord.some((deviation) =>
      deviation.changes.some((known) => known.field === change.field && known.observed === change.observed),
    );
  const uncovered = changes.filter((change) => !covered(change));
  if (uncovered.length > 0 && input.deviation === undefined) {
    throw new UserInputError(
      `${loaded.file} differs from its preregistration in ${uncovered.length} ${uncovered.length === 1 ? 'field' : 'fields'}: ${uncovered.map((change) => change.field).join(', ')}`,
      {
        file: lockFile,
        fix: 'run the study as preregistered, or state why it differs with --deviation "<reason>" (recorded in the manifest, results and report)',
      },
      uncovered.map(formatChange),
    );
  }
  const base: PreregistrationRecord = {
    lockHash: lock.hash,
    lockFile: previous?.lockFile ?? lockFile,
    lockedAt: lock.lockedAt,
    deviations: onRecord,
  };
  if (input.deviation === undefined) return { lock, record: base, changes, recorded: null };

  const reason = input.deviation.trim();
  const recordedChanges = uncovered;
  const duplicate = onRecord.find(
    (deviation) => deviation.reason === reason && canonicalJson(deviation.changes) === canonicalJson(recordedChanges),
  );
  if (duplicate !== undefined) return { lock, record: base, changes, recorded: null };
  const dataSeen = dataUnderLock(directory, lock.hash);
  const phase = dataSeen.length > 0 ? 'after-data' : 'before-data';
  const deviation: Deviation = {
    id: `D${onRecord.length + 1}`,
    recordedAt: (input.now ?? new Date()).toISOString(),
    reason,
    phase,
    dataSeen,
    changes: recordedChanges,
    exploratory: phase === 'after-data' ? demotedByChanges(recordedChanges, lockedStudy(lock), loaded.study) : [],
  };
  return { lock, record: { ...base, deviations: [...onRecord, deviation] }, changes, recorded: deviation };
}

/** The record a run folder already holds; a folder run under another lock is refused. */
function existingRecord(directory: string, lock: PreregLock, lockFile: string): PreregistrationRecord | undefined {
  if (!existsSync(join(directory, 'manifest.json'))) return undefined;
  const manifest = readManifest(directory);
  const record = manifest?.preregistration;
  if (record === undefined) return undefined;
  if (record.lockHash !== lock.hash) {
    throw new UserInputError(
      `was run under another preregistration (lock ${record.lockHash.slice(0, 12)}, from ${record.lockFile}), not under ${lockFile} (lock ${lock.hash.slice(0, 12)})`,
      { file: directory, fix: 'pass the lock this folder was run with, or use another --out folder' },
    );
  }
  return record;
}

/**
 * Where data of this preregistration exist: the target folder (any transcripts), and its sibling run
 * folders run under the same lock. Only what backfire can see: data elsewhere are the user's to declare.
 */
export function dataUnderLock(directory: string, lockHash: string): string[] {
  const seen: string[] = [];
  const target = resolve(directory);
  const describe = (folder: string): string | undefined => {
    const runs = runsWithTranscripts(folder);
    return runs > 0 ? `${folder} (${runs} ${runs === 1 ? 'run' : 'runs'} with transcripts)` : undefined;
  };
  const own = describe(directory);
  if (own !== undefined) seen.push(own);
  const parent = dirname(target);
  if (!existsSync(parent)) return seen;
  for (const entry of readdirSync(parent, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === basename(target)) continue;
    const folder = join(parent, entry.name);
    if (lockHashOf(folder) !== lockHash) continue;
    const description = describe(join(dirname(directory), entry.name));
    if (description !== undefined) seen.push(description);
  }
  return seen;
}

function lockHashOf(folder: string): string | undefined {
  const file = join(folder, 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { preregistration?: { lockHash?: unknown } };
    const hash = manifest.preregistration?.lockHash;
    return typeof hash === 'string' ? hash : undefined;
  } catch {
    return undefined;
  }
}

function runsWithTranscripts(folder: string): number {
  const file = join(folder, 'store.sqlite');
  if (!existsSync(file)) return 0;
  const store = RunStore.open(file, { create: false, readonly: true });
  try {
    return store.listRuns().filter((run) => run.turnsCompleted > 0).length;
  } catch {
    return 0;
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Analysis and results

/** Hypotheses every deviation on record moved to exploratory. */
export function exploratoryByDeviation(record: PreregistrationRecord | undefined): Map<string, string> {
  const demoted = new Map<string, string>();
  for (const deviation of record?.deviations ?? []) {
    for (const id of deviation.exploratory) if (!demoted.has(id)) demoted.set(id, deviation.id);
  }
  return demoted;
}

/** The study the analysis runs: hypotheses a deviation demoted become exploratory. */
export function applyDeviations(study: Study, record: PreregistrationRecord | undefined): Study {
  const demoted = exploratoryByDeviation(record);
  if (demoted.size === 0) return study;
  return {
    ...study,
    analysis: {
      ...study.analysis,
      hypotheses: study.analysis.hypotheses.map((hypothesis) =>
        demoted.has(hypothesis.id) ? { ...hypothesis, confirmatory: false } : hypothesis,
      ),
    },
  };
}

/** The planned test of a hypothesis, in words (the preregistration document and the report use it). */
export function describePlannedTest(hypothesis: Hypothesis, study: Study): string {
  const dose = study.design.dose.variable;
  const scope = (by: 'language' | 'none') => (by === 'language' ? 'in each language' : 'pooled over languages');
  const family = hypothesis.confirmatory
    ? study.analysis.correction === 'none'
      ? 'confirmatory, no multiplicity correction'
      : `confirmatory, ${study.analysis.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'} correction over the confirmatory family`
    : 'exploratory (unadjusted)';
  let test: string;
  switch (hypothesis.kind) {
    case 'contrast':
      test = `Hedges' g of ${hypothesis.metric} at ${dose} = ${hypothesis.high} vs ${hypothesis.low}, ${scope(hypothesis.by)}; two-sided ${hypothesis.test === 'welch' ? 'Welch' : 'Student'} t test`;
      break;
    case 'trend':
      test = `OLS slope of ${hypothesis.metric} on ${dose}, ${scope(hypothesis.by)}; two-sided t test of the slope`;
      break;
    case 'model':
      test = `${hypothesis.estimator === 'lmm' ? `linear mixed model (${hypothesis.reml ? 'REML' : 'ML'}, Satterthwaite df)` : hypothesis.estimator === 'ols' ? 'OLS' : `${hypothesis.estimator.toUpperCase()} (${hypothesis.family ?? 'binomial'}, Wald z${hypothesis.against === undefined ? '' : `, against ${hypothesis.against}, ${hypothesis.alternative}`})`} ${hypothesis.formula} over ${hypothesis.level === 'run' ? 'runs' : 'agents'}; tested ${hypothesis.terms === undefined ? 'every coefficient' : `terms ${hypothesis.terms.join(', ')}`}`;
      break;
    case 'covariate-correlation':
      test = `Pearson r between each language's Hedges' g of ${hypothesis.metric} (${dose} = ${hypothesis.high} vs ${hypothesis.low}) and ${hypothesis.covariate.toUpperCase()}; two-sided`;
      break;
    case 'direction-count':
      test = `languages whose Hedges' g of ${hypothesis.metric} (${dose} = ${hypothesis.high} vs ${hypothesis.low}) is positive, negative, significant (a count; no single test)`;
      break;
    case 'manipulation-check':
      test = `manipulation check: ${hypothesis.metric} of instructed minus other agents ${hypothesis.direction === 'greater' ? '> 0' : '< 0'} within mixed runs (LMM with a run effect, one-sided)`;
      break;
  }
  return `${test}; ${family}`;
}

/** Rows that are the hypothesis's tests (as the analysis corrects them). */
function testRows(result: HypothesisResult): HypothesisResult['rows'] {
  if (result.kind === 'covariate-correlation') return result.rows.slice(0, 1);
  if (result.kind === 'direction-count') return [];
  return result.rows;
}

function alphaText(alpha: number): string {
  return String(alpha).replace(/^0\./, '.');
}

/**
 * Preregistered vs observed, for results.json: each planned (or added) hypothesis with its planned
 * test, how it was analysed, and whether its test rejected at alpha (the adjusted p where the plan
 * adjusts). "Confirmed" means every preregistered test of the hypothesis rejected its null; the
 * study format has no directional prediction, so the sign is read from the result itself.
 */
export function preregistrationResults(
  record: PreregistrationRecord,
  lock: PreregLock,
  study: Study,
  hypotheses: readonly HypothesisResult[],
): PreregistrationResults {
  const planned = lockedStudy(lock);
  const alpha = Number((1 - study.analysis.ciLevel).toPrecision(6));
  const demoted = exploratoryByDeviation(record);
  const plannedById = new Map(planned.analysis.hypotheses.map((hypothesis) => [hypothesis.id, hypothesis]));
  const currentById = new Map(study.analysis.hypotheses.map((hypothesis) => [hypothesis.id, hypothesis]));
  const resultById = new Map(hypotheses.map((result) => [result.id, result]));
  const ids = [
    ...planned.analysis.hypotheses.map((hypothesis) => hypothesis.id),
    ...study.analysis.hypotheses.map((hypothesis) => hypothesis.id).filter((id) => !plannedById.has(id)),
  ];
  const deviationOf = (id: string) =>
    record.deviations.find((deviation) =>
      deviation.changes.some((change) => change.field.startsWith(`study.analysis.hypotheses[${id}]`)),
    );
  const rows = ids.map((id): PlannedVersusObserved => {
    const plannedHypothesis = plannedById.get(id);
    const current = currentById.get(id);
    const result = resultById.get(id);
    const status: PlannedVersusObserved['status'] =
      plannedHypothesis === undefined
        ? 'added'
        : current === undefined
          ? 'removed'
          : canonicalJson(plannedHypothesis) === canonicalJson(current)
            ? 'as-planned'
            : 'changed';
    const common = {
      id,
      plannedTest: plannedHypothesis === undefined ? null : describePlannedTest(plannedHypothesis, planned),
      plannedConfirmatory: plannedHypothesis?.confirmatory ?? null,
      status,
    };
    if (result === undefined) {
      const deviation = deviationOf(id);
      return {
        ...common,
        analysedAs: 'not-analysed',
        tests: 0,
        significant: 0,
        verdict: 'not-analysed',
        note: `dropped from the analysis${deviation === undefined ? '' : ` (${deviation.id})`}`,
      };
    }
    const notes: string[] = [];
    const demotedBy = demoted.get(id);
    if (demotedBy !== undefined) notes.push(`moved to exploratory by ${demotedBy} (a change after data existed)`);
    else if (status !== 'as-planned') {
      const deviation = deviationOf(id);
      notes.push(
        `${status === 'added' ? 'added' : 'changed'} ${deviation === undefined ? 'after the lock' : `by ${deviation.id} (${deviation.phase === 'after-data' ? 'after' : 'before'} data)`}`,
      );
    }
    const tests = testRows(result);
    if (result.kind === 'direction-count') {
      notes.push('a count of languages, reported without a single test');
      return {
        ...common,
        analysedAs: analysedAs(result),
        tests: 0,
        significant: 0,
        verdict: 'descriptive',
        note: notes.join('; '),
      };
    }
    if (!result.confirmatory) {
      const significant = tests.filter((row) => typeof row.p === 'number' && row.p < alpha).length;
      notes.push(`${significant} of ${tests.length} unadjusted p < ${alphaText(alpha)}; no confirmatory claim`);
      return {
        ...common,
        analysedAs: 'exploratory',
        tests: tests.length,
        significant,
        verdict: 'exploratory',
        note: notes.join('; '),
      };
    }
    const decision = (row: HypothesisResult['rows'][number]) =>
      typeof row.pAdjusted === 'number' ? row.pAdjusted : typeof row.p === 'number' ? row.p : null;
    const estimable = tests.filter((row) => decision(row) !== null);
    const significant = estimable.filter((row) => decision(row)! < alpha).length;
    const verdict: PlannedVersusObserved['verdict'] =
      estimable.length === 0
        ? 'not-estimable'
        : significant === tests.length
          ? 'confirmed'
          : significant === 0
            ? 'not-confirmed'
            : 'partly-confirmed';
    const adjusted = study.analysis.correction === 'none' ? 'p' : 'adjusted p';
    notes.push(
      `${significant} of ${tests.length} ${tests.length === 1 ? 'test' : 'tests'} with ${adjusted} < ${alphaText(alpha)}`,
    );
    if (estimable.length < tests.length) notes.push(`${tests.length - estimable.length} not estimable`);
    return { ...common, analysedAs: 'confirmatory', tests: tests.length, significant, verdict, note: notes.join('; ') };
  });
  return {
    lockHash: record.lockHash,
    lockedAt: record.lockedAt,
    alpha,
    hypotheses: rows,
    deviations: record.deviations,
  };
}

function analysedAs(result: HypothesisResult): PlannedVersusObserved['analysedAs'] {
  return result.confirmatory ? 'confirmatory' : 'exploratory';
}
