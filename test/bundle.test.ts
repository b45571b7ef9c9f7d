import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { create as createTar, extract as extractTar } from 'tar';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BundleManifest, UserInputError } from '../src/contracts/index.js';
import { createBundle, reproduceBundle } from '../src/runner/index.js';
import { useMockServers } from '../src/models/mock-server/servers.test-support.js';
import { REPO_ROOT, runCli, runCliAsync, temporaryDirectory } from './support/cli.js';
import { runInProcess } from './support/in-process-cli.js';

/**
 * Issue "Publishable", bundles: prereg -> run -> bundle -> reproduce ends with identical numbers and
 * zero model calls (Study 1 in full, and a study on the loopback mock server, where requests are
 * counted; `run --replay <bundle>` makes none either); a tampered bundle, a missing file, a wrong
 * hash and a newer format are each refused with one message, exit 2 and nothing written;
 * `--rescore-with` re-scores with other lexicons and says what changed.
 */

const SMALL_STUDY = `backfire: 1
name: bundle-check
title: Bundle check
seed: 13
languages: [en, ja]
agents: 4
turns: 3
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 2
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0 }
`;

const SECRET = 'sk-bundle-SECRET-98765';

function mockStudy(ref: string): string {
  return SMALL_STUDY.replace('name: bundle-check', 'name: bundle-mock').replace(
    'replicates: 2',
    `replicates: 2\nmodels: ["${ref}"]\nsampling: { temperature: 0.9, maxTokens: 64 }`,
  );
}

function eventsDigest(storeFile: string): string {
  const database = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    return (
      database
        .prepare("SELECT group_concat(body, '') AS digest FROM (SELECT body FROM events ORDER BY run_id, seq)")
        .get() as { digest: string }
    ).digest;
  } finally {
    database.close();
  }
}

/** Unpacks a bundle, lets `change` edit its top folder, and packs it again as another file. */
async function tampered(bundle: string, name: string, change: (top: string) => void): Promise<string> {
  const folder = temporaryDirectory(`tamper-${name}`);
  await extractTar({ file: bundle, cwd: folder });
  const [top] = readdirSync(folder);
  change(join(folder, top!));
  const file = join(folder, `${name}.tar.gz`);
  await createTar({ gzip: true, file, cwd: folder, portable: true }, [top!]);
  return file;
}

function editJson<T>(file: string, edit: (value: T) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as T;
  edit(value);
  writeFileSync(file, JSON.stringify(value, null, 2));
}

