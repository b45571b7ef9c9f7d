import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { StatisticsError, UserInputError } from '../../../contracts/index.js';
import {
  fitLmm,
  fitOls,
  hedgesG,
  oneSampleBayesFactor,
  pairedTTest,
  pearsonBayesFactor,
  pearsonCorrelation,
  permutationTest,
  spearmanCorrelation,
  studentTTest,
  tTestPower,
  twoSampleBayesFactor,
  welchTTest,
} from '../../../stats/index.js';
import { PowerReferenceSchema, readReferenceFixture } from '../../../stats/tests-reference.test-support.js';
import { readCsvFile } from '../../csv.js';
import { reportError } from '../../errors.js';
import { runEngine } from './data.js';
import { formatNumber, formatTable } from './format.js';
import { registerStats } from './index.js';

/**
 * `backfire stats` on small CSV files: every number is checked against the engine's own functions
 * on the same values, and, where test/fixtures/reference holds R's results for the data, against R
 * (estimates 1e-6 relative, p-values 1e-4 absolute, log Bayes factors 1e-3, as src/stats does).
 */

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const CSV = join(REPO_ROOT, 'test', 'fixtures', 'csv');
const scratch = mkdtempSync(join(tmpdir(), 'backfire-stats-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function reference<Schema extends z.ZodType>(name: string, schema: Schema): z.output<Schema> {
  const text = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'reference', `${name}.json`), 'utf8');
  return schema.parse(JSON.parse(text));
}

/** Writes columns as a CSV file in the scratch folder; numbers as JavaScript prints them (exact). */
function writeCsv(name: string, columns: Record<string, readonly (string | number)[]>): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.map((_, row) => names.map((column) => String(columns[column]![row])).join(','));
  const file = join(scratch, name);
  writeFileSync(file, `${[names.join(','), ...rows].join('\n')}\n`);
  return file;
}

interface StatsRun {
  stdout: string;
  error: unknown;
}

async function runStats(args: readonly string[]): Promise<StatsRun> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerStats(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['stats', ...args], { from: 'user' });
    return { stdout, error: undefined };
  } catch (error) {
    return { stdout, error };
  } finally {
    spy.mockRestore();
  }
}

// The CLI's JSON is checked field by field below; the loose type keeps those checks readable.
// biome-ignore lint/suspicious/noExplicitAny: parsed command output
type Json = any;

async function runJson(args: readonly string[]): Promise<Json> {
  const run = await runStats([...args, '--json']);
  if (run.error !== undefined) throw run.error;
  return JSON.parse(run.stdout);
}

async function expectUserError(args: readonly string[]): Promise<UserInputError> {
  const run = await runStats(args);
  expect(run.stdout).toBe('');
  expect(run.error).toBeInstanceOf(UserInputError);
  const error = run.error as UserInputError;
  // What the CLI boundary prints: one message, no stack trace, exit code 2.
  let printed = '';
  const stream = { write: (text: string) => (printed += text) } as unknown as NodeJS.WriteStream;
  expect(reportError(error, stream)).toBe(2);
  expect(printed).toBe(`error: ${error.format()}\n`);
  expect(printed).not.toMatch(/\n\s+at /);
  return error;
}

function expectRelative(actual: number, expected: number, tolerance = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-12));
}

function expectP(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4);
}

const Pair = z.object({ x: z.array(z.number()), y: z.array(z.number()) });
const Interval = z.tuple([z.union([z.number(), z.string()]), z.union([z.number(), z.string()])]);
const tTests = reference(
  'tests-t-test',
  z.object({
    dataSets: z.record(z.string(), Pair),
    paired: Pair,
    oneSample: z.array(z.number()),
    cases: z.array(
      z.object({
        dataSet: z.string(),
        method: z.string(),
        alternative: z.string(),
        mu: z.number(),
        confidenceLevel: z.number(),
        estimate: z.number(),
        statistic: z.number(),
        df: z.number(),
        p: z.number(),
        ci: Interval,
        standardError: z.number(),
      }),
    ),
  }),
);

function tCase(dataSet: string, method: string, alternative: string, mu: number, confidenceLevel: number) {
  const found = tTests.cases.find(
    (entry) =>
      entry.dataSet === dataSet &&
      entry.method === method &&
      entry.alternative === alternative &&
      entry.mu === mu &&
      entry.confidenceLevel === confidenceLevel,
  );
  if (found === undefined) throw new Error(`no reference case ${dataSet} ${method} ${alternative}`);
  return found;
}

function expectTTestMatchesR(output: Json, expected: ReturnType<typeof tCase>): void {
  expectRelative(output.estimate, expected.estimate);
  expectRelative(output.statistic, expected.statistic);
  expectRelative(output.df, expected.df);
  expectRelative(output.standardError, expected.standardError);
  expectP(output.p, expected.p);
  expected.ci.forEach((limit, side) => {
    if (typeof limit === 'number') expectRelative(output.ci[side], limit);
    else expect(output.ci[side]).toBeNull(); // R's Inf; JSON has no infinity
  });
}

