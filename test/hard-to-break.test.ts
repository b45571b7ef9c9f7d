import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportError } from '../src/cli/errors.js';
import { useMockServers } from '../src/models/mock-server/servers.test-support.js';
import { REPO_ROOT, runCliAsync, temporaryDirectory } from './support/cli.js';
import { looksLikeACrash, runInProcess } from './support/in-process-cli.js';

/**
 * Issue "Hard to break": each row of its table, as a new user did it, now ends in one clear message
 * (or works). Commands that only validate run in-process; those that write a run folder run as a
 * real process.
 */

const TINY_STUDY = `backfire: 1
name: tiny
title: Tiny
seed: 1
languages: [en]
agents: 3
turns: 2
design:
  dose: { variable: k, intervention: alignment, levels: [0, 3] }
replicates: 2
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 3, low: 0 }
`;

const ALIAS_BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
`;

function writeFile(directory: string, name: string, content: string | Buffer): string {
  const file = join(directory, name);
  writeFileSync(file, content);
  return file;
}

function expectOneCleanError(result: { status: number | null; stdout: string; stderr: string }, code = 2): void {
  expect(result.status, result.stderr).toBe(code);
  expect(looksLikeACrash(result.stderr), result.stderr).toBe(false);
  expect(result.stderr).toMatch(/^error: /);
}

describe('validation before anything is written (in-process CLI)', () => {
  it('maps a YAML alias bomb to one line for validate, plan and run', async () => {
    const directory = temporaryDirectory('bomb');
    const file = writeFile(directory, 'bomb.yaml', ALIAS_BOMB);
    for (const command of ['validate', 'plan', 'run']) {
      const out = join(directory, `out-${command}`);
      const started = Date.now();
      const result = await runInProcess(command === 'run' ? [command, file, '--out', out, '--quiet'] : [command, file]);
      expectOneCleanError(result);
      expect(result.stderr).toContain('YAML aliases expand too far');
      // A bound, not a benchmark: an expanding alias bomb would run for minutes (the first case also loads the command).
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('names the real limit of turns first (60, not 2^53)', async () => {
    const directory = temporaryDirectory('turns');
    const file = writeFile(directory, 'study.yaml', TINY_STUDY.replace('turns: 2', 'turns: 1e308'));
    const result = await runInProcess(['validate', file]);
    expectOneCleanError(result);
    expect(result.stderr.split('\n')[0]).toMatch(/turns: .*<=60/);
    expect(result.stderr).toContain('fix: use a value of at most 60');
    expect(result.stderr).not.toContain('9007199254740991');
  });

  it('plan --budget 0 blames the flag and asks for more than 0', async () => {
    const result = await runInProcess(['plan', 'studies/demo.yaml', '--budget', '0']);
    expectOneCleanError(result);
    expect(result.stderr).toContain('--budget must be more than 0');
    expect(result.stderr).not.toMatch(/at least 0|demo\.yaml/);
  });

  it('a study budget of 0 gets a fix it can follow', async () => {
    const directory = temporaryDirectory('budget-file');
    const file = writeFile(directory, 'study.yaml', `${TINY_STUDY}budget: { usd: 0 }\n`);
    const result = await runInProcess(['validate', file]);
    expectOneCleanError(result);
    expect(result.stderr).toContain('fix: use a value greater than 0');
  });

  it('mock-server refuses --port 99999 and --rate-limit 2 (a probability)', async () => {
    const port = await runInProcess(['mock-server', '--port', '99999']);
    expectOneCleanError(port);
    expect(port.stderr).toContain('--port must be at most 65535');
    const rate = await runInProcess(['mock-server', '--rate-limit', '2']);
    expectOneCleanError(rate);
    expect(rate.stderr).toContain('--rate-limit must be a probability from 0 to 1');
  });

  it('names a binary --data file as binary, without echoing its bytes', async () => {
    const directory = temporaryDirectory('binary');
    const bytes = Buffer.alloc(4096);
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 7919) % 256;
    const file = writeFile(directory, 'data.csv', bytes);
    const result = await runInProcess(['stats', 'ttest', '--data', file, '--y', 'a', '--group', 'b']);
    expectOneCleanError(result);
    expect(result.stderr).toContain('is a binary file, not a CSV file');
    expect(result.stderr.length).toBeLessThan(400);
    const study = await runInProcess(['validate', file]);
    expectOneCleanError(study);
    expect(study.stderr).toContain('is a binary file, not a study file');
  });
});

describe('the error boundary', () => {
  it('never calls a full disk or a damaged store a bug, wherever it surfaces', () => {
    for (const [code, status] of [
      ['ENOSPC', 75],
      ['SQLITE_FULL', 75],
      ['SQLITE_CORRUPT', 4],
      ['SQLITE_NOTADB', 4],
    ] as const) {
      let text = '';
      const exit = reportError(Object.assign(new Error('database disk image is malformed'), { code }), {
        write: (chunk: string) => (text += chunk),
      } as unknown as NodeJS.WriteStream);
      expect(exit).toBe(status);
      expect(looksLikeACrash(text), text).toBe(false);
    }
  });
});

describe('run folders', () => {
  it('refuses --out naming an existing file, an unknown model and a missing key, creating nothing', async () => {
    const directory = temporaryDirectory('out-file');
    const study = writeFile(directory, 'study.yaml', TINY_STUDY);
    const existing = writeFile(directory, 'taken', 'not a folder');
    const onFile = await runInProcess(['run', study, '--out', existing, '--quiet']);
    expectOneCleanError(onFile);
    expect(onFile.stderr).toContain('is a file, not a run folder');
    expect(readFileSync(existing, 'utf8')).toBe('not a folder');

    for (const model of ['nosuch:x', 'openai:gpt-4o-mini']) {
      const out = join(directory, `out-${model.replace(/\W/g, '-')}`);
      const key = process.env.OPENAI_API_KEY;
      delete process.env.OPENAI_API_KEY;
      const result = await runInProcess(['run', study, '--out', out, '--model', model, '--quiet']);
      if (key !== undefined) process.env.OPENAI_API_KEY = key;
      expectOneCleanError(result);
      expect(result.stderr).toMatch(/unknown provider "nosuch"|OPENAI_API_KEY is not set/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('lets one of two runs started together write; the other stops with "in use", exit 2', async () => {
    const directory = temporaryDirectory('two-writers');
    const study = writeFile(directory, 'study.yaml', TINY_STUDY.replace('replicates: 2', 'replicates: 6'));
    const out = join(directory, 'run');
    const [first, second] = await Promise.all([
      runCliAsync(['run', study, '--out', out, '--quiet']),
      runCliAsync(['run', study, '--out', out, '--quiet']),
    ]);
    const outcomes = [first, second].sort((a, b) => (a.status ?? 9) - (b.status ?? 9));
    expect(outcomes[0]!.status, outcomes[0]!.stderr).toBe(0);
    expectOneCleanError(outcomes[1]!);
    expect(outcomes[1]!.stderr).toMatch(/run folder in use by process \d+ since \d{4}-\d\d-\d\dT/);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
    expect(existsSync(join(out, 'writer.lock'))).toBe(false);
    const doctor = await runInProcess(['doctor', out]);
    expect(doctor.status, doctor.stdout).toBe(0);
    expect(doctor.stdout).toContain('healthy');
  });

  it('keeps the lock of a live holder, breaks a dead or half-written one, and releases its own', async () => {
    const directory = temporaryDirectory('lock');
    const study = writeFile(directory, 'study.yaml', TINY_STUDY);
    const out = join(directory, 'run');
    mkdirSync(out);
    const lockFile = join(out, 'writer.lock');
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const startedAt = '2026-01-02T03:04:05.000Z';
      writeFileSync(lockFile, JSON.stringify({ pid: holder.pid, host: hostname(), startedAt, processStart: null }));
      const refused = await runInProcess(['run', study, '--out', out, '--quiet']);
      expectOneCleanError(refused);
      expect(refused.stderr).toContain(`run folder in use by process ${holder.pid} since ${startedAt}`);
      expect(readdirSync(out)).toEqual(['writer.lock']);
      // The same pid, but a different process start tick: a recycled pid, not the holder.
      writeFileSync(lockFile, JSON.stringify({ pid: holder.pid, host: hostname(), startedAt, processStart: '1' }));
      const recycled = await runInProcess(['simulate', study, '--out', out, '--quiet']);
      expect(recycled.status, recycled.stderr).toBe(0);
      expect(existsSync(lockFile)).toBe(false);
      // A holder that died (kill -9) without releasing: its lock is taken over.
      writeFileSync(lockFile, JSON.stringify({ pid: holder.pid, host: hostname(), startedAt, processStart: null }));
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
      const afterKill = await runInProcess(['score', out, '--quiet']);
      expect(afterKill.status, afterKill.stderr).toBe(0);
    } finally {
      holder.kill();
    }
    expect(existsSync(lockFile)).toBe(false);
    // A lock file left empty by a holder killed while creating it, seconds ago.
    writeFileSync(lockFile, '');
    utimesSync(lockFile, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const afterCrash = await runInProcess(['analyze', out]);
    expect(afterCrash.status, afterCrash.stderr).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('stops on a truncated or emptied store with one message, exit 4, and moves the old outputs to stale/', async () => {
    const directory = temporaryDirectory('damaged');
    const study = writeFile(directory, 'study.yaml', TINY_STUDY);
    const original = join(directory, 'run');
    const ran = await runInProcess(['run', study, '--out', original, '--quiet']);
    expect(ran.status, ran.stderr).toBe(0);

    for (const damage of ['truncated', 'emptied'] as const) {
      const out = join(directory, damage);
      execFileSync('cp', ['-r', original, out]);
      const store = join(out, 'store.sqlite');
      truncateSync(store, damage === 'emptied' ? 0 : Math.floor(statSync(store).size / 2));
      const result = await runInProcess(['run', study, '--out', out, '--quiet']);
      expectOneCleanError(result, 4);
      expect(result.stderr).toMatch(
        damage === 'emptied' ? /store\.sqlite is empty.*transcripts are lost/ : /is damaged: .*malformed/,
      );
      expect(result.stderr).toContain(`backfire doctor ${out}`);
      for (const output of ['results.json', 'report.html', 'report.md']) {
        expect(existsSync(join(out, output)), output).toBe(false);
        expect(existsSync(join(out, 'stale', output)), output).toBe(true);
      }
      expect(readFileSync(join(out, 'stale', 'README.txt'), 'utf8')).toMatch(/damaged/);
      const doctor = await runInProcess(['doctor', out]);
      expect(doctor.status).toBe(4);
      expect(doctor.stdout).toMatch(/PROBLEM store integrity/);
      // A reader (report) on the damaged folder gets the same message and writes nothing.
      const report = await runInProcess(['report', out]);
      expectOneCleanError(report, 4);
    }
  });

  it('warns in the terminal when no action of a cell is in a language the detector can confirm', async () => {
    const directory = temporaryDirectory('wrong-language');
    const study = writeFile(
      directory,
      'study.yaml',
      TINY_STUDY.replace('languages: [en]', 'languages: [ja]').replace(
        'replicates: 2',
        'replicates: 2\nmodels: ["mock:talk"]',
      ),
    );
    const result = await runInProcess(['run', study, '--out', join(directory, 'run'), '--quiet']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: 2 of 2 cells have no action whose language could be determined/m);
  });

  describe('replay', () => {
    const start = useMockServers();

    it('reproduces results.json byte for byte, retry counts included; warns about answers in the wrong language', async () => {
      const server = await start({ seed: 11, faults: { rateLimit: 0.15, serverError: 0.05 }, retryAfterMs: 1 });
      const directory = temporaryDirectory('replay-exact');
      const ref = `openai-compatible:${server.url}#any`;
      const study = writeFile(
        directory,
        'study.yaml',
        TINY_STUDY.replace('languages: [en]', 'languages: [en, ja]').replace(
          'replicates: 2',
          `replicates: 2\nmodels: ["${ref}"]`,
        ),
      );
      const original = join(directory, 'original');
      const ran = await runInProcess(['run', study, '--out', original, '--quiet']);
      expect(ran.status, ran.stderr).toBe(0);
      // The mock server answers in English in every action: the Japanese cells are named, with the count.
      expect(ran.stderr).toMatch(
        /^warning: 2 of 4 cells have a share of actions in the intended language below 50% .*: ja\.\S+ 0%, ja\.\S+ 0%; see report\.md$/m,
      );
      const results = JSON.parse(readFileSync(join(original, 'results.json'), 'utf8')) as {
        cells: { retries: number }[];
      };
      expect(results.cells.reduce((total, cell) => total + cell.retries, 0)).toBeGreaterThan(0);
      const served = server.stats().requests;
      const replayed = join(directory, 'replayed');
      const again = await runInProcess(['run', study, '--replay', original, '--out', replayed, '--quiet']);
      expect(again.status, again.stderr).toBe(0);
      expect(server.stats().requests).toBe(served);
      expect(readFileSync(join(replayed, 'results.json'))).toEqual(readFileSync(join(original, 'results.json')));
    });
  });
});

