import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { create as createTar, extract as extractTar } from 'tar';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundledRun,
  type BundleManifest,
  BundleManifestSchema,
  type BundleMember,
  type Manifest,
  UserInputError,
  userInputErrorFromZod,
} from '../contracts/index.js';
import {
  FEATURE_TABLES,
  type FeatureTable,
  ImportLineError,
  importStore,
  RunStore,
  StoreReader,
} from '../store/index.js';
import { gitState, readManifest, toolVersion } from './manifest.js';
import { PACK_FILES, PACK_SNAPSHOT_DIRECTORY, STORE_FILE } from './pipeline.js';
import { LOCK_FILE, PREREGISTRATION_DOCUMENT, RUN_PREREG_DIRECTORY } from './preregistration.js';
import { assertRunFolderSound } from './run-folder-health.js';

/**
 * Replication bundles (`backfire bundle`): one .tar.gz holding everything a third party needs to
 * re-derive every number of a run folder without a model call: the study, the preregistration lock
 * and deviations, the exact pack files the simulation and the scoring used, the manifest, every
 * transcript event and call record (JSON Lines, responses included), the features, results.json,
 * the reports, the software versions and a README. `bundle.json` lists every other file with its
 * size and SHA-256, so a changed, missing or added file is found before anything is read; the
 * SHA-256 of bundle.json itself identifies the bundle (publish it beside the archive).
 *
 * Layout inside the archive (one top folder, `<study>-<first 8 hex of the study hash>/`):
 *   bundle.json, README.md, study.json, manifest.json, results.json, report.html, report.md,
 *   software.json, deviations.json, preregistration/{prereg.lock.json, preregistration.md},
 *   packs/<tag>/{pack.json, validation.json}             the packs the features were scored with
 *   packs-simulation/<tag>/...                           only where the simulation used other files
 *   data/{runs,events,calls}.jsonl                       the transcript (what the store is rebuilt from)
 *   data/features/{actions,agents,runs,turns,phases}.jsonl
 */

export const BUNDLE_DATA_DIRECTORY = 'data';
export const BUNDLE_PACKS_DIRECTORY = 'packs';
export const BUNDLE_SIMULATION_PACKS_DIRECTORY = 'packs-simulation';
const BUNDLE_MANIFEST = 'bundle.json';

export interface CreateBundleOptions {
  /** The run folder. */
  directory: string;
  /** The .tar.gz to write (refused when it exists). */
  out: string;
  /** Environment whose credential values must appear nowhere in the bundle (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface BundleSummary {
  file: string;
  bytes: number;
  /** SHA-256 of bundle.json: the bundle's identity. */
  bundleSha256: string;
  manifest: BundleManifest;
}

