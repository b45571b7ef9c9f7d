import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest, Results } from '../src/contracts/index.js';
import { runCli, temporaryDirectory } from './support/cli.js';

/**
 * Issue "Publishable": `prereg` freezes a study before any data; `run --prereg` checks the run against
 * the lock before the first model call, refuses any difference not stated with `--deviation`, and
 * records a stated one in the manifest, the results and the report; a change to the analysis after
 * data exist moves the changed hypotheses to exploratory.
 */

const STUDY = `backfire: 1
name: prereg-check
title: Preregistration check
seed: 21
languages: [en]
agents: 4
turns: 3
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 3
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0 }
    - { id: H2, kind: contrast, metric: di, high: 4, low: 0 }
    - { id: E1, kind: trend, metric: cpi, confirmatory: false }
`;

function setUp(): { directory: string; study: string; lock: string } {
  const directory = temporaryDirectory('prereg');
  const study = join(directory, 'study.yaml');
  writeFileSync(study, STUDY);
  const made = runCli(['prereg', study, '--out', join(directory, 'prereg')]);
  expect(made.stderr).toBe('');
  expect(made.status).toBe(0);
  return { directory, study, lock: join(directory, 'prereg', 'prereg.lock.json') };
}

function json<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

describe('prereg -> run --prereg', () => {
  it('writes a lock and a preregistration in template order; a matching run carries both new report sections', () => {
    const { directory, study, lock } = setUp();
    const document = readFileSync(join(directory, 'prereg', 'preregistration.md'), 'utf8');
    const headings = document.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## 1. Hypotheses',
      '## 2. Design',
      '## 3. Sampling plan and stopping rule',
      '## 4. Variables and indices',
      '## 5. Exclusion rules',
      '## 6. Analysis plan',
      '## 7. Confirmatory vs exploratory',
      '## 8. Power',
    ]);
    const lockHash = json<{ hash: string }>(lock).hash;
    expect(document).toContain(lockHash);
    expect(document).toContain('surrogate');
    // prereg again: the same plan is already locked; a different one is never written over it.
    expect(runCli(['prereg', study, '--out', join(directory, 'prereg')]).status).toBe(0);
    const other = runCli(['prereg', study, '--seed', '22', '--out', join(directory, 'prereg')]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('already holds a different preregistration');
    expect(json<{ hash: string }>(lock).hash).toBe(lockHash);

    const out = join(directory, 'run');
    const run = runCli(['run', study, '--prereg', lock, '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const manifest = json<Manifest>(join(out, 'manifest.json'));
    expect(manifest.preregistration).toMatchObject({ lockHash, deviations: [] });
    expect(readFileSync(join(out, 'preregistration', 'prereg.lock.json'), 'utf8')).toBe(readFileSync(lock, 'utf8'));
    const results = json<Results>(join(out, 'results.json'));
    expect(results.preregistration?.hypotheses.map((row) => [row.id, row.status, row.analysedAs])).toEqual([
      ['H1', 'as-planned', 'confirmatory'],
      ['H2', 'as-planned', 'confirmatory'],
      ['E1', 'as-planned', 'exploratory'],
    ]);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Preregistered vs observed');
    expect(report).toContain('## Deviations\n\nNone.');
  });

  it('refuses changed replicates, seed or hypothesis without --deviation, writing nothing; records them with one', () => {
    const { directory, study, lock } = setUp();
    const changedStudy = join(directory, 'changed.yaml');
    writeFileSync(
      changedStudy,
      STUDY.replace('high: 4, low: 0 }\n    - { id: H2', 'high: 4, low: 0, test: student }\n    - { id: H2'),
    );
    const refusals: [string[], string][] = [
      [['run', study, '--replicates', '4'], 'study.replicates: 3 -> 4'],
      [['run', study, '--seed', '99'], 'study.seed: 21 -> 99'],
      [['run', changedStudy], 'study.analysis.hypotheses[H1].test: "welch" -> "student"'],
    ];
    for (const [args, field] of refusals) {
      const out = join(directory, `refused-${args.length}-${field.length}`);
      const refused = runCli([...args, '--prereg', lock, '--out', out, '--quiet']);
      expect(refused.status, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(field);
      expect(refused.stderr).toContain('--deviation');
      expect(refused.stderr).not.toContain('    at ');
      expect(existsSync(out)).toBe(false);
    }

    // Stated before any data: recorded, nothing demoted.
    const before = join(directory, 'before');
    const stated = runCli([
      'run',
      study,
      '--replicates',
      '4',
      '--prereg',
      lock,
      '--deviation',
      'one more replicate: budget allowed it',
      '--out',
      before,
      '--quiet',
    ]);
    expect(stated.status, stated.stderr).toBe(0);
    const deviations = json<Manifest>(join(before, 'manifest.json')).preregistration?.deviations ?? [];
    expect(deviations).toMatchObject([
      {
        id: 'D1',
        reason: 'one more replicate: budget allowed it',
        phase: 'before-data',
        changes: [{ field: 'study.replicates', preregistered: '3', observed: '4' }],
        exploratory: [],
      },
    ]);
    const results = json<Results>(join(before, 'results.json'));
    expect(results.preregistration?.deviations).toEqual(deviations);
    expect(readFileSync(join(before, 'report.md'), 'utf8')).toContain('one more replicate: budget allowed it');
    // Run again: the deviation is on record, so no new statement is needed and none is added.
    const again = runCli(['run', study, '--replicates', '4', '--prereg', lock, '--out', before, '--quiet']);
    expect(again.status, again.stderr).toBe(0);
    expect(json<Manifest>(join(before, 'manifest.json')).preregistration?.deviations).toHaveLength(1);

    // The preregistered run, then a changed test of H1 on the same data: H1 becomes exploratory.
    const planned = join(directory, 'planned');
    expect(runCli(['run', study, '--prereg', lock, '--out', planned, '--quiet']).status).toBe(0);
    const changed = runCli([
      'run',
      changedStudy,
      '--prereg',
      lock,
      '--deviation',
      'Welch is safer with unequal variances',
      '--out',
      planned,
      '--quiet',
    ]);
    expect(changed.status, changed.stderr).toBe(0);
    const after = json<Results>(join(planned, 'results.json'));
    expect(after.preregistration?.deviations[0]).toMatchObject({ phase: 'after-data', exploratory: ['H1'] });
    expect(after.hypotheses.map((hypothesis) => [hypothesis.id, hypothesis.confirmatory])).toEqual([
      ['H1', false],
      ['H2', true],
      ['E1', false],
    ]);
    expect(after.preregistration?.hypotheses[0]).toMatchObject({ id: 'H1', status: 'changed', verdict: 'exploratory' });
    const report = readFileSync(join(planned, 'report.md'), 'utf8');
    expect(report).toContain('moved to exploratory by D1');
    expect(report).toContain('after data existed');
  });

  it('refuses a lock of another study and a --deviation without text (exit 2, nothing written)', () => {
    const { directory, lock } = setUp();
    const otherStudy = join(directory, 'other.yaml');
    writeFileSync(otherStudy, STUDY.replace('name: prereg-check', 'name: another-study'));
    const out = join(directory, 'run');
    const foreign = runCli(['run', otherStudy, '--prereg', lock, '--out', out, '--quiet']);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain('is the preregistration of study "prereg-check", not of "another-study"');
    const empty = runCli(['run', join(directory, 'study.yaml'), '--prereg', lock, '--deviation', ' ', '--out', out]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--deviation needs a reason');
    const unlocked = runCli(['run', join(directory, 'study.yaml'), '--deviation', 'why', '--out', out]);
    expect(unlocked.status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