describe('prereg -> run -> bundle -> reproduce', () => {
  it('reproduces Study 1 (150 runs) byte for byte with zero model calls', async () => {
    const directory = temporaryDirectory('bundle-study1');
    // prereg and bundle run in this process (the same command table); run and reproduce as processes.
    const prereg = await runInProcess([
      'prereg',
      join(REPO_ROOT, 'studies', 'study1.yaml'),
      '--out',
      join(directory, 'prereg'),
    ]);
    expect(prereg.status, prereg.stderr).toBe(0);
    const run = join(directory, 'run');
    const ran = runCli([
      'run',
      'studies/study1.yaml',
      '--prereg',
      join(directory, 'prereg', 'prereg.lock.json'),
      '--out',
      run,
      '--quiet',
    ]);
    expect(ran.status, ran.stderr).toBe(0);
    const bundle = join(directory, 'study1.tar.gz');
    const bundled = await runInProcess(['bundle', run, '--out', bundle]);
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.stderr).toContain('150 runs');

    // The archive holds what the issue lists, each file under its hash.
    const unpacked = temporaryDirectory('bundle-study1-unpacked');
    await extractTar({ file: bundle, cwd: unpacked });
    const top = join(unpacked, readdirSync(unpacked)[0]!);
    const manifest = JSON.parse(readFileSync(join(top, 'bundle.json'), 'utf8')) as BundleManifest;
    const paths = manifest.members.map((member) => member.path);
    for (const path of [
      'README.md',
      'study.json',
      'manifest.json',
      'deviations.json',
      'preregistration/prereg.lock.json',
      'preregistration/preregistration.md',
      'packs/en/pack.json',
      'packs/ja/pack.json',
      'data/runs.jsonl',
      'data/events.jsonl',
      'data/calls.jsonl',
      'data/features/actions.jsonl',
      'results.json',
      'report.html',
      'report.md',
      'software.json',
    ]) {
      expect(paths).toContain(path);
    }
    expect(manifest.counts).toEqual({ runs: 150, events: manifest.counts.events, calls: 22_500 });
    expect(manifest.preregistration?.deviations).toBe(0);
    expect(readFileSync(join(top, 'README.md'), 'utf8')).toContain('backfire reproduce');

    const out = join(directory, 'reproduced');
    const reproduced = runCli(['reproduce', bundle, '--out', out]);
    expect(reproduced.status, reproduced.stdout + reproduced.stderr).toBe(0);
    expect(reproduced.stdout).toContain('0 model calls');
    expect(reproduced.stdout).toContain('verdict: REPRODUCED');
    expect(readFileSync(join(out, 'results.json'))).toEqual(readFileSync(join(run, 'results.json')));
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Preregistered vs observed');
  }, 180_000);

  describe('a study on the loopback mock server', () => {
    const start = useMockServers();

    it('counts zero requests on reproduce and on run --replay <bundle>, and bundles no key', async () => {
      const server = await start({ seed: 3, apiKey: SECRET });
      const ref = `openai-compatible:${server.url}#any`;
      const directory = temporaryDirectory('bundle-mock');
      const file = join(directory, 'study.yaml');
      writeFileSync(file, mockStudy(ref));
      const run = join(directory, 'run');
      const env = { OPENAI_COMPATIBLE_API_KEY: SECRET };
      const ran = await runCliAsync(['run', file, '--out', run, '--quiet'], { env });
      expect(ran.status, ran.stderr).toBe(0);
      const served = server.stats().requests;
      expect(served).toBeGreaterThan(0);

      const bundle = join(directory, 'mock.tar.gz');
      const bundled = await runCliAsync(['bundle', run, '--out', bundle, '--quiet'], { env });
      expect(bundled.status, bundled.stderr).toBe(0);
      const unpacked = temporaryDirectory('bundle-mock-unpacked');
      await extractTar({ file: bundle, cwd: unpacked });
      const top = join(unpacked, readdirSync(unpacked)[0]!);
      const calls = readFileSync(join(top, 'data', 'calls.jsonl'), 'utf8');
      expect(calls.split('\n').filter(Boolean).length).toBe(2 * 2 * 2 * 3 * 4);
      expect(calls).toContain('"text":');
      for (const member of ['data/calls.jsonl', 'data/events.jsonl', 'manifest.json', 'report.html']) {
        expect(readFileSync(join(top, member), 'utf8')).not.toContain(SECRET);
      }

      const reproduced = await runCliAsync(['reproduce', bundle, '--out', join(directory, 'reproduced')], {
        env: { OPENAI_COMPATIBLE_API_KEY: '' },
      });
      expect(reproduced.status, reproduced.stdout + reproduced.stderr).toBe(0);
      expect(reproduced.stdout).toContain('verdict: REPRODUCED');
      expect(server.stats().requests).toBe(served);

      const replayed = join(directory, 'replayed');
      const again = await runCliAsync(['run', file, '--replay', bundle, '--out', replayed, '--quiet'], {
        env: { OPENAI_COMPATIBLE_API_KEY: '' },
      });
      // The mock server answers in English, so the summary warns about the Japanese cells; nothing else.
      expect(again.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).toEqual([]);
      expect(again.status).toBe(0);
      expect(server.stats().requests).toBe(served);
      expect(eventsDigest(join(replayed, 'store.sqlite'))).toBe(eventsDigest(join(run, 'store.sqlite')));
      expect(readFileSync(join(replayed, 'results.json'))).toEqual(readFileSync(join(run, 'results.json')));
    }, 120_000);
  });
});