export async function createBundle(options: CreateBundleOptions): Promise<BundleSummary> {
  const { directory, out } = options;
  const manifest = readRunFolderManifest(directory);
  for (const file of [STORE_FILE, 'results.json']) {
    if (!existsSync(join(directory, file))) {
      throw new UserInputError(`has no ${file}: a bundle carries a finished, analysed run`, {
        file: directory,
        fix: `run \`backfire run\` (or \`backfire analyze ${directory}\`) on it first`,
      });
    }
  }
  // An emptied or corrupt store would make a bundle that reproduces nothing: named, never bundled.
  assertRunFolderSound(directory, manifest);
  if (manifest.status === 'running') {
    // A simulation in progress (or killed and not yet resumed): its transcript and results.json disagree.
    throw new UserInputError('holds a run that has not finished (manifest status "running")', {
      file: directory,
      fix: 'let the run finish, or run the same `backfire run` command again to resume it, then bundle',
    });
  }
  if (existsSync(out)) {
    throw new UserInputError('already exists; a bundle is never written over', {
      file: out,
      path: '--out',
      fix: 'choose another --out file, or delete this one first',
    });
  }
  const study = manifest.study as { name: string; title: string; languages: string[] };
  const packSources = packSourcesOf(directory, study.languages);
  const top = `${study.name}-${manifest.studyHash.slice(0, 8)}`;
  const staging = mkdtempSync(join(tmpdir(), 'backfire-bundle-'));
  const root = join(staging, top);
  const secrets = secretValues(options.env ?? process.env);
  try {
    mkdirSync(root);
    const copy = (from: string, to: string) => {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      copyFileSync(from, join(root, to));
    };
    copy(join(directory, 'manifest.json'), 'manifest.json');
    copy(join(directory, 'results.json'), 'results.json');
    for (const report of ['report.html', 'report.md']) {
      if (existsSync(join(directory, report))) copy(join(directory, report), report);
    }
    writeFileSync(join(root, 'study.json'), `${JSON.stringify(manifest.study, null, 2)}\n`);
    const deviations = manifest.preregistration?.deviations ?? [];
    writeFileSync(join(root, 'deviations.json'), `${JSON.stringify(deviations, null, 2)}\n`);
    for (const file of [LOCK_FILE, PREREGISTRATION_DOCUMENT]) {
      const from = join(directory, RUN_PREREG_DIRECTORY, file);
      if (existsSync(from)) copy(from, `${RUN_PREREG_DIRECTORY}/${file}`);
    }
    for (const tag of study.languages) {
      for (const file of PACK_FILES) {
        const scored = join(packSources.scored, tag, file);
        if (existsSync(scored)) copy(scored, `${BUNDLE_PACKS_DIRECTORY}/${tag}/${file}`);
      }
      if (packSources.simulationDiffers.includes(tag)) {
        for (const file of PACK_FILES) {
          const simulated = join(packSources.simulated!, tag, file);
          if (existsSync(simulated)) copy(simulated, `${BUNDLE_SIMULATION_PACKS_DIRECTORY}/${tag}/${file}`);
        }
      }
    }
    const counts = writeStoreData(join(directory, STORE_FILE), join(root, BUNDLE_DATA_DIRECTORY));
    const createdWith = {
      tool: 'backfire',
      version: toolVersion(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      git: gitState(),
    };
    writeFileSync(
      join(root, 'software.json'),
      `${JSON.stringify(
        {
          run: { tool: manifest.tool, git: manifest.git, node: manifest.node, packages: manifest.packages },
          bundle: createdWith,
        },
        null,
        2,
      )}\n`,
    );
    const results = JSON.parse(readFileSync(join(root, 'results.json'), 'utf8')) as { label?: string };
    writeFileSync(join(root, 'README.md'), bundleReadme(manifest, top, results.label ?? '', basename(out)));

    const members = await hashMembers(root, secrets);
    const bundleManifest: BundleManifest = BundleManifestSchema.parse({
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      createdWith,
      study: { name: study.name, title: study.title, hash: manifest.studyHash },
      preregistration:
        manifest.preregistration === undefined
          ? null
          : { lockHash: manifest.preregistration.lockHash, deviations: deviations.length },
      counts,
      resultsSha256: members.find((member) => member.path === 'results.json')!.sha256,
      simulationPacksDiffer: packSources.simulationDiffers,
      members,
    });
    const bundleJson = `${JSON.stringify(bundleManifest, null, 2)}\n`;
    writeFileSync(join(root, BUNDLE_MANIFEST), bundleJson);

    mkdirSync(dirname(resolve(out)), { recursive: true });
    const temporary = `${out}.tmp-${process.pid}`;
    try {
      await createTar({ gzip: { level: 9 }, file: temporary, cwd: staging, portable: true }, [top]);
      renameSync(temporary, out);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return {
      file: out,
      bytes: statSync(out).size,
      bundleSha256: sha256(bundleJson),
      manifest: bundleManifest,
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function readRunFolderManifest(directory: string): Manifest {
  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(directory);
  } catch (error) {
    throw new UserInputError(`has a manifest.json that cannot be read (${(error as Error).message.split('\n')[0]})`, {
      file: directory,
      fix: 'restore the run folder from its source; a manifest is written by backfire only',
    });
  }
  if (manifest === undefined) {
    throw new UserInputError('is not a run folder (no manifest.json)', {
      file: directory,
      fix: 'pass a folder made by `backfire run`, e.g. runs/study1-1a2b3c4d',
    });
  }
  return manifest;
}

/** Where the run folder keeps the packs it scored (and simulated) with, and which languages differ. */
function packSourcesOf(
  directory: string,
  languages: readonly string[],
): { scored: string; simulated: string | undefined; simulationDiffers: string[] } {
  const has = (stage: string) =>
    languages.every((tag) => existsSync(join(directory, PACK_SNAPSHOT_DIRECTORY, stage, tag, 'pack.json')));
  const scored = has('scored') ? join(directory, PACK_SNAPSHOT_DIRECTORY, 'scored') : undefined;
  const simulated = has('simulated') ? join(directory, PACK_SNAPSHOT_DIRECTORY, 'simulated') : undefined;
  if (scored === undefined) {
    throw new UserInputError('keeps no copy of the language packs it was scored with (made by an older backfire)', {
      file: directory,
      fix: `run \`backfire score ${directory}\` and \`backfire analyze ${directory}\` once (the run folder then keeps the packs), and bundle again`,
    });
  }
  const simulationDiffers =
    simulated === undefined
      ? []
      : languages.filter((tag) =>
          PACK_FILES.some((file) => fileDigest(join(simulated, tag, file)) !== fileDigest(join(scored, tag, file))),
        );
  return { scored, simulated, simulationDiffers };
}

function fileDigest(file: string): string | null {
  return existsSync(file) ? sha256(readFileSync(file)) : null;
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The store's transcript and features as JSON Lines; returns the counts bundle.json records. */
function writeStoreData(storeFile: string, target: string): BundleManifest['counts'] {
  mkdirSync(join(target, 'features'), { recursive: true });
  const reader = StoreReader.open(storeFile);
  try {
    const runs = reader.listRuns();
    writeLines(
      join(target, 'runs.jsonl'),
      runs.map((run) => {
        const bundled: BundledRun = {
          runId: run.runId,
          cellId: run.cellId,
          language: run.language,
          model: run.model,
          dose: run.dose,
          replicate: run.replicate,
          seed: run.seed,
          order: run.order,
          status: run.status,
          turnsCompleted: run.turnsCompleted,
        };
        return JSON.stringify(bundled);
      }),
    );
    const events = writeLines(
      join(target, 'events.jsonl'),
      (function* () {
        for (const row of reader.iterateEventBodies()) yield row.body;
      })(),
    );
    const calls = writeLines(
      join(target, 'calls.jsonl'),
      (function* () {
        for (const call of reader.iterateCalls()) yield JSON.stringify(call);
      })(),
    );
    for (const kind of Object.keys(FEATURE_TABLES) as FeatureTable[]) {
      writeLines(
        join(target, 'features', `${kind}.jsonl`),
        (function* () {
          for (const row of reader.iterateFeatureBodies(kind)) yield row.body;
        })(),
      );
    }
    return { runs: runs.length, events, calls };
  } finally {
    reader.close();
  }
}

/** Writes one line per item in ~1 MB chunks; returns the line count. */
function writeLines(file: string, lines: Iterable<string>): number {
  const descriptor = openSync(file, 'w');
  let pending: string[] = [];
  let pendingLength = 0;
  let count = 0;
  try {
    for (const line of lines) {
      pending.push(line, '\n');
      pendingLength += line.length + 1;
      count += 1;
      if (pendingLength >= 1 << 20) {
        writeSync(descriptor, pending.join(''));
        pending = [];
        pendingLength = 0;
      }
    }
    if (pending.length > 0) writeSync(descriptor, pending.join(''));
  } finally {
    closeSync(descriptor);
  }
  return count;
}

/**
 * Values of credential-like environment variables (API keys, tokens, passwords): the recorder already
 * redacts what it stores, and a bundle is refused outright if one of these values appears anyway.
 */
function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /(KEY|TOKEN|SECRET|PASSWORD)$/i.test(name) && value !== undefined && value.length >= 8)
    .map(([, value]) => value!);
}

/** Every file under `root` (bundle.json excepted) with its size and SHA-256; refuses a known secret. */
async function hashMembers(root: string, secrets: readonly string[]): Promise<BundleMember[]> {
  const members: BundleMember[] = [];
  const needles = secrets.map((secret) => Buffer.from(secret, 'utf8'));
  const overlap = Math.max(0, ...needles.map((needle) => needle.length - 1));
  for (const path of listFiles(root)) {
    const hash = createHash('sha256');
    let bytes = 0;
    let tail = Buffer.alloc(0);
    for await (const chunk of createReadStream(join(root, path))) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
      if (needles.length > 0) {
        const window = Buffer.concat([tail, buffer]);
        if (needles.some((needle) => window.includes(needle))) {
          throw new UserInputError(`holds the value of a credential from the environment in ${path}`, {
            file: root,
            fix: 'nothing was written; remove the credential from the run folder (or unset the variable if it is not a secret) and bundle again',
          });
        }
        tail = window.subarray(Math.max(0, window.length - overlap));
      }
    }
    members.push({ path, bytes, sha256: hash.digest('hex') });
  }
  return members;
}

/** Files under `root`, `/`-separated and sorted, bundle.json excepted. */
function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return files.filter((file) => file !== BUNDLE_MANIFEST).sort();
}

function bundleReadme(manifest: Manifest, top: string, label: string, archive: string): string {
  const study = manifest.study as { name: string; title: string };
  const prereg = manifest.preregistration;
  return `# Replication bundle: ${study.title}

Study \`${study.name}\`, study hash \`${manifest.studyHash}\`, made with backfire ${manifest.tool.version}${
    manifest.git === null
      ? ''
      : ` (git ${manifest.git.commit}${manifest.git.dirty ? ', with uncommitted changes' : ''})`
  } on Node ${manifest.node}.

> ${label}

${
  prereg === undefined
    ? 'The run was not preregistered with `backfire prereg`.'
    : `Preregistered: lock \`${prereg.lockHash}\` (\`preregistration/\`), ${prereg.deviations.length} deviation(s) on record (\`deviations.json\`).`
}

## Reproduce every number (no model call)

\`\`\`
npm install backfire@${manifest.tool.version}     # or a clone at the git commit above, then npm ci
npx backfire reproduce ${archive} --out reproduced
\`\`\`

\`reproduce\` checks every file against \`bundle.json\` (size and SHA-256), rebuilds the store from
\`data/\`, re-scores the transcripts with the packs in \`packs/\`, re-runs the analysis plan and
compares the new \`results.json\` with this one byte for byte, then prints its verdict. It makes no
model call. \`--rescore-with <pack-folder>\` re-scores with other lexicons and says what changed.

## Re-execute the simulations offline

\`\`\`
npx backfire run ${top}/study.json --replay ${archive}
\`\`\`

Every model call is answered from the recorded calls in \`data/calls.jsonl\` (no network, no key);
the built-in surrogate model, when the study uses it, simply runs again.

## Contents

| path | what |
|---|---|
| \`bundle.json\` | format version, counts, and the size and SHA-256 of every other file |
| \`study.json\` | the resolved study (every default written out) |
| \`manifest.json\` | the run manifest: versions, git state, packs, models, seeds, sessions |
| \`preregistration/\`, \`deviations.json\` | the lock the run was checked against and every deviation from it |
| \`packs/<tag>/\` | the language packs (lexicons, validation items) the features were scored with |
| \`packs-simulation/<tag>/\` | only where the simulation used other pack files than the scoring |
| \`data/runs.jsonl\`, \`data/events.jsonl\`, \`data/calls.jsonl\` | every run, transcript event and model call record (responses included; never a credential) |
| \`data/features/*.jsonl\` | the scored features per action, agent, run, turn and phase |
| \`results.json\`, \`report.html\`, \`report.md\` | the results and reports |
| \`software.json\` | the software that made the run and the bundle |
`;
}

