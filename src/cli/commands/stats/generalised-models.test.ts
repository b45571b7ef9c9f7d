import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UserInputError } from '../../../contracts/index.js';
import { fitGlmm, testWaldContrast } from '../../../stats/index.js';
import { runCli } from '../../../../test/support/cli.js';
import { registerStats } from './index.js';

/**
 * `backfire stats glmm | glm | lrt | contrast` on CSV files written from R's fixture data
 * (test/fixtures/reference/glmm.json): the JSON carries R's numbers (estimates 1e-6 relative,
 * SEs 5e-5, logLik 1e-6) in the lmm's shape, and a one-level factor exits 2 naming the column.
 */

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'backfire-stats-glmm-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Case {
  name: string;
  formula: string;
  family: 'binomial' | 'poisson';
  nAGQ?: number;
  data: Record<string, (number | string)[]>;
  reference: { fixed: { term: string; estimate: number; se: number; z: number; p: number }[]; logLik: number };
  fit: {
    fixed: { term: string; estimate: number; se: number; z: number; p: number }[];
    logLik: number;
    deviance: number;
  };
}
const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'reference', 'glmm.json'), 'utf8')) as {
  cases: Case[];
};
const byName = (name: string) => fixture.cases.find((entry) => entry.name === name)!;

function writeCsv(name: string, columns: Record<string, readonly (string | number)[]>): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.map((_, row) => names.map((column) => String(columns[column]![row])).join(','));
  const file = join(scratch, name);
  writeFileSync(file, `${[names.join(','), ...rows].join('\n')}\n`);
  return file;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed command output
async function runJson(args: readonly string[]): Promise<any> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerStats(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['stats', ...args, '--json'], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(stdout);
}

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-12));
}

describe('backfire stats glmm / glm / lrt / contrast', () => {
  const counts = byName('binomial-counts-intercept');
  const countsFile = writeCsv('counts.csv', counts.data);

  it('glmm --json has the lmm shape and R numbers (binomial counts, Laplace)', async () => {
    const output = await runJson(['glmm', '--family', 'binomial', '--formula', counts.formula, '--data', countsFile]);
    expect(output.test).toBe('glmm');
    expect(output.fixed.map((row: { term: string }) => row.term)).toEqual(['(Intercept)', 'k']);
    output.fixed.forEach((row: { estimate: number; se: number; z: number; p: number }, index: number) => {
      const expected = counts.reference.fixed[index]!;
      expectRelative(row.estimate, expected.estimate, 1e-6);
      expectRelative(row.se, expected.se, 5e-5);
      expect(Math.abs(row.p - expected.p)).toBeLessThan(1e-5);
    });
    expect(Math.abs(output.logLik - counts.reference.logLik)).toBeLessThan(1e-6);
    expect(output.random[0]).toMatchObject({ group: 'language', term: '(Intercept)' });
    expect(output).toHaveProperty('singular', false);
    expect(output.data).toMatchObject({ used: 108 });
  });

  it('glmm --nagq 9 with an offset equals glmer(nAGQ = 9)', async () => {
    const poisson = byName('poisson-offset-agq9');
    const file = writeCsv('poisson.csv', poisson.data);
    const output = await runJson([
      'glmm',
      '--family',
      'poisson',
      '--nagq',
      '9',
      '--formula',
      poisson.formula,
      '--data',
      file,
    ]);
    expect(output.nAGQ).toBe(9);
    expectRelative(output.fixed[1].estimate, poisson.reference.fixed[1]!.estimate, 1e-6);
    expect(Math.abs(output.logLik - poisson.reference.logLik)).toBeLessThan(1e-6);
  });

  it('glm equals glm()', async () => {
    const glm = byName('glm-binomial-counts');
    const output = await runJson(['glm', '--family', 'binomial', '--formula', glm.formula, '--data', countsFile]);
    output.fixed.forEach((row: { estimate: number; se: number }, index: number) => {
      expectRelative(row.estimate, glm.fit.fixed[index]!.estimate, 1e-9);
      expectRelative(row.se, glm.fit.fixed[index]!.se, 1e-9);
    });
    expectRelative(output.deviance, glm.fit.deviance, 1e-10);
  });

  it('lrt compares a GLMM with its reduced model on the likelihood scale', async () => {
    const reduced = 'cbind(conformity, individuation) ~ 1 + (1 | language)';
    const output = await runJson([
      'lrt',
      '--family',
      'binomial',
      '--reduced',
      reduced,
      '--full',
      counts.formula,
      '--data',
      countsFile,
    ]);
    expect(output.df).toBe(1);
    expectRelative(output.chisq, 2 * (output.full.logLik - output.reduced.logLik), 1e-12);
    expect(Math.abs(output.full.logLik - counts.reference.logLik)).toBeLessThan(1e-6);
    expect(output.p).toBeLessThan(1e-6);
  });

  it('contrast gives the Wald z of a combination of GLMM fixed effects', async () => {
    const output = await runJson([
      'contrast',
      '--family',
      'binomial',
      '--formula',
      counts.formula,
      '--weights',
      '(Intercept)=1,k=5',
      '--data',
      countsFile,
    ]);
    const fit = fitGlmm({ formula: counts.formula, data: counts.data, family: 'binomial' });
    const expected = testWaldContrast(fit, { '(Intercept)': 1, k: 5 });
    expect(output.method).toBe('wald-z');
    expectRelative(output.estimate, expected.estimate, 1e-6);
    expectRelative(output.z, expected.z, 1e-4);
  });

  it('refuses nAGQ > 1 for random slopes with one message naming --formula', async () => {
    const slopes = byName('binomial-binary-slopes');
    const file = writeCsv('slopes.csv', slopes.data);
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerStats(program);
    await expect(
      program.parseAsync(
        ['stats', 'glmm', '--family', 'binomial', '--nagq', '5', '--formula', slopes.formula, '--data', file],
        {
          from: 'user',
        },
      ),
    ).rejects.toBeInstanceOf(UserInputError);
  });

  it('a factor with one level exits 2 naming the column (lmm and glmm), as R stops', () => {
    const file = writeCsv('one-level.csv', {
      y: [1.2, 2.3, 2.1, 0.3, 1.9, 3.0, 1.0, 1.1, 2.8],
      x: [0, 1, 2, 0, 1, 2, 0, 1, 2],
      f: ['en', 'en', 'en', 'en', 'en', 'en', 'en', 'en', 'en'],
      g: ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c'],
      s: [1, 0, 1, 1, 0, 0, 1, 1, 0],
    });
    for (const args of [
      ['stats', 'ols', '--formula', 'y ~ f + x', '--data', file],
      ['stats', 'glmm', '--family', 'binomial', '--formula', 's ~ f + x + (1 | g)', '--data', file],
    ]) {
      const result = runCli(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/'f' is a factor with only one level \('en'\)/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