describe('a self-contained repository', () => {
  it('refers to nothing outside itself', () => {
    // The tracked files in a clone; every file but dependencies and build output in an unpacked copy.
    const listed = existsSync(join(REPO_ROOT, '.git'))
      ? execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n')
      : (readdirSync(REPO_ROOT, { recursive: true }) as string[]).filter(
          (file) => !/^(node_modules|dist|runs)(\/|$)/.test(file) && statSync(join(REPO_ROOT, file)).isFile(),
        );
    const files = listed.filter(
      (file) => file !== '' && !file.startsWith('test/fixtures/') && existsSync(join(REPO_ROOT, file)),
    );
    // Written in two parts so that this file does not match itself.
    const outside = ['../', 'shared/', ['/work', '/shared'].join('')];
    const offenders = files.filter((file) => {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      return text.includes(`${outside[0]}${outside[1]}`) || text.includes(outside[2]!);
    });
    expect(offenders).toEqual([]);
  });

  it('commits the tiny GGUF test model with its documented checksum, and the paper notes', () => {
    const model = join(REPO_ROOT, 'test', 'fixtures', 'models', 'llama-2-tiny-random.gguf');
    const sha256 = createHash('sha256').update(readFileSync(model)).digest('hex');
    expect(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'models', 'README.md'), 'utf8')).toContain(sha256);
    expect(readFileSync(join(REPO_ROOT, 'docs', 'paper-notes.md'), 'utf8')).toMatch(/## Confirmed/);
  });

  it('builds schema/study.schema.json with `npm run build` and ships it', () => {
    const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      files: string[];
    };
    expect(packageJson.scripts.build).toContain('npm run --silent schema');
    expect(packageJson.scripts.schema).toContain('--out schema/study.schema.json');
    expect(packageJson.files).toContain('schema');
    const schema = join(REPO_ROOT, 'schema', 'study.schema.json');
    if (existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
      const parsed = JSON.parse(readFileSync(schema, 'utf8')) as { properties?: Record<string, unknown> };
      expect(Object.keys(parsed.properties ?? {})).toContain('turns');
    }
    expect(readdirSync(REPO_ROOT)).toContain('package.json');
  });
});