// ---------------------------------------------------------------------------------------------
// Reading a bundle

export interface OpenedBundle {
  /** The extracted top folder (a temporary copy, removed by close()). */
  root: string;
  manifest: BundleManifest;
  /** SHA-256 of bundle.json: the bundle's identity. */
  bundleSha256: string;
  close(): void;
}

/**
 * Extracts a bundle to a temporary folder and checks it against its bundle.json before anything is
 * read: the format version first (a newer bundle gets its own message), then every member's size
 * and SHA-256, files missing and files not listed. Every refusal is a UserInputError (exit 2).
 */
export async function openBundle(file: string): Promise<OpenedBundle> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UserInputError(existsSync(file) ? 'is a folder, not a bundle file' : 'file not found', {
      file,
      fix: 'pass a .tar.gz made by `backfire bundle <run-folder> --out <file.tar.gz>`',
    });
  }
  const extracted = mkdtempSync(join(tmpdir(), 'backfire-unbundle-'));
  const close = () => rmSync(extracted, { recursive: true, force: true });
  const links: string[] = [];
  try {
    try {
      // Regular files and folders only: a link in an archive could make a later read leave the folder.
      await extractTar({
        file,
        cwd: extracted,
        strict: true,
        filter: (path, entry) => {
          const regular = !('type' in entry) || entry.type === 'File' || entry.type === 'Directory';
          if (!regular) links.push(path);
          return regular;
        },
      });
    } catch (error) {
      throw new UserInputError(`is not a readable .tar.gz archive (${(error as Error).message})`, {
        file,
        fix: 'pass a .tar.gz made by `backfire bundle`; a partial download is refused too',
      });
    }
    if (links.length > 0) {
      throw new UserInputError(`is not intact: ${links[0]} is a link; a bundle holds regular files only`, {
        file,
        path: links[0],
        fix: TAMPERED_FIX,
      });
    }
    const tops = readdirSync(extracted);
    const top = tops.length === 1 ? join(extracted, tops[0]!) : undefined;
    if (top === undefined || !existsSync(join(top, BUNDLE_MANIFEST))) {
      throw new UserInputError(`is not a backfire bundle (no ${BUNDLE_MANIFEST} in its top folder)`, {
        file,
        fix: 'pass a .tar.gz made by `backfire bundle <run-folder> --out <file.tar.gz>`',
      });
    }
    const bundleJson = readFileSync(join(top, BUNDLE_MANIFEST));
    const manifest = parseBundleManifest(bundleJson, file);
    await verifyMembers(top, manifest, file);
    return { root: top, manifest, bundleSha256: sha256(bundleJson), close };
  } catch (error) {
    close();
    throw error;
  }
}