describe('bad bundles and re-scoring', () => {
  let directory = '';
  let bundle = '';

  // After the `run` (a process of its own, as a user runs it), commands run in this process to keep
  // the test fast: the same command table and error boundary as the CLI.
  beforeAll(async () => {
    directory = temporaryDirectory('bundle-small');
    writeFileSync(join(directory, 'study.yaml'), SMALL_STUDY);
    const run = join(directory, 'run');
    const ran = runCli(['run', join(directory, 'study.yaml'), '--out', run, '--quiet']);
    expect(ran.status, ran.stderr).toBe(0);
    bundle = join(directory, 'small.tar.gz');
    const bundled = await runInProcess(['bundle', run, '--out', bundle, '--quiet']);
    expect(bundled.status, bundled.stderr).toBe(0);
    // A bundle is never written over.
    const again = await runInProcess(['bundle', run, '--out', bundle]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already exists');
  }, 120_000);

  it('refuses to bundle a run that has not finished, writing nothing', async () => {
    const unfinished = join(directory, 'unfinished');
    cpSync(join(directory, 'run'), unfinished, { recursive: true });
    editJson<{ status: string }>(join(unfinished, 'manifest.json'), (manifest) => {
      manifest.status = 'running';
    });
    const out = join(directory, 'unfinished.tar.gz');
    await expect(createBundle({ directory: unfinished, out })).rejects.toThrow('has not finished');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to bundle when a credential value from the environment appears in any file', async () => {
    // The study's name stands in for a leaked key: it is in the manifest, the results and the reports.
    const out = join(directory, 'leaky.tar.gz');
    await expect(
      createBundle({ directory: join(directory, 'run'), out, env: { SOME_PROVIDER_API_KEY: 'bundle-check' } }),
    ).rejects.toThrow('holds the value of a credential from the environment');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a changed event, a missing file, a wrong hash, a link and a newer format: one message each, exit 2, nothing written', async () => {
    const cases: [string, (top: string) => void, string][] = [
      [
        'changed-event',
        (top) => {
          const file = join(top, 'data', 'events.jsonl');
          const lines = readFileSync(file, 'utf8').split('\n');
          const index = lines.findIndex((line) => line.includes('"type":"action"'));
          lines[index] = lines[index]!.replace(/"text":"[^"]*"/, '"text":"nothing happened here"');
          writeFileSync(file, lines.join('\n'));
        },
        'data/events.jsonl has been changed',
      ],
      ['missing-file', (top) => rmSync(join(top, 'report.md')), 'report.md is listed in bundle.json but missing'],
      [
        'wrong-hash',
        (top) =>
          editJson<BundleManifest>(join(top, 'bundle.json'), (manifest) => {
            manifest.members.find((member) => member.path === 'manifest.json')!.sha256 = '0'.repeat(64);
          }),
        'manifest.json has been changed',
      ],
      [
        'link',
        (top) => symlinkSync('/etc/hostname', join(top, 'data', 'hostname')),
        'data/hostname is a link; a bundle holds regular files only',
      ],
      [
        'newer-format',
        (top) =>
          editJson<BundleManifest>(join(top, 'bundle.json'), (manifest) => {
            manifest.formatVersion = 2;
          }),
        'was made by a newer backfire (bundle format 2',
      ],
    ];
    for (const [name, change, message] of cases) {
      const file = await tampered(bundle, name, change);
      const out = join(directory, `out-${name}`);
      // In process (the same code the command runs) to keep the test fast; the CLI's rendering of
      // the same error is checked once below.
      const refusal = await reproduceBundle({ bundle: file, out }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal, name).toBeInstanceOf(UserInputError);
      expect((refusal as UserInputError).exitCode).toBe(2);
      expect((refusal as UserInputError).format()).toContain(message);
      expect(existsSync(out), name).toBe(false);
      expect(readdirSync(directory).some((entry) => entry.startsWith(`out-${name}.tmp`))).toBe(false);
      if (name === 'changed-event') {
        const result = await runInProcess(['reproduce', file, '--out', out]);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toContain(message);
        expect(result.stderr.trim().split('\n')[0]).toMatch(/^error: /);
        expect(result.stderr).not.toContain('    at ');
        const replay = await runInProcess([
          'run',
          join(directory, 'study.yaml'),
          '--replay',
          file,
          '--out',
          out,
          '--quiet',
        ]);
        expect(replay.status).toBe(2);
        expect(replay.stderr).toContain(message);
        expect(existsSync(out)).toBe(false);
      }
    }
  }, 120_000);

  it('re-scores with another lexicon and says what changed', async () => {
    const unpacked = temporaryDirectory('bundle-small-packs');
    await extractTar({ file: bundle, cwd: unpacked });
    const packs = join(unpacked, 'packs');
    mkdirSync(packs);
    cpSync(join(unpacked, readdirSync(unpacked).find((entry) => entry !== 'packs')!, 'packs'), packs, {
      recursive: true,
    });
    editJson<{ lexicon: { categories: { sexual: { terms: string[] } } } }>(join(packs, 'en', 'pack.json'), (pack) => {
      pack.lexicon.categories.sexual.terms.push('the');
    });
    const result = await runInProcess([
      'reproduce',
      bundle,
      '--out',
      join(directory, 'rescored'),
      '--rescore-with',
      packs,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('re-scored with other lexicons: en: lexicon');
    expect(result.stdout).toContain('(same version number, different content)');
    expect(result.stdout).toMatch(/verdict: CHANGED: \d+ value\(s\) of results.json differ/);
    expect(result.stdout).toMatch(/cells\[en\.surrogate\.k0\]\.means\.\w+: /);
  }, 60_000);
});