describe('backfire stats ttest', () => {
  const balanced = tTests.dataSets.balanced!;

  it("equals R's Student t test on a two-group CSV and names which level is x", async () => {
    const output = await runJson([
      'ttest',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
    ]);
    expectTTestMatchesR(output, tCase('balanced', 'student', 'two.sided', 0, 0.95));
    expect(output.method).toBe('student');
    expect(output.samples.x).toMatchObject({ column: 'score', group: 'condition', level: 'baseline', n: 15 });
    expect(output.samples.y).toMatchObject({ column: 'score', group: 'condition', level: 'treated', n: 15 });
    expect(output.estimateOf).toBe('mean(x) - mean(y)');
    const engine = studentTTest(balanced.x, balanced.y);
    expect(output).toMatchObject({
      statistic: engine.statistic,
      df: engine.df,
      p: engine.p,
      ci: engine.ci,
      estimator: engine.estimator,
    });
    expect(output.data).toEqual({
      file: join(CSV, 'two-groups.csv'),
      rows: 30,
      used: 30,
      dropped: 0,
      droppedLines: [],
      otherLevels: 0,
    });
  });

  it("equals R's Welch test with --mu, a one-sided alternative and --ci-level", async () => {
    const output = await runJson([
      'ttest',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--welch',
      '--mu',
      '0.25',
      '--alternative',
      'less',
      '--ci-level',
      '0.9',
    ]);
    expectTTestMatchesR(output, tCase('balanced', 'welch', 'less', 0.25, 0.9));
    expect(output.method).toBe('welch');
    expect(output.p).toBe(welchTTest(balanced.x, balanced.y, { mu: 0.25, alternative: 'less', ciLevel: 0.9 }).p);
  });

  it('equals R on unbalanced groups written to a CSV from the reference data', async () => {
    const { x, y } = tTests.dataSets.unbalanced!;
    const file = writeCsv('unbalanced.csv', {
      arm: [...x.map(() => 'A'), ...y.map(() => 'B')],
      outcome: [...x, ...y],
    });
    for (const method of ['student', 'welch'] as const) {
      const output = await runJson([
        'ttest',
        '--data',
        file,
        '--y',
        'outcome',
        '--group',
        'arm',
        ...(method === 'welch' ? ['--welch'] : []),
        '--alternative',
        'greater',
      ]);
      expectTTestMatchesR(output, tCase('unbalanced', method, 'greater', 0, 0.95));
    }
  });

  it("equals R's paired and one-sample tests", async () => {
    const paired = await runJson([
      'ttest',
      '--data',
      join(CSV, 'paired.csv'),
      '--paired',
      '--x',
      'before',
      '--y',
      'after',
      '--mu',
      '-0.3',
    ]);
    expectTTestMatchesR(paired, tCase('paired', 'paired', 'two.sided', -0.3, 0.95));
    expect(paired.samples.x.column).toBe('before');
    expect(paired.samples.y.column).toBe('after');
    expect(paired.estimateOf).toBe('mean(x - y)');
    expect(paired.statistic).toBe(pairedTTest(tTests.paired.x, tTests.paired.y, { mu: -0.3 }).statistic);

    const oneSample = await runJson([
      'ttest',
      '--data',
      join(CSV, 'one-sample.csv'),
      '--y',
      'difference',
      '--mu',
      '-0.3',
      '--alternative',
      'greater',
      '--ci-level',
      '0.9',
    ]);
    expectTTestMatchesR(oneSample, tCase('oneSample', 'one-sample', 'greater', -0.3, 0.9));
  });

  it('--levels picks and orders two of three levels, and reports the rows left out', async () => {
    const chosen = await runJson([
      'ttest',
      '--data',
      join(CSV, 'three-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--levels',
      'baseline,treated',
    ]);
    expectTTestMatchesR(chosen, tCase('balanced', 'student', 'two.sided', 0, 0.95));
    expect(chosen.data).toMatchObject({ rows: 36, used: 30, otherLevels: 6 });
    const reversed = await runJson([
      'ttest',
      '--data',
      join(CSV, 'three-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--levels',
      'treated,baseline',
    ]);
    expect(reversed.samples.x.level).toBe('treated');
    expect(reversed.estimate).toBeCloseTo(-chosen.estimate, 14);
    expect(reversed.p).toBeCloseTo(chosen.p, 14);
  });

  it('reads a quoted, CRLF, BOM file and drops missing rows only when asked, saying which', async () => {
    const output = await runJson([
      'ttest',
      '--data',
      join(CSV, 'quoted.csv'),
      '--y',
      'value',
      '--group',
      'group',
      '--drop-missing',
    ]);
    expect(output.data).toMatchObject({ rows: 8, used: 7, dropped: 1, droppedLines: [8] });
    const engine = studentTTest([1.5, 0.5, 2, 1.75], [2.25, 3, 4.5]);
    expect(output.statistic).toBe(engine.statistic);
    expect(output.p).toBe(engine.p);
  });

  it('prints an aligned table with the estimator, the levels and the hypothesis', async () => {
    const run = await runStats([
      'ttest',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
    ]);
    expect(run.error).toBeUndefined();
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe("Student's two-sample t test (pooled variance)");
    expect(lines[1]).toBe('estimator: student-t-test 1.0.0');
    expect(run.stdout).toContain('x: "score" where "condition" = "baseline" (n = 15, mean = 0.94486, sd = 1.0513)');
    expect(run.stdout).toContain('y: "score" where "condition" = "treated" (n = 15');
    expect(run.stdout).toContain('H1: mean(x) - mean(y) != 0');
    const header = lines.findIndex((line) => line.startsWith('estimate'));
    expect(lines[header]).toBe('estimate       se       t  df         p             95% CI');
    expect(lines[header + 1]).toBe('  1.0203  0.38819  2.6283  28  0.013773  [0.22511, 1.8155]');
  });
});

describe('backfire stats g', () => {
  const effectSizes = reference(
    'tests-effect-size',
    z.object({
      cases: z.array(
        z.object({
          dataSet: z.string(),
          confidenceLevel: z.number(),
          g: z.number(),
          d: z.number(),
          ciG: z.tuple([z.number(), z.number()]),
        }),
      ),
    }),
  );

  it("equals R's Hedges' g and its noncentral-t interval", async () => {
    const expected = effectSizes.cases.find((entry) => entry.dataSet === 'balanced' && entry.confidenceLevel === 0.9)!;
    const output = await runJson([
      'g',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--ci-level',
      '0.9',
    ]);
    expectRelative(output.g, expected.g);
    expectRelative(output.d, expected.d);
    expectRelative(output.ciG[0], expected.ciG[0]);
    expectRelative(output.ciG[1], expected.ciG[1]);
    const { x, y } = tTests.dataSets.balanced!;
    expect(output).toMatchObject({ g: hedgesG(x, y).g, quantity: 'hedges-g', design: 'two-sample' });
    expect(output.samples.x.level).toBe('baseline');
  });

  it("equals R's paired g_z and one-sample g", async () => {
    const paired = await runJson(['g', '--data', join(CSV, 'paired.csv'), '--paired', '--x', 'before', '--y', 'after']);
    const expectedPaired = effectSizes.cases.find((entry) => entry.dataSet === 'paired')!;
    expectRelative(paired.g, expectedPaired.g);
    expectRelative(paired.ciG[0], expectedPaired.ciG[0]);
    const oneSample = await runJson(['g', '--data', join(CSV, 'one-sample.csv'), '--y', 'difference']);
    expectRelative(oneSample.g, effectSizes.cases.find((entry) => entry.dataSet === 'oneSample')!.g);
  });
});

describe('backfire stats pearson and spearman', () => {
  const correlations = reference(
    'tests-correlation',
    z.object({
      pearsonData: Pair,
      pearson: z.array(
        z.object({
          alternative: z.string(),
          confidenceLevel: z.number(),
          estimate: z.number(),
          statistic: z.number(),
          df: z.number(),
          p: z.number(),
          ci: Interval,
        }),
      ),
      spearmanData: z.record(z.string(), Pair),
      spearman: z.array(
        z.object({
          dataSet: z.string(),
          alternative: z.string(),
          exact: z.boolean(),
          estimate: z.number(),
          statistic: z.number(),
          p: z.number(),
        }),
      ),
    }),
  );

  it("equals R's cor.test for Pearson, both sides and one", async () => {
    for (const [alternative, ciLevel] of [
      ['two-sided', 0.95],
      ['less', 0.9],
    ] as const) {
      const expected = correlations.pearson.find(
        (entry) =>
          entry.alternative === (alternative === 'two-sided' ? 'two.sided' : alternative) &&
          entry.confidenceLevel === ciLevel,
      )!;
      const output = await runJson([
        'pearson',
        '--data',
        join(CSV, 'correlation.csv'),
        '--x',
        'hours',
        '--y',
        'score',
        '--alternative',
        alternative,
        '--ci-level',
        String(ciLevel),
      ]);
      expectRelative(output.estimate, expected.estimate);
      expectRelative(output.statistic, expected.statistic);
      expect(output.df).toBe(expected.df);
      expectP(output.p, expected.p);
      expected.ci.forEach((limit, side) => {
        if (typeof limit === 'number') expectRelative(output.ci[side], limit);
      });
      expect(output.variables).toEqual({ x: 'hours', y: 'score' });
    }
    const { x, y } = correlations.pearsonData;
    const output = await runJson(['pearson', '--data', join(CSV, 'correlation.csv'), '--x', 'hours', '--y', 'score']);
    expect(output.ci).toEqual(pearsonCorrelation(x, y).ci);
  });

  it("equals R's Spearman p-values (exact and Edgeworth regimes)", async () => {
    for (const dataSet of ['exactSeven', 'edgeworthTwenty']) {
      const { x, y } = correlations.spearmanData[dataSet]!;
      const file = writeCsv(`spearman-${dataSet}.csv`, { x, y });
      const expected = correlations.spearman.find(
        (entry) => entry.dataSet === dataSet && entry.alternative === 'two.sided' && entry.exact,
      )!;
      const output = await runJson(['spearman', '--data', file, '--x', 'x', '--y', 'y']);
      expectRelative(output.estimate, expected.estimate);
      expectRelative(output.statistic, expected.statistic);
      expectP(output.p, expected.p);
      expect(output.p).toBe(spearmanCorrelation(x, y).p);
      const approximate = await runJson(['spearman', '--data', file, '--x', 'x', '--y', 'y', '--no-exact']);
      expect(approximate.pMethod).toBe('t-approximation');
    }
  });
});

describe('backfire stats permutation', () => {
  const permutations = reference(
    'tests-permutation',
    z.object({
      cases: z.array(
        z.object({
          dataSet: z.string(),
          x: z.array(z.number()),
          y: z.array(z.number()),
          observed: z.number(),
          permutations: z.number(),
          twoSided: z.number(),
          greater: z.number(),
          less: z.number(),
        }),
      ),
    }),
  );

  it('equals the exact enumeration in R for each alternative', async () => {
    for (const entry of permutations.cases) {
      const file = writeCsv(`permutation-${entry.dataSet}.csv`, {
        group: [...entry.x.map(() => 'x'), ...entry.y.map(() => 'y')],
        value: [...entry.x, ...entry.y],
      });
      for (const [alternative, expected] of [
        ['two-sided', entry.twoSided],
        ['greater', entry.greater],
        ['less', entry.less],
      ] as const) {
        const output = await runJson([
          'permutation',
          '--data',
          file,
          '--y',
          'value',
          '--group',
          'group',
          '--alternative',
          alternative,
        ]);
        expect(output.method).toBe('exact');
        expect(output.permutations).toBe(entry.permutations);
        expectRelative(output.statistic, entry.observed);
        expectRelative(output.p, expected, 1e-12);
      }
    }
  });

  it('uses --permutations and --seed for the Monte Carlo test, as the engine does', async () => {
    const output = await runJson([
      'permutation',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--permutations',
      '2000',
      '--seed',
      '7',
    ]);
    const { x, y } = tTests.dataSets.balanced!;
    const engine = permutationTest(x, y, { resamples: 2000, seed: 7 });
    expect(output).toMatchObject({
      method: 'monte-carlo',
      permutations: 2000,
      seed: 7,
      p: engine.p,
      atLeastAsExtreme: engine.atLeastAsExtreme,
    });
    expect(output.samples.x.level).toBe('baseline');
  });
});

describe('backfire stats bf-ttest and bf-cor', () => {
  const bayes = reference(
    'tests-bayes-factor',
    z.object({
      tTests: z.array(
        z.object({
          design: z.string(),
          dataSet: z.string(),
          rscaleName: z.string(),
          mu: z.number(),
          logBf10: z.number(),
        }),
      ),
      correlationData: Pair,
      correlation: z.array(z.object({ rscaleName: z.string(), logBf10: z.number() })),
    }),
  );
  const bfCase = (design: string, dataSet: string, rscaleName: string, mu = 0) =>
    bayes.tTests.find(
      (entry) =>
        entry.design === design && entry.dataSet === dataSet && entry.rscaleName === rscaleName && entry.mu === mu,
    )!;

  it("equals BayesFactor's ttestBF for two groups, one sample and pairs", async () => {
    const twoSample = await runJson([
      'bf-ttest',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
    ]);
    expect(Math.abs(twoSample.logBf10 - bfCase('two-sample', 'balanced', 'medium').logBf10)).toBeLessThan(1e-3);
    const { x, y } = tTests.dataSets.balanced!;
    expect(twoSample.logBf10).toBe(twoSampleBayesFactor(x, y).logBf10);

    const wide = await runJson([
      'bf-ttest',
      '--data',
      join(CSV, 'two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--rscale',
      'wide',
    ]);
    expect(Math.abs(wide.logBf10 - bfCase('two-sample', 'balanced', 'wide').logBf10)).toBeLessThan(1e-3);
    expect(wide.rScale).toBe(1);

    const oneSample = await runJson([
      'bf-ttest',
      '--data',
      join(CSV, 'one-sample.csv'),
      '--y',
      'difference',
      '--mu',
      '0.2',
      '--rscale',
      String(Math.SQRT2),
    ]);
    expect(Math.abs(oneSample.logBf10 - bfCase('one-sample', 'oneSample', 'ultrawide', 0.2).logBf10)).toBeLessThan(
      1e-3,
    );
    expect(oneSample.logBf10).toBe(oneSampleBayesFactor(tTests.oneSample, { mu: 0.2, rScale: 'ultrawide' }).logBf10);

    const paired = await runJson([
      'bf-ttest',
      '--data',
      join(CSV, 'paired.csv'),
      '--paired',
      '--x',
      'before',
      '--y',
      'after',
    ]);
    expect(Math.abs(paired.logBf10 - bfCase('paired', 'paired', 'medium').logBf10)).toBeLessThan(1e-3);
  });

  it("equals BayesFactor's correlationBF with named prior scales", async () => {
    const { x, y } = bayes.correlationData;
    const file = writeCsv('bf-correlation.csv', { x, y });
    for (const entry of bayes.correlation) {
      const output = await runJson(['bf-cor', '--data', file, '--x', 'x', '--y', 'y', '--rscale', entry.rscaleName]);
      expect(Math.abs(output.logBf10 - entry.logBf10)).toBeLessThan(1e-3);
    }
    const medium = await runJson(['bf-cor', '--data', file, '--x', 'x', '--y', 'y']);
    expect(medium.bf10).toBe(pearsonBayesFactor(x, y).bf10);
  });
});

describe('backfire stats power', () => {
  const power = readReferenceFixture('power', PowerReferenceSchema);
  const design = (type: string) => type.replace('.', '-');
  const sided = (alternative: string) => alternative.replace('.', '-');

  it("equals R's power.t.test for power, sample size and detectable effect", async () => {
    const cases = power.powerGivenN.filter((entry) => entry.sd === 1 && !entry.strict && entry.n >= 10).slice(0, 12);
    expect(cases.length).toBeGreaterThan(5);
    for (const entry of cases) {
      const output = await runJson([
        'power',
        '--d',
        String(entry.delta),
        '--n',
        String(entry.n),
        '--alpha',
        String(entry.sigLevel),
        '--type',
        design(entry.type),
        '--alternative',
        sided(entry.alternative),
      ]);
      expect(output.solvedFor).toBe('power');
      expectRelative(output.power, entry.power);
    }
    const sampleSize = power.nGivenPower.find((entry) => entry.sd === 1 && !entry.strict && entry.delta === 0.5)!;
    const solved = await runJson([
      'power',
      '--d',
      '0.5',
      '--power',
      String(sampleSize.power),
      '--type',
      design(sampleSize.type),
      '--alternative',
      sided(sampleSize.alternative),
      '--alpha',
      String(sampleSize.sigLevel),
    ]);
    expect(solved.solvedFor).toBe('n');
    expect(Math.abs(solved.n - sampleSize.n)).toBeLessThan(1e-3);
    expect(solved.nRequired).toBe(Math.ceil(sampleSize.n));
    const effect = power.deltaGivenN.find((entry) => entry.sd === 1 && !entry.strict)!;
    const detectable = await runJson([
      'power',
      '--n',
      String(effect.n),
      '--power',
      String(effect.power),
      '--type',
      design(effect.type),
      '--alternative',
      sided(effect.alternative),
    ]);
    expect(detectable.solvedFor).toBe('d');
    expectRelative(detectable.d, effect.delta, 1e-5);
    const engine = tTestPower({ n: 20, delta: 0.5, design: 'paired' });
    const paired = await runJson(['power', '--d', '0.5', '--n', '20', '--type', 'paired']);
    expect(paired.power).toBe(engine.power);
    expect(paired.estimator).toEqual(engine.estimator);
  });

  it('needs exactly two of --d, --n and --power', async () => {
    const error = await expectUserError(['power', '--d', '0.5']);
    expect(error.format()).toMatch(/give exactly two of --d, --n and --power \(got --d\)/);
    const three = await expectUserError(['power', '--d', '0.5', '--n', '20', '--power', '0.8']);
    expect(three.message).toMatch(/got --d, --n, --power/);
  });
});

describe('backfire stats ols', () => {
  const ols = reference(
    'models-ols',
    z.object({
      fits: z.array(
        z.object({
          formula: z.string(),
          levels: z.union([z.array(z.unknown()), z.record(z.string(), z.array(z.string()))]),
          reference: z.object({
            coefficients: z.array(
              z.object({ term: z.string(), estimate: z.number(), se: z.number(), t: z.number(), p: z.number() }),
            ),
            sigma: z.number(),
            rSquared: z.number(),
            adjustedRSquared: z.number(),
            fStatistic: z.unknown(),
            residualDf: z.number(),
            logLik: z.number(),
          }),
        }),
      ),
    }),
  );

  async function expectOlsMatchesR(fitIndex: number, extraArgs: readonly string[]): Promise<Json> {
    const expected = ols.fits[fitIndex]!;
    const output = await runJson(['ols', '--data', join(CSV, 'ols.csv'), '--formula', expected.formula, ...extraArgs]);
    expect(output.coefficients.map((entry: Json) => entry.term)).toEqual(
      expected.reference.coefficients.map((entry) => entry.term),
    );
    expected.reference.coefficients.forEach((coefficient, index) => {
      const actual = output.coefficients[index];
      expectRelative(actual.estimate, coefficient.estimate);
      expectRelative(actual.se, coefficient.se);
      expectRelative(actual.t, coefficient.t);
      expectP(actual.p, coefficient.p);
      expect(Object.keys(actual)).toEqual(['term', 'estimate', 'se', 'df', 't', 'p']);
    });
    expectRelative(output.residualStandardError, expected.reference.sigma);
    expectRelative(output.rSquared, expected.reference.rSquared);
    expectRelative(output.adjustedRSquared, expected.reference.adjustedRSquared);
    expectRelative(output.logLik, expected.reference.logLik);
    expect(output.residualDf).toBe(expected.reference.residualDf);
    if (typeof expected.reference.fStatistic === 'number') {
      expectRelative(output.fStatistic.value, expected.reference.fStatistic);
    }
    return output;
  }

  it("equals R's summary(lm()) with a factor, an interaction and two factors", async () => {
    const first = await expectOlsMatchesR(0, []);
    const table = readCsvFile(join(CSV, 'ols.csv'));
    const columns = Object.fromEntries(
      table.columns.map((name, index) => [
        name,
        table.rows.map((row) => (name === 'g' || name === 'h' ? row[index]! : Number(row[index]))),
      ]),
    );
    const engine = fitOls({ formula: 'y ~ x * g', data: columns });
    expect(first.coefficients).toEqual(engine.coefficients);
    expect(first.estimator).toEqual(engine.estimator);
    await expectOlsMatchesR(
      ols.fits.findIndex((fit) => fit.formula === 'y ~ g * h'),
      [],
    );
    await expectOlsMatchesR(
      ols.fits.findIndex((fit) => fit.formula === 'y ~ x + x2'),
      [],
    );
  });

  it('--reference relevels a factor as relevel() does', async () => {
    const index = ols.fits.findIndex((fit) => !Array.isArray(fit.levels));
    expect(ols.fits[index]!.levels).toEqual({ g: ['c', 'a', 'b'] });
    const output = await expectOlsMatchesR(index, ['--reference', 'g=c']);
    expect(output.estimator.args.referenceLevels).toEqual({ g: 'c' });
  });

  it('prints the coefficient table with the estimator', async () => {
    const run = await runStats(['ols', '--data', join(CSV, 'ols.csv'), '--formula', 'y ~ x * g']);
    expect(run.stdout).toContain('estimator: ols 1.0.0');
    expect(run.stdout).toMatch(/\n {2}term {9}estimate {7}se {8}t {11}p\n {2}\(Intercept\) {3}0\.86924 {2}0\.15882/);
    expect(run.stdout).toContain('residual standard error: 0.92104 on 84 df');
  });
});

describe('backfire stats lmm', () => {
  const FixedSchema = z.object({
    term: z.string(),
    estimate: z.number(),
    se: z.number(),
    df: z.number(),
    t: z.number(),
    p: z.number(),
  });
  const smallGroups = reference(
    'models-lmm-small-groups',
    z.object({
      fits: z.array(
        z.object({
          formula: z.string(),
          reml: z.boolean(),
          reference: z.object({
            fixed: z.array(FixedSchema),
            random: z.array(z.object({ group: z.string(), term: z.string(), variance: z.number(), sd: z.number() })),
            residualVariance: z.number(),
            logLik: z.number(),
            singular: z.boolean(),
            nobs: z.number(),
            ngroups: z.record(z.string(), z.number()),
          }),
        }),
      ),
    }),
  );

  it('prints exactly the documented JSON keys', async () => {
    const output = await runJson([
      'lmm',
      '--data',
      join(CSV, 'lmm-small-groups.csv'),
      '--formula',
      'y ~ x * arm + (1 | cluster)',
    ]);
    expect(Object.keys(output)).toEqual([
      'test',
      'formula',
      'fixed',
      'random',
      'correlations',
      'residualVariance',
      'sigma',
      'logLik',
      'deviance',
      'AIC',
      'BIC',
      'npar',
      'reml',
      'converged',
      'singular',
      'warnings',
      'nobs',
      'ngroups',
      'aliased',
      'estimator',
      'data',
    ]);
    for (const required of [
      'fixed',
      'random',
      'residualVariance',
      'logLik',
      'reml',
      'converged',
      'singular',
      'warnings',
    ]) {
      expect(output).toHaveProperty(required);
    }
    for (const effect of output.fixed) expect(Object.keys(effect)).toEqual(['term', 'estimate', 'se', 'df', 't', 'p']);
    for (const effect of output.random) expect(Object.keys(effect)).toEqual(['group', 'term', 'variance', 'sd']);
    expect(output).toMatchObject({ test: 'lmm', reml: true, converged: true, singular: false, warnings: [] });
  });

  it('equals lme4 + lmerTest on both small-groups models', async () => {
    for (const expected of smallGroups.fits) {
      const output = await runJson(['lmm', '--data', join(CSV, 'lmm-small-groups.csv'), '--formula', expected.formula]);
      expect(output.fixed.map((effect: Json) => effect.term)).toEqual(
        expected.reference.fixed.map((effect) => effect.term),
      );
      expected.reference.fixed.forEach((effect, index) => {
        const actual = output.fixed[index];
        expectRelative(actual.estimate, effect.estimate);
        expectRelative(actual.se, effect.se);
        expectRelative(actual.t, effect.t);
        expectRelative(actual.df, effect.df, 1e-4);
        expectP(actual.p, effect.p);
      });
      expected.reference.random.forEach((effect, index) => {
        expect(output.random[index]).toMatchObject({ group: effect.group, term: effect.term });
        expectRelative(output.random[index].variance, effect.variance);
      });
      expectRelative(output.residualVariance, expected.reference.residualVariance);
      expectRelative(output.logLik, expected.reference.logLik);
      expect(output.nobs).toBe(expected.reference.nobs);
      expect(output.ngroups).toEqual(expected.reference.ngroups);
      expect(output.singular).toBe(expected.reference.singular);
    }
  });

  it('gives the engine exactly what fitLmm gets from the columns (grouping factors as text)', async () => {
    const table = readCsvFile(join(CSV, 'lmm-small-groups.csv'));
    const column = (name: string) => table.rows.map((row) => row[table.columns.indexOf(name)]!);
    const engine = fitLmm({
      formula: 'y ~ x * arm + (1 | cluster)',
      data: { cluster: column('cluster'), arm: column('arm'), x: column('x').map(Number), y: column('y').map(Number) },
    });
    const output = await runJson([
      'lmm',
      '--data',
      join(CSV, 'lmm-small-groups.csv'),
      '--formula',
      'y ~ x * arm + (1 | cluster)',
    ]);
    expect(output.fixed).toEqual(engine.fixed);
    expect(output.random).toEqual(engine.random);
    expect(output.logLik).toBe(engine.logLik);
    expect(output.estimator).toEqual(engine.estimator);
  });

  it('--ml fits by maximum likelihood (the lmm-vs-ols reference), and ols fits the same data', async () => {
    const versus = reference(
      'models-lmm-vs-ols',
      z.object({
        data: z.object({ g: z.array(z.string()), x: z.array(z.number()), y: z.array(z.number()) }),
        formulaLmm: z.string(),
        formulaOls: z.string(),
        reference: z.object({ lmmLogLik: z.number(), olsLogLik: z.number() }),
      }),
    );
    const file = writeCsv('lmm-vs-ols.csv', versus.data);
    const ml = await runJson(['lmm', '--data', file, '--formula', versus.formulaLmm, '--ml']);
    expect(ml.reml).toBe(false);
    expect(ml.estimator.name).toBe('lmm-ml');
    expectRelative(ml.logLik, versus.reference.lmmLogLik);
    const ols = await runJson(['ols', '--data', file, '--formula', versus.formulaOls]);
    expectRelative(ols.logLik, versus.reference.olsLogLik);
  });

  it('prints random and fixed effects as aligned tables with the estimator', async () => {
    const run = await runStats([
      'lmm',
      '--data',
      join(CSV, 'lmm-small-groups.csv'),
      '--formula',
      'y ~ x * arm + (1 | cluster)',
    ]);
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('estimator: lmm-reml 1.0.0');
    expect(run.stdout).toContain(
      '  group     term         variance       sd\n  cluster   (Intercept)   0.35991  0.59993\n  Residual',
    );
    expect(run.stdout).toContain(
      '  term         estimate       se      df         t           p\n  (Intercept)    1.9518  0.17326  82.404    11.265  2.3385e-18',
    );
    expect(run.stdout).toContain('observations: 133; groups: cluster 40');
  });
});

describe('backfire stats: data errors name the file, line and column; nothing reaches stdout', () => {
  const file = (name: string) => join(CSV, name);
  const cases: { name: string; args: string[]; format: RegExp }[] = [
    {
      name: 'an empty cell',
      args: ['ttest', '--data', file('missing.csv'), '--y', 'score', '--group', 'group'],
      format: /missing\.csv: line 4, column "score": missing value \(an empty cell\)\n {2}fix: .*--drop-missing/,
    },
    {
      name: 'NA in a covariate of a model',
      args: ['ols', '--data', file('missing.csv'), '--formula', 'age ~ group'],
      format: /missing\.csv: line 6, column "age": missing value \("NA"\)/,
    },
    {
      name: 'a non-numeric outcome',
      args: ['ttest', '--data', file('non-numeric.csv'), '--y', 'score', '--group', 'group'],
      format: /non-numeric\.csv: line 5, column "score": "1,5" is not a number \(--y must name a numeric column\)/,
    },
    {
      name: 'a non-numeric response',
      args: ['lmm', '--data', file('non-numeric.csv'), '--formula', 'score ~ y + (1 | group)'],
      format:
        /non-numeric\.csv: line 5, column "score": "1,5" is not a number \(the response of the formula must be numeric\)/,
    },
    {
      name: 'a predictor mixing numbers and text',
      args: ['ols', '--data', file('non-numeric.csv'), '--formula', 'y ~ x'],
      format:
        /non-numeric\.csv: line 7, column "x": "five" is not a number, but other cells of the column are\n {2}fix: correct that cell, or pass --factor x/,
    },
    {
      name: 'a non-numeric correlation column',
      args: ['pearson', '--data', file('two-groups.csv'), '--x', 'score', '--y', 'participant'],
      format: /two-groups\.csv: line 2, column "participant": "p01" is not a number/,
    },
    {
      name: 'a grouping column with one level (two-group test)',
      args: ['ttest', '--data', file('one-level.csv'), '--y', 'y', '--group', 'condition'],
      format:
        /one-level\.csv: column "condition": only one level, "treated", in the 5 rows used \(lines 2-6\); a two-group test needs two/,
    },
    {
      name: 'a grouping factor with one level (mixed model)',
      args: ['lmm', '--data', file('one-level.csv'), '--formula', 'y ~ x + (1 | cluster)'],
      format:
        /one-level\.csv: column "cluster": grouping factor "cluster" has only one level, "c1", in the 5 rows used \(lines 2-6\)/,
    },
    {
      name: 'three levels without --levels',
      args: ['g', '--data', file('three-groups.csv'), '--y', 'score', '--group', 'condition'],
      format:
        /three-groups\.csv: column "condition": 3 levels \("baseline", "placebo", "treated"\); a two-group test needs exactly two\n {2}fix: choose two with --levels/,
    },
    {
      name: 'a level --levels names that is not there',
      args: [
        'permutation',
        '--data',
        file('two-groups.csv'),
        '--y',
        'score',
        '--group',
        'condition',
        '--levels',
        'baseline,control',
      ],
      format:
        /two-groups\.csv: column "condition": no level "control" \(named by --levels\)\n {2}fix: choose two of the levels found: "baseline", "treated"/,
    },
    {
      name: 'a formula term that is not a column',
      args: ['lmm', '--data', file('lmm-small-groups.csv'), '--formula', 'y ~ dose + (1 | cluster)'],
      format:
        /lmm-small-groups\.csv: line 1: there is no column "dose" \(named by --formula\)\n {2}fix: use one of the columns in the header: "cluster", "x", "arm", "y"/,
    },
    {
      name: 'an outcome that is not a column',
      args: ['bf-ttest', '--data', file('two-groups.csv'), '--y', 'Score', '--group', 'condition'],
      format: /two-groups\.csv: line 1: there is no column "Score" \(named by --y\)\n {2}fix: did you mean "score"\?/,
    },
    {
      name: 'a duplicate header',
      args: ['bf-cor', '--data', file('duplicate-header.csv'), '--x', 'id', '--y', 'score'],
      format: /duplicate-header\.csv: line 1: the header names column "score" twice/,
    },
    {
      name: 'a ragged row',
      args: ['spearman', '--data', file('ragged.csv'), '--x', 'score', '--y', 'score'],
      format: /ragged\.csv: line 4: the row has 1 field but the header has 2/,
    },
    {
      name: 'a formula without random effects for lmm',
      args: ['lmm', '--data', file('ols.csv'), '--formula', 'y ~ x'],
      format: /^--formula: the formula "y ~ x" has no random-effects term.*\n {2}fix: .*backfire stats ols/,
    },
    {
      name: 'a formula that does not parse',
      args: ['ols', '--data', file('ols.csv'), '--formula', 'y ~ (x'],
      format: /^--formula: Cannot parse model formula/,
    },
    {
      name: 'a reference level that does not occur',
      args: ['ols', '--data', file('ols.csv'), '--formula', 'y ~ g', '--reference', 'g=z'],
      format: /ols\.csv: column "g": no level "z" \(named by --reference\)\n {2}fix: choose one of: "a", "b", "c"/,
    },
    {
      name: '--welch on one sample',
      args: ['ttest', '--data', file('one-sample.csv'), '--y', 'difference', '--welch'],
      format: /^--welch: does not apply without --group/,
    },
    {
      name: 'a two-group test without --group',
      args: ['permutation', '--data', file('two-groups.csv'), '--y', 'score'],
      format: /^--group: required/,
    },
  ];

  for (const { name, args, format } of cases) {
    it(name, async () => {
      const error = await expectUserError(args);
      expect(error.format()).toMatch(format);
    });
  }

  it('turns an engine refusal (constant data) into one message about the file', async () => {
    const constant = writeCsv('constant.csv', { group: ['a', 'a', 'b', 'b'], value: [1, 1, 1, 1] });
    const error = await expectUserError(['ttest', '--data', constant, '--y', 'value', '--group', 'group']);
    expect(error.format()).toMatch(/constant\.csv: data are essentially constant/);
  });

  it('passes other engine refusals on with the file named', async () => {
    const oneRowPerGroup = writeCsv('one-row-per-group.csv', {
      g: ['a', 'b', 'c', 'd'],
      arm: ['u', 'v', 'u', 'v'],
      y: [1, 2, 3, 5],
    });
    const error = await expectUserError(['lmm', '--data', oneRowPerGroup, '--formula', 'y ~ arm + (1 | g)']);
    expect(error.format()).toMatch(/one-row-per-group\.csv: Grouping factor 'g' has 4 levels for 4 rows/);
  });

  it("translates the engine's row numbers into lines of the file", () => {
    const error = (() => {
      try {
        return runEngine('data.csv', [2, 5, 9], () => {
          throw new StatisticsError("Column 'x' has a non-finite value (Infinity) at row 3");
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).format()).toMatch(
      /^data\.csv: Column 'x' has a non-finite value \(Infinity\) at line 9\n/,
    );
  });

  it('rejects a flag value commander parses, with exit code 2 semantics', async () => {
    const run = await runStats([
      'ttest',
      '--data',
      file('two-groups.csv'),
      '--y',
      'score',
      '--group',
      'condition',
      '--alternative',
      'up',
    ]);
    expect(run.stdout).toBe('');
    expect(reportError(run.error, { write: () => true } as unknown as NodeJS.WriteStream)).toBe(2);
  });
});

describe('number and table formatting', () => {
  it('shows five significant digits, integers as they are, and non-finite values by name', () => {
    expect(formatNumber(0.0137729958368952)).toBe('0.013773');
    expect(formatNumber(1.02028666666667)).toBe('1.0203');
    expect(formatNumber(28)).toBe('28');
    expect(formatNumber(0.05)).toBe('0.05');
    expect(formatNumber(2.33851331340826e-18)).toBe('2.3385e-18');
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
    expect(formatNumber(12345678.9)).toBe('1.2346e+7');
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatNumber(null)).toBe('NA');
  });

  it('left-aligns label columns and right-aligns the rest', () => {
    expect(
      formatTable(
        ['term', 'estimate'],
        [
          ['(Intercept)', '1.5'],
          ['x', '-0.25'],
        ],
        1,
      ),
    ).toEqual(['term         estimate', '(Intercept)       1.5', 'x               -0.25']);
  });
});