function parseBundleManifest(content: Buffer, file: string): BundleManifest {
  const where = `${file}:${BUNDLE_MANIFEST}`;
  let raw: unknown;
  try {
    raw = JSON.parse(content.toString('utf8'));
  } catch {
    throw new UserInputError('is not valid JSON', {
      file: where,
      fix: 'the bundle was damaged: get an intact copy from where it was published',
    });
  }
  const header = (raw ?? {}) as { format?: unknown; formatVersion?: unknown };
  if (header.format !== BUNDLE_FORMAT) {
    throw new UserInputError(`is not a backfire bundle manifest (format ${JSON.stringify(header.format)})`, {
      file: where,
      path: 'format',
      fix: 'pass a .tar.gz made by `backfire bundle`',
    });
  }
  if (typeof header.formatVersion === 'number' && header.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new UserInputError(
      `was made by a newer backfire (bundle format ${header.formatVersion}; this backfire ${toolVersion()} reads format ${BUNDLE_FORMAT_VERSION})`,
      {
        file: where,
        path: 'formatVersion',
        fix: 'upgrade backfire (npm install backfire@latest) and run the command again; nothing was written',
      },
    );
  }
  const parsed = BundleManifestSchema.safeParse(raw);
  if (!parsed.success) throw userInputErrorFromZod(parsed.error, where, 'the bundle was damaged or edited');
  return parsed.data;
}

const TAMPERED_FIX =
  'the bundle changed after it was made: nothing was written; get an intact copy from where it was published (compare the SHA-256 of its bundle.json)';

async function verifyMembers(top: string, manifest: BundleManifest, file: string): Promise<void> {
  const problems: { path: string; message: string }[] = [];
  const listed = new Set(manifest.members.map((member) => member.path));
  for (const member of manifest.members) {
    const path = join(top, ...member.path.split('/'));
    if (!existsSync(path)) {
      problems.push({ path: member.path, message: 'is listed in bundle.json but missing from the archive' });
      continue;
    }
    // Streamed: Study 2's transcript is hundreds of megabytes unpacked.
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    const digest = hash.digest('hex');
    if (bytes !== member.bytes || digest !== member.sha256) {
      problems.push({
        path: member.path,
        message: `has been changed (its SHA-256 is ${digest.slice(0, 16)}..., bundle.json says ${member.sha256.slice(0, 16)}...)`,
      });
    }
  }
  for (const path of listFiles(top)) {
    if (!listed.has(path)) problems.push({ path, message: 'is in the archive but not listed in bundle.json' });
  }
  const results = manifest.members.find((member) => member.path === 'results.json');
  if (results === undefined || results.sha256 !== manifest.resultsSha256) {
    problems.push({ path: 'results.json', message: 'does not match resultsSha256 of bundle.json' });
  }
  const [first, ...rest] = problems;
  if (first !== undefined) {
    throw new UserInputError(
      `is not intact: ${first.path} ${first.message}`,
      { file, path: first.path, fix: TAMPERED_FIX },
      rest.map((problem) => `${problem.path} ${problem.message}`),
    );
  }
}

/**
 * The lines of a bundled JSON Lines file, read as a stream. The reader is created only when the
 * iteration starts: a readline interface emits lines from the moment it exists, and lines emitted
 * before anyone iterates are lost.
 */
export async function* bundledLines(root: string, path: string): AsyncGenerator<string> {
  const lines = createInterface({
    input: createReadStream(join(root, ...path.split('/'))),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  yield* lines;
}

/** Rebuilds a store from an opened bundle's transcript (runs, events, calls). */
export async function rebuildStore(
  bundle: OpenedBundle,
  bundleFile: string,
  storeFile: string,
): Promise<BundleManifest['counts']> {
  let counts: BundleManifest['counts'];
  try {
    counts = await importStore(storeFile, {
      runs: bundledLines(bundle.root, `${BUNDLE_DATA_DIRECTORY}/runs.jsonl`),
      events: bundledLines(bundle.root, `${BUNDLE_DATA_DIRECTORY}/events.jsonl`),
      calls: bundledLines(bundle.root, `${BUNDLE_DATA_DIRECTORY}/calls.jsonl`),
    });
  } catch (error) {
    if (error instanceof ImportLineError) {
      throw new UserInputError(error.message, {
        file: `${bundleFile}:${BUNDLE_DATA_DIRECTORY}/${error.part}.jsonl`,
        path: `line ${error.line}`,
        fix: 'the bundle was made wrongly or edited together with its bundle.json: get an intact copy',
      });
    }
    throw error;
  }
  const expected = bundle.manifest.counts;
  if (counts.runs !== expected.runs || counts.events !== expected.events || counts.calls !== expected.calls) {
    throw new UserInputError(
      `holds ${counts.runs} runs, ${counts.events} events and ${counts.calls} calls, but its bundle.json says ${expected.runs}, ${expected.events} and ${expected.calls}`,
      {
        file: bundleFile,
        path: 'bundle.json counts',
        fix: 'the bundle was made wrongly or edited: get an intact copy',
      },
    );
  }
  return counts;
}

/** Whether a `--replay` source names a bundle file (a run folder is a directory). */
export function isBundleFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * The recorded calls `run --replay <bundle>` answers from: the bundle is checked, its store rebuilt
 * in a temporary folder and opened read-only; close() removes both.
 */
export async function openBundleReplaySource(file: string): Promise<{ store: RunStore; close(): void }> {
  const bundle = await openBundle(file);
  const folder = mkdtempSync(join(tmpdir(), 'backfire-replay-'));
  try {
    const storeFile = join(folder, STORE_FILE);
    await rebuildStore(bundle, file, storeFile);
    const store = RunStore.open(storeFile, { create: false, readonly: true });
    return {
      store,
      close: () => {
        store.close();
        rmSync(folder, { recursive: true, force: true });
        bundle.close();
      },
    };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    bundle.close();
    throw error;
  }
}
