import { type Command, InvalidArgumentError, Option } from 'commander';
import { StatisticsError, UserInputError } from '../../contracts/index.js';
import {
  type Alternative,
  CORRELATION_PRIOR_SCALES,
  type CorrelationPriorScale,
  type EffectSizeOptions,
  fitLmm,
  fitOls,
  hedgesG,
  mean,
  oneSampleBayesFactor,
  oneSampleHedgesG,
  oneSampleTTest,
  type PowerDesign,
  type PowerResult,
  type SampleSizeResult,
  pairedBayesFactor,
  pairedHedgesG,
  pairedTTest,
  type LmmFit,
  type OlsFit,
  type ParsedFormula,
  parseFormula,
  pearsonBayesFactor,
  pearsonCorrelation,
  permutationTest,
  spearmanCorrelation,
  standardDeviation,
  T_TEST_PRIOR_SCALES,
  type TTestPriorScale,
  tTestDetectableEffect,
  tTestPower,
  tTestSampleSize,
  twoSampleBayesFactor,
  twoSampleTTest,
} from '../../stats/index.js';
import {
  type CsvTable,
  columnIndex,
  completeRows,
  firstNonNumericRow,
  numericColumn,
  parseNumberCell,
  readCsvFile,
  sortedLevels,
  textColumn,
} from '../csv.js';
import { collect, parseInteger } from '../options.js';

/**
 * `backfire stats <test>`: the statistics engine (src/stats) on any CSV file. This file only reads
 * and checks the columns a test uses, calls the engine and prints its result; every number comes
 * from the engine. Data problems are UserInputErrors naming the file, line and column.
 */

// ---------------------------------------------------------------------------------------------
// Options

export interface DataOptions {
  data: string;
  dropMissing?: boolean;
  json?: boolean;
}

interface SampleOptions extends DataOptions {
  y?: string;
  x?: string;
  group?: string;
  levels?: string;
  paired?: boolean;
  mu?: number;
  alternative?: Alternative;
}

const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];

function parseNumber(name: string, check?: (value: number) => string | undefined): (value: string) => number {
  return (value: string) => {
    const parsed = parseNumberCell(value);
    if (parsed === undefined) throw new InvalidArgumentError(`${name} must be a number, got "${value}".`);
    const problem = check?.(parsed);
    if (problem !== undefined) throw new InvalidArgumentError(`${name} ${problem}, got ${parsed}.`);
    return parsed;
  };
}

const parseProbability = (name: string) =>
  parseNumber(name, (value) => (value > 0 && value < 1 ? undefined : 'must lie strictly between 0 and 1'));

function parsePriorScale<Name extends string>(names: Record<Name, number>): (value: string) => number | Name {
  return (value: string) => {
    if (Object.hasOwn(names, value)) return value as Name;
    const parsed = parseNumberCell(value);
    if (parsed === undefined || !(parsed > 0)) {
      throw new InvalidArgumentError(
        `--rscale must be a positive number or one of ${Object.keys(names).join(', ')}, got "${value}".`,
      );
    }
    return parsed;
  };
}

export function withDataOptions(command: Command): Command {
  return command
    .requiredOption('--data <file>', 'CSV file with a header row (- reads standard input)')
    .option(
      '--drop-missing',
      'drop rows with a missing value (empty, NA, NaN, null) in a used column; reports how many',
    )
    .option('--json', 'print the result as JSON');
}

function withAlternative(command: Command): Command {
  return command.addOption(
    new Option('--alternative <alternative>', 'alternative hypothesis').choices(ALTERNATIVES).default('two-sided'),
  );
}

function withSampleOptions(command: Command, designs: { paired: boolean; oneSample: boolean }): Command {
  command
    .option('--y <column>', 'numeric outcome column (with --paired: the second measure)')
    .option('--group <column>', 'grouping column with exactly two levels (x = first level, y = second)')
    .option('--levels <a,b>', 'the two levels of --group to compare, in the order x,y');
  if (designs.paired) {
    command
      .option('--paired', 'paired samples: the columns --x and --y, one pair per row')
      .option('--x <column>', 'with --paired: the first measure');
  }
  if (designs.oneSample) {
    command.option('--mu <number>', 'null value: of the mean (no --group) or of the difference', parseNumber('--mu'));
  }
  return command;
}

// ---------------------------------------------------------------------------------------------
// Data

export interface DataSummary {
  file: string;
  /** Data rows in the file (the header not counted). */
  rows: number;
  /** Rows the test used. */
  used: number;
  /** Rows dropped by --drop-missing, and their lines. */
  dropped: number;
  droppedLines: number[];
  /** Rows left out because their group is not one of the two compared levels. */
  otherLevels: number;
}

interface SampleDescription {
  column: string;
  group?: string;
  level?: string;
  n: number;
  mean: number;
  sd: number | null;
}

type Design =
  | { kind: 'two-sample'; x: number[]; y: number[] }
  | { kind: 'paired'; x: number[]; y: number[] }
  | { kind: 'one-sample'; x: number[]; y?: undefined };

interface ResolvedSamples {
  design: Design;
  samples: { x: SampleDescription; y?: SampleDescription };
  data: DataSummary;
  /** The lines of the values passed to the engine, to translate its row numbers. */
  lines: number[];
}

function describe(values: readonly number[], column: string, group?: { column: string; level: string }) {
  const description: SampleDescription = {
    column,
    ...(group === undefined ? {} : { group: group.column, level: group.level }),
    n: values.length,
    mean: values.length > 0 ? mean(values) : Number.NaN,
    sd: values.length >= 2 ? standardDeviation(values) : null,
  };
  return description;
}

function summary(table: CsvTable, used: number, droppedLines: number[], otherLevels = 0): DataSummary {
  return {
    file: table.file,
    rows: table.rows.length,
    used,
    dropped: droppedLines.length,
    droppedLines,
    otherLevels,
  };
}

function lineRange(table: CsvTable, rows: readonly number[]): string {
  if (rows.length === 0) return 'no rows';
  const first = table.lines[rows[0]!];
  const last = table.lines[rows[rows.length - 1]!];
  return first === last ? `line ${first}` : `lines ${first}-${last}`;
}

function requireOption(value: string | undefined, option: string, test: string, why: string): string {
  if (value === undefined) {
    throw new UserInputError(`required ${why}`, {
      path: option,
      fix: `name a column with ${option} (see backfire stats ${test} --help)`,
    });
  }
  return value;
}

function rejectOption(value: unknown, option: string, why: string): void {
  if (value !== undefined && value !== false) {
    throw new UserInputError(`does not apply ${why}`, { path: option, fix: `remove ${option}` });
  }
}

/**
 * The samples of a one-sample, paired or two-group test. Two groups: rows with a missing group are
 * handled first, then the two levels are chosen, then missing outcomes among those rows.
 */
function resolveSamples(test: string, options: SampleOptions, allowed: { oneSample: boolean }): ResolvedSamples {
  const dropMissing = options.dropMissing === true;
  if (options.paired === true) {
    rejectOption(options.group, '--group', 'to paired samples (each row holds one pair: --x and --y)');
    rejectOption(options.levels, '--levels', 'to paired samples');
    const xColumn = requireOption(options.x, '--x', test, 'with --paired (the first measure)');
    const yColumn = requireOption(options.y, '--y', test, 'with --paired (the second measure)');
    const table = readCsvFile(options.data);
    columnIndex(table, xColumn, '--x');
    columnIndex(table, yColumn, '--y');
    const selection = completeRows(table, [xColumn, yColumn], { dropMissing });
    const x = numericColumn(table, xColumn, selection.rows, '--x must name a numeric column');
    const y = numericColumn(table, yColumn, selection.rows, '--y must name a numeric column');
    return {
      design: { kind: 'paired', x, y },
      samples: { x: describe(x, xColumn), y: describe(y, yColumn) },
      data: summary(table, selection.rows.length, selection.droppedLines),
      lines: selection.rows.map((row) => table.lines[row]!),
    };
  }
  rejectOption(options.x, '--x', 'without --paired (the outcome column is --y)');
  const yColumn = requireOption(options.y, '--y', test, '(the numeric outcome column)');
  if (options.group === undefined) {
    if (!allowed.oneSample) {
      requireOption(undefined, '--group', test, '(a column with the two groups to compare)');
    }
    rejectOption(options.levels, '--levels', 'without --group');
    const table = readCsvFile(options.data);
    columnIndex(table, yColumn, '--y');
    const selection = completeRows(table, [yColumn], { dropMissing });
    const x = numericColumn(table, yColumn, selection.rows, '--y must name a numeric column');
    return {
      design: { kind: 'one-sample', x },
      samples: { x: describe(x, yColumn) },
      data: summary(table, selection.rows.length, selection.droppedLines),
      lines: selection.rows.map((row) => table.lines[row]!),
    };
  }
  const groupColumn = options.group;
  const table = readCsvFile(options.data);
  columnIndex(table, yColumn, '--y');
  columnIndex(table, groupColumn, '--group');
  const grouped = completeRows(table, [groupColumn], { dropMissing });
  const labels = textColumn(table, groupColumn, grouped.rows);
  const found = sortedLevels(labels);
  const chosen = chooseLevels(table, groupColumn, found, grouped.rows, options.levels);
  const inLevels = grouped.rows.filter((_, position) => chosen.includes(labels[position]!));
  const complete = completeRows(table, [yColumn], { dropMissing, candidates: inLevels });
  const values = numericColumn(table, yColumn, complete.rows, '--y must name a numeric column');
  const groupOf = textColumn(table, groupColumn, complete.rows);
  const [xLevel, yLevel] = chosen;
  const x = values.filter((_, position) => groupOf[position] === xLevel);
  const y = values.filter((_, position) => groupOf[position] === yLevel);
  for (const [level, sample] of [
    [xLevel, x],
    [yLevel, y],
  ] as const) {
    if (sample.length === 0) {
      throw new UserInputError(`no row of level "${level}" of "${groupColumn}" has a value`, {
        file: table.file,
        path: `column "${yColumn}"`,
        fix: 'fill in the missing outcomes, or compare other levels with --levels',
      });
    }
  }
  const rowsByGroup = [
    ...complete.rows.filter((_, position) => groupOf[position] === xLevel),
    ...complete.rows.filter((_, position) => groupOf[position] === yLevel),
  ];
  return {
    design: { kind: 'two-sample', x, y },
    samples: {
      x: describe(x, yColumn, { column: groupColumn, level: xLevel }),
      y: describe(y, yColumn, { column: groupColumn, level: yLevel }),
    },
    data: summary(
      table,
      complete.rows.length,
      [...grouped.droppedLines, ...complete.droppedLines].sort((a, b) => a - b),
      grouped.rows.length - inLevels.length,
    ),
    lines: rowsByGroup.map((row) => table.lines[row]!),
  };
}

function chooseLevels(
  table: CsvTable,
  column: string,
  found: readonly string[],
  rows: readonly number[],
  requested: string | undefined,
): [string, string] {
  const list = found.map((level) => `"${level}"`).join(', ');
  if (requested !== undefined) {
    const levels = requested.split(',').map((level) => level.trim());
    if (levels.length !== 2 || levels[0] === '' || levels[1] === '' || levels[0] === levels[1]) {
      throw new UserInputError(`--levels must name two different levels separated by a comma, got "${requested}"`, {
        path: '--levels',
        fix: `choose two of the levels of "${column}": ${list}, e.g. --levels ${found.slice(0, 2).join(',')}`,
      });
    }
    for (const level of levels) {
      if (!found.includes(level)) {
        throw new UserInputError(`no level "${level}" (named by --levels)`, {
          file: table.file,
          path: `column "${column}"`,
          fix: `choose two of the levels found: ${list}`,
        });
      }
    }
    return [levels[0]!, levels[1]!];
  }
  if (found.length === 2) return [found[0]!, found[1]!];
  if (found.length === 0) {
    throw new UserInputError('no row has a value', {
      file: table.file,
      path: `column "${column}"`,
      fix: 'check that --group names the column that holds the groups',
    });
  }
  if (found.length < 2) {
    throw new UserInputError(
      `only one level, ${list}, in the ${rows.length} rows used (${lineRange(table, rows)}); a two-group test needs two`,
      {
        file: table.file,
        path: `column "${column}"`,
        fix: `check that --group names the column that holds the groups`,
      },
    );
  }
  throw new UserInputError(`${found.length} levels (${list}); a two-group test needs exactly two`, {
    file: table.file,
    path: `column "${column}"`,
    fix: `choose two with --levels, e.g. --levels ${found.slice(0, 2).join(',')} (the first is x, the second y)`,
  });
}

interface PairedColumns {
  x: number[];
  y: number[];
  variables: { x: string; y: string };
  data: DataSummary;
  lines: number[];
}

function resolvePairs(options: DataOptions & { x: string; y: string }): PairedColumns {
  const table = readCsvFile(options.data);
  columnIndex(table, options.x, '--x');
  columnIndex(table, options.y, '--y');
  const selection = completeRows(table, [options.x, options.y], { dropMissing: options.dropMissing === true });
  return {
    x: numericColumn(table, options.x, selection.rows, '--x must name a numeric column'),
    y: numericColumn(table, options.y, selection.rows, '--y must name a numeric column'),
    variables: { x: options.x, y: options.y },
    data: summary(table, selection.rows.length, selection.droppedLines),
    lines: selection.rows.map((row) => table.lines[row]!),
  };
}

// ---------------------------------------------------------------------------------------------
// Engine boundary

/**
 * Runs an engine call; a StatisticsError (constant data, too few observations...) is a problem
 * with the user's data, so it becomes a UserInputError. The engine numbers rows from 1 in the data
 * it was given; those are translated to the file's lines.
 */
export function runEngine<T>(file: string | undefined, lines: readonly number[], calculation: () => T): T {
  try {
    return calculation();
  } catch (error) {
    if (!(error instanceof StatisticsError)) throw error;
    const message = error.message.replace(/\brow (\d+)\b/g, (text, row: string) => {
      const line = lines[Number(row) - 1];
      return line === undefined ? text : `line ${line}`;
    });
    throw new UserInputError(message, {
      file,
      path: '',
      fix: 'check the columns and options named in the message; the statistics engine cannot compute this test on these data',
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Output

export type Output = { test: string } & Record<string, unknown>;

export function emit(output: Output, json: boolean | undefined, text: () => string[]): void {
  // Open interval ends and overflowing Bayes factors are ±Infinity; JSON has no such number and
  // JSON.stringify writes null, which is what we document.
  process.stdout.write(json === true ? `${JSON.stringify(output, null, 2)}\n` : `${text().join('\n')}\n`);
}

/**
 * Five significant digits for reading (the JSON output keeps every digit): plain notation in
 * [1e-4, 1e6), scientific outside it, trailing zeros dropped.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NA';
  if (value === Number.POSITIVE_INFINITY) return 'Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e6) {
    return value.toExponential(4).replace(/\.?0+e/, 'e');
  }
  const decimals = Math.min(9, Math.max(0, 4 - Math.floor(Math.log10(magnitude))));
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function formatInterval(interval: readonly [number, number] | null): string {
  return interval === null ? 'NA' : `[${formatNumber(interval[0])}, ${formatNumber(interval[1])}]`;
}

/**
 * A plain table: the first `textColumns` columns left-aligned (labels), the rest right-aligned
 * (numbers), two spaces apart.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  textColumns = 0,
): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/**
 * The lines a mixed model (LMM or GLMM) prints after its variance components: the correlations of
 * random effects, when there are any, and the observations and groups.
 */
export function randomCorrelationAndGroupLines(fit: Pick<LmmFit, 'correlations' | 'nobs' | 'ngroups'>): string[] {
  return [
    ...(fit.correlations.length === 0
      ? []
      : [
          'Correlations of random effects:',
          ...indent(
            formatTable(
              ['group', 'term 1', 'term 2', 'correlation'],
              fit.correlations.map((entry) => [entry.group, entry.term1, entry.term2, formatNumber(entry.correlation)]),
              3,
            ),
          ),
        ]),
    `observations: ${fit.nobs}; groups: ${Object.entries(fit.ngroups)
      .map(([group, count]) => `${group} ${count}`)
      .join(', ')}`,
  ];
}

export function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

/** The two columns of a paired test and how many complete pairs they gave. */
function pairsLine(pairs: PairedColumns): string {
  return `x: "${pairs.variables.x}"; y: "${pairs.variables.y}"; ${pairs.x.length} pairs`;
}

export function estimatorLine(estimator: { name: string; version: string }): string {
  return `estimator: ${estimator.name} ${estimator.version}`;
}

export function dataLines(data: DataSummary): string[] {
  const parts = [`data: ${data.file}: ${data.used} of ${data.rows} rows used`];
  if (data.otherLevels > 0) parts.push(`${data.otherLevels} in other levels of the group column left out`);
  if (data.dropped > 0) {
    const shown = data.droppedLines.slice(0, 10).join(', ');
    parts.push(
      `${data.dropped} dropped for missing values (line${data.dropped === 1 ? '' : 's'} ${shown}${data.dropped > 10 ? ', ...' : ''})`,
    );
  }
  return [parts.join('; ')];
}

export function warningLines(warnings: readonly string[]): string[] {
  return warnings.length === 0 ? [] : ['', 'warnings:', ...warnings.map((warning) => `  - ${warning}`)];
}

function sampleLines(samples: { x: SampleDescription; y?: SampleDescription | undefined }): string[] {
  const describeSample = (name: string, sample: SampleDescription) => {
    const where =
      sample.level === undefined
        ? `"${sample.column}"`
        : `"${sample.column}" where "${sample.group}" = "${sample.level}"`;
    return `${name}: ${where} (n = ${sample.n}, mean = ${formatNumber(sample.mean)}, sd = ${formatNumber(sample.sd)})`;
  };
  return [describeSample('x', samples.x), ...(samples.y === undefined ? [] : [describeSample('y', samples.y)])];
}

function hypothesisLine(quantity: string, alternative: Alternative, value: number): string {
  const relation = alternative === 'two-sided' ? '!=' : alternative === 'less' ? '<' : '>';
  return `H1: ${quantity} ${relation} ${formatNumber(value)}`;
}

function estimateOf(design: Design['kind']): string {
  return design === 'two-sample' ? 'mean(x) - mean(y)' : design === 'paired' ? 'mean(x - y)' : 'mean(x)';
}

// ---------------------------------------------------------------------------------------------
// Commands

/** Registers `stats` and its tests; returns the `stats` command (stats-glmm.ts adds glmm, glm, lrt, contrast). */
export function registerStats(program: Command): Command {
  const stats = program
    .command('stats')
    .description(
      'run the statistics engine on any CSV file: lmm, ols, glmm, glm, lrt, contrast, ttest, g, pearson, spearman, permutation, bf-ttest, bf-cor, power',
    );
  registerModelCommands(stats);
  registerTTest(stats);
  registerHedgesG(stats);
  registerCorrelations(stats);
  registerPermutation(stats);
  registerBayesFactors(stats);
  registerPower(stats);
  return stats;
}

export interface ModelOptions extends DataOptions {
  formula: string;
  factor?: string[];
  reference?: string[];
  ml?: boolean;
}

function registerModelCommands(stats: Command): void {
  for (const kind of ['lmm', 'ols'] as const) {
    const command = stats
      .command(kind)
      .description(
        kind === 'lmm'
          ? 'linear mixed model, as lme4::lmer with lmerTest (Satterthwaite df); REML unless --ml'
          : 'ordinary least squares, as summary(lm())',
      )
      .requiredOption(
        '--formula <formula>',
        kind === 'lmm' ? 'R formula with random terms, e.g. "y ~ x + (1 | group)"' : 'R formula, e.g. "y ~ x * g"',
      )
      .option('--factor <column>', 'treat a numeric column as a factor (repeatable)', collect)
      .option('--reference <column=level>', "a factor's reference level, as relevel() (repeatable)", collect);
    if (kind === 'lmm') command.option('--ml', 'fit by maximum likelihood instead of REML');
    withDataOptions(command).action((options: ModelOptions) => runModel(kind, options));
  }
}

export function parseModelFormula(kind: 'lmm' | 'ols', text: string): ParsedFormula {
  let formula: ParsedFormula;
  try {
    formula = parseFormula(text);
  } catch (error) {
    if (!(error instanceof StatisticsError)) throw error;
    throw new UserInputError(error.message, {
      path: '--formula',
      fix: 'write an R formula such as "y ~ x + (1 | group)" (src/stats/README.md lists what is supported)',
    });
  }
  if (kind === 'lmm' && formula.randomTerms.length === 0) {
    throw new UserInputError(`the formula "${text}" has no random-effects term such as (1 | group)`, {
      path: '--formula',
      fix: 'add a random-effects term, or use `backfire stats ols` for a model without one',
    });
  }
  if (kind === 'ols' && formula.randomTerms.length > 0) {
    throw new UserInputError(`the formula "${text}" has random-effects terms`, {
      path: '--formula',
      fix: 'use `backfire stats lmm` for a mixed model, or remove the (... | group) terms',
    });
  }
  return formula;
}

export interface ModelInput {
  table: CsvTable;
  columns: Record<string, (number | string)[]>;
  factors: string[];
  referenceLevels: Record<string, string>;
  data: DataSummary;
  lines: number[];
}

function parseReferenceLevels(table: CsvTable, entries: readonly string[]): Record<string, string> {
  const referenceLevels: Record<string, string> = {};
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    if (separator <= 0) {
      throw new UserInputError(`--reference must be column=level, got "${entry}"`, {
        path: '--reference',
        fix: 'write e.g. --reference language_group=suppress',
      });
    }
    const column = entry.slice(0, separator);
    columnIndex(table, column, '--reference');
    referenceLevels[column] = entry.slice(separator + 1);
  }
  return referenceLevels;
}

/**
 * The formula's columns, checked here so that every problem names a line of the file: the response
 * is numeric, predictors are numeric or text (never both), grouping and declared factors stay text
 * (so "007" and "7" remain distinct levels), and each grouping factor has two levels.
 */
export function modelInput(formula: ParsedFormula, options: ModelOptions): ModelInput {
  const table = readCsvFile(options.data);
  for (const name of formula.variables) columnIndex(table, name, '--formula');
  const factors = options.factor ?? [];
  for (const name of factors) columnIndex(table, name, '--factor');
  const referenceLevels = parseReferenceLevels(table, options.reference ?? []);
  const selection = completeRows(table, formula.variables, { dropMissing: options.dropMissing === true });
  const rows = selection.rows;
  const grouping = new Set(formula.randomTerms.flatMap((term) => term.groupVariables));
  const columns: Record<string, (number | string)[]> = {};
  for (const name of formula.variables) {
    if (name === formula.response) {
      columns[name] = numericColumn(table, name, rows, 'the response of the formula must be numeric');
    } else if (grouping.has(name) || factors.includes(name) || Object.hasOwn(referenceLevels, name)) {
      columns[name] = textColumn(table, name, rows);
    } else {
      columns[name] = predictorColumn(table, name, rows);
    }
  }
  for (const [column, level] of Object.entries(referenceLevels)) {
    if (!Object.hasOwn(columns, column)) {
      throw new UserInputError(`--reference names column "${column}", which the formula does not use`, {
        path: '--reference',
        fix: `name a factor of the formula: ${formula.variables.join(', ')}`,
      });
    }
    const levels = sortedLevels(textColumn(table, column, rows));
    if (!levels.includes(level)) {
      throw new UserInputError(`no level "${level}" (named by --reference)`, {
        file: table.file,
        path: `column "${column}"`,
        fix: `choose one of: ${levels.map((value) => `"${value}"`).join(', ')}`,
      });
    }
  }
  for (const term of formula.randomTerms) requireTwoGroups(table, term, rows);
  return {
    table,
    columns,
    factors,
    referenceLevels,
    data: summary(table, rows.length, selection.droppedLines),
    lines: rows.map((row) => table.lines[row]!),
  };
}

function requireTwoGroups(table: CsvTable, term: ParsedFormula['randomTerms'][number], rows: readonly number[]): void {
  const indices = term.groupVariables.map((name) => table.columns.indexOf(name));
  const keys = new Set(rows.map((row) => indices.map((index) => table.rows[row]![index]!).join('\u0000')));
  if (keys.size >= 2 || rows.length === 0) return;
  const level = [...keys][0]!.split('\u0000').join(':');
  throw new UserInputError(
    `grouping factor "${term.group}" has only one level, "${level}", in the ${rows.length} rows used (${lineRange(table, rows)}); the random term ${term.text} needs at least two groups`,
    {
      file: table.file,
      path: term.groupVariables.map((name) => `column "${name}"`).join(', '),
      fix: 'check that the formula names the grouping column, or fit the model without this term',
    },
  );
}

/**
 * A fixed-effect predictor: numeric when every used cell is a number, a factor when none is. A
 * column mixing both is almost always a typo, so it is an error at the first cell that is text.
 */
function predictorColumn(table: CsvTable, name: string, rows: readonly number[]): (number | string)[] {
  const text = textColumn(table, name, rows);
  const numbers = text.map(parseNumberCell);
  const numericCount = numbers.filter((value) => value !== undefined).length;
  if (numericCount === rows.length) return numbers as number[];
  if (numericCount === 0) return text;
  const row = firstNonNumericRow(table, name, rows)!;
  throw new UserInputError(`"${text[rows.indexOf(row)]}" is not a number, but other cells of the column are`, {
    file: table.file,
    path: `line ${table.lines[row]}, column "${name}"`,
    fix: `correct that cell, or pass --factor ${name} to treat every value of "${name}" as a level`,
  });
}

function runModel(kind: 'lmm' | 'ols', options: ModelOptions): void {
  const formula = parseModelFormula(kind, options.formula);
  const input = modelInput(formula, options);
  const modelOptions = {
    formula: options.formula,
    data: input.columns,
    ...(input.factors.length > 0 ? { factors: input.factors } : {}),
    ...(Object.keys(input.referenceLevels).length > 0 ? { referenceLevels: input.referenceLevels } : {}),
  };
  if (kind === 'lmm') {
    const fit = runEngine(input.table.file, input.lines, () => fitLmm({ ...modelOptions, reml: options.ml !== true }));
    printLmm(fit, input.data, options.json);
  } else {
    const fit = runEngine(input.table.file, input.lines, () => fitOls(modelOptions));
    printOls(fit, input.data, options.json);
  }
}

function printLmm(fit: LmmFit, data: DataSummary, json: boolean | undefined): void {
  // The engine's fit also holds optimiser state, BLUPs and derivatives; print what a reader cites.
  const output = {
    test: 'lmm',
    formula: fit.formula,
    fixed: fit.fixed,
    random: fit.random,
    correlations: fit.correlations,
    residualVariance: fit.residualVariance,
    sigma: fit.sigma,
    logLik: fit.logLik,
    deviance: fit.deviance,
    AIC: fit.AIC,
    BIC: fit.BIC,
    npar: fit.npar,
    reml: fit.reml,
    converged: fit.converged,
    singular: fit.singular,
    warnings: fit.warnings,
    nobs: fit.nobs,
    ngroups: fit.ngroups,
    aliased: fit.aliased,
    estimator: fit.estimator,
    data,
  };
  emit(output, json, () => [
    `Linear mixed model fit by ${fit.reml ? 'REML' : 'maximum likelihood'} (Satterthwaite df, as lmerTest)`,
    estimatorLine(fit.estimator),
    ...dataLines(data),
    `formula: ${fit.formula}`,
    `${fit.reml ? 'REML criterion' : 'deviance'}: ${formatNumber(fit.deviance)}; logLik: ${formatNumber(fit.logLik)}; AIC: ${formatNumber(fit.AIC)}; BIC: ${formatNumber(fit.BIC)}`,
    `converged: ${fit.converged ? 'yes' : 'no'}; singular: ${fit.singular ? 'yes' : 'no'}`,
    '',
    'Random effects:',
    ...indent(
      formatTable(
        ['group', 'term', 'variance', 'sd'],
        [
          ...fit.random.map((effect) => [
            effect.group,
            effect.term,
            formatNumber(effect.variance),
            formatNumber(effect.sd),
          ]),
          ['Residual', '', formatNumber(fit.residualVariance), formatNumber(fit.sigma)],
        ],
        2,
      ),
    ),
    ...randomCorrelationAndGroupLines(fit),
    '',
    'Fixed effects:',
    ...indent(
      formatTable(
        ['term', 'estimate', 'se', 'df', 't', 'p'],
        fit.fixed.map((effect) => [
          effect.term,
          formatNumber(effect.estimate),
          formatNumber(effect.se),
          formatNumber(effect.df),
          formatNumber(effect.t),
          formatNumber(effect.p),
        ]),
        1,
      ),
    ),
    ...(fit.aliased.length > 0 ? [`aliased (not estimable): ${fit.aliased.join(', ')}`] : []),
    ...warningLines(fit.warnings),
  ]);
}

function printOls(fit: OlsFit, data: DataSummary, json: boolean | undefined): void {
  const output = {
    test: 'ols',
    formula: fit.formula,
    coefficients: fit.coefficients,
    residualStandardError: fit.residualStandardError,
    residualDf: fit.residualDf,
    rSquared: fit.rSquared,
    adjustedRSquared: fit.adjustedRSquared,
    fStatistic: fit.fStatistic,
    logLik: fit.logLik,
    AIC: fit.AIC,
    BIC: fit.BIC,
    npar: fit.npar,
    nobs: fit.nobs,
    aliased: fit.aliased,
    warnings: fit.warnings,
    estimator: fit.estimator,
    data,
  };
  emit(output, json, () => [
    'Ordinary least squares (as summary(lm()))',
    estimatorLine(fit.estimator),
    ...dataLines(data),
    `formula: ${fit.formula}`,
    '',
    ...indent(
      formatTable(
        ['term', 'estimate', 'se', 't', 'p'],
        fit.coefficients.map((coefficient) => [
          coefficient.term,
          formatNumber(coefficient.estimate),
          formatNumber(coefficient.se),
          formatNumber(coefficient.t),
          formatNumber(coefficient.p),
        ]),
        1,
      ),
    ),
    '',
    `residual standard error: ${formatNumber(fit.residualStandardError)} on ${fit.residualDf} df`,
    `R-squared: ${formatNumber(fit.rSquared)}; adjusted R-squared: ${formatNumber(fit.adjustedRSquared)}`,
    fit.fStatistic === null
      ? 'F statistic: none (intercept-only model)'
      : `F statistic: ${formatNumber(fit.fStatistic.value)} on ${fit.fStatistic.numeratorDf} and ${fit.fStatistic.denominatorDf} df, p = ${formatNumber(fit.fStatistic.p)}`,
    `logLik: ${formatNumber(fit.logLik)}; AIC: ${formatNumber(fit.AIC)}; BIC: ${formatNumber(fit.BIC)}; observations: ${fit.nobs}`,
    ...(fit.aliased.length > 0 ? [`aliased (not estimable): ${fit.aliased.join(', ')}`] : []),
    ...warningLines(fit.warnings),
  ]);
}

interface TTestCommandOptions extends SampleOptions {
  welch?: boolean;
  ciLevel: number;
}

function registerTTest(stats: Command): void {
  const command = stats
    .command('ttest')
    .description("t test, as R's t.test: two groups (--y --group; Student unless --welch), paired, or one-sample")
    .option('--welch', "Welch's unequal-variance test instead of Student's pooled test")
    .option('--ci-level <level>', 'confidence level', parseProbability('--ci-level'), 0.95);
  withAlternative(withSampleOptions(command, { paired: true, oneSample: true }));
  withDataOptions(command).action((options: TTestCommandOptions) => {
    if (options.welch === true && options.group === undefined) {
      rejectOption(true, '--welch', 'without --group (it chooses between two-sample tests)');
    }
    const resolved = resolveSamples('ttest', options, { oneSample: true });
    const settings = {
      alternative: options.alternative ?? 'two-sided',
      mu: options.mu ?? 0,
      ciLevel: options.ciLevel,
    };
    const { design } = resolved;
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      design.kind === 'two-sample'
        ? twoSampleTTest(design.x, design.y, { ...settings, equalVariances: options.welch !== true })
        : design.kind === 'paired'
          ? pairedTTest(design.x, design.y, settings)
          : oneSampleTTest(design.x, settings),
    );
    const title = {
      student: "Student's two-sample t test (pooled variance)",
      welch: "Welch's two-sample t test (unequal variances)",
      paired: 'Paired t test',
      'one-sample': 'One-sample t test',
    }[result.method];
    const output = {
      test: 'ttest',
      ...result,
      estimateOf: estimateOf(design.kind),
      samples: resolved.samples,
      data: resolved.data,
    };
    emit(output, options.json, () => [
      title,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      hypothesisLine(estimateOf(design.kind), result.alternative, result.mu),
      '',
      ...formatTable(
        ['estimate', 'se', 't', 'df', 'p', `${formatNumber(result.ciLevel * 100)}% CI`],
        [
          [
            formatNumber(result.estimate),
            formatNumber(result.standardError),
            formatNumber(result.statistic),
            formatNumber(result.df),
            formatNumber(result.p),
            formatInterval(result.ci),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}

interface HedgesGOptions extends SampleOptions {
  ciLevel: number;
}

function registerHedgesG(stats: Command): void {
  const command = stats
    .command('g')
    .description(
      "Hedges' g with the exact small-sample correction and a noncentral-t CI: two groups, paired (g_z) or one sample",
    )
    .option('--ci-level <level>', 'confidence level', parseProbability('--ci-level'), 0.95);
  withSampleOptions(command, { paired: true, oneSample: true });
  withDataOptions(command).action((options: HedgesGOptions) => {
    const resolved = resolveSamples('g', options, { oneSample: true });
    const settings: EffectSizeOptions = { ciLevel: options.ciLevel };
    const { design } = resolved;
    if (design.kind !== 'one-sample') rejectOption(options.mu, '--mu', 'to a two-group or paired g');
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      design.kind === 'two-sample'
        ? hedgesG(design.x, design.y, settings)
        : design.kind === 'paired'
          ? pairedHedgesG(design.x, design.y, settings)
          : oneSampleHedgesG(design.x, { ...settings, mu: options.mu ?? 0 }),
    );
    const standardized =
      design.kind === 'two-sample'
        ? '(mean(x) - mean(y)) / pooled sd'
        : design.kind === 'paired'
          ? 'mean(x - y) / sd(x - y)'
          : `(mean(x) - ${formatNumber(options.mu ?? 0)}) / sd(x)`;
    const output = { test: 'g', ...result, standardized, samples: resolved.samples, data: resolved.data };
    emit(output, options.json, () => [
      `Hedges' g (${design.kind}): J x ${standardized}`,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      '',
      ...formatTable(
        ['g', `${formatNumber(result.ciLevel * 100)}% CI`, 'd', 'J', 't', 'df', 'p'],
        [
          [
            formatNumber(result.g),
            formatInterval(result.ciG),
            formatNumber(result.d),
            formatNumber(result.correction),
            formatNumber(result.t),
            formatNumber(result.df),
            formatNumber(result.p),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}

interface CorrelationCommandOptions extends DataOptions {
  x: string;
  y: string;
  alternative?: Alternative;
  ciLevel: number;
  exact?: boolean;
}

function registerCorrelations(stats: Command): void {
  const pearson = stats
    .command('pearson')
    .description('Pearson correlation with its t test and Fisher-z CI, as cor.test')
    .requiredOption('--x <column>', 'first numeric column')
    .requiredOption('--y <column>', 'second numeric column')
    .option('--ci-level <level>', 'confidence level', parseProbability('--ci-level'), 0.95);
  withDataOptions(withAlternative(pearson)).action((options: CorrelationCommandOptions) => {
    const pairs = resolvePairs(options);
    const result = runEngine(pairs.data.file, pairs.lines, () =>
      pearsonCorrelation(pairs.x, pairs.y, {
        alternative: options.alternative ?? 'two-sided',
        ciLevel: options.ciLevel,
      }),
    );
    const output = { test: 'pearson', ...result, variables: pairs.variables, data: pairs.data };
    emit(output, options.json, () => [
      "Pearson's product-moment correlation",
      estimatorLine(result.estimator),
      ...dataLines(pairs.data),
      pairsLine(pairs),
      hypothesisLine('rho', result.alternative, 0),
      '',
      ...formatTable(
        ['r', `${formatNumber(result.ciLevel * 100)}% CI`, 't', 'df', 'p'],
        [
          [
            formatNumber(result.estimate),
            formatInterval(result.ci),
            formatNumber(result.statistic),
            formatNumber(result.df),
            formatNumber(result.p),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });

  const spearman = stats
    .command('spearman')
    .description('Spearman rank correlation with the p-value of cor.test(method = "spearman")')
    .requiredOption('--x <column>', 'first numeric column')
    .requiredOption('--y <column>', 'second numeric column')
    .option('--no-exact', 'use the t approximation for the p-value even without ties');
  withDataOptions(withAlternative(spearman)).action((options: CorrelationCommandOptions) => {
    const pairs = resolvePairs(options);
    const result = runEngine(pairs.data.file, pairs.lines, () =>
      spearmanCorrelation(pairs.x, pairs.y, {
        alternative: options.alternative ?? 'two-sided',
        exact: options.exact !== false,
      }),
    );
    const output = { test: 'spearman', ...result, variables: pairs.variables, data: pairs.data };
    emit(output, options.json, () => [
      "Spearman's rank correlation",
      estimatorLine(result.estimator),
      ...dataLines(pairs.data),
      pairsLine(pairs),
      hypothesisLine('rho', result.alternative, 0),
      '',
      ...formatTable(
        ['rho', 'S', 'p', 'p method'],
        [[formatNumber(result.estimate), formatNumber(result.statistic), formatNumber(result.p), result.pMethod]],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}

interface PermutationCommandOptions extends SampleOptions {
  permutations: number;
  seed: number;
}

function registerPermutation(stats: Command): void {
  const command = stats
    .command('permutation')
    .description(
      'two-group permutation test of mean(x) - mean(y): exact when C(n1 + n2, n1) <= 100000, else seeded Monte Carlo',
    )
    .option(
      '--permutations <n>',
      'random relabellings when exact enumeration is too large',
      parseInteger('--permutations', 1),
      9999,
    )
    .option('--seed <n>', 'seed of the random relabellings', parseInteger('--seed'), 1);
  withAlternative(withSampleOptions(command, { paired: false, oneSample: false }));
  withDataOptions(command).action((options: PermutationCommandOptions) => {
    const resolved = resolveSamples('permutation', options, { oneSample: false });
    const { design } = resolved;
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      permutationTest(design.x, design.y ?? [], {
        alternative: options.alternative ?? 'two-sided',
        resamples: options.permutations,
        seed: options.seed,
      }),
    );
    const output = {
      test: 'permutation',
      ...result,
      estimateOf: 'mean(x) - mean(y)',
      samples: resolved.samples,
      data: resolved.data,
    };
    emit(output, options.json, () => [
      `Permutation test of the mean difference (${result.method === 'exact' ? 'exact enumeration' : `Monte Carlo, seed ${result.seed}`})`,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      hypothesisLine('mean(x) - mean(y)', result.alternative, 0),
      '',
      ...formatTable(
        ['statistic', 'p', 'permutations', 'as extreme', 'MC se'],
        [
          [
            formatNumber(result.statistic),
            formatNumber(result.p),
            String(result.permutations),
            String(result.atLeastAsExtreme),
            formatNumber(result.monteCarloStandardError),
          ],
        ],
      ),
      ...warningLines(result.warnings),
    ]);
  });
}

interface BayesTTestOptions extends SampleOptions {
  rscale?: TTestPriorScale;
}

interface BayesCorrelationOptions extends DataOptions {
  x: string;
  y: string;
  rscale?: CorrelationPriorScale;
}

function bayesFactorLines(result: { bf10: number; bf01: number; logBf10: number; rScale: number }): string[] {
  return formatTable(
    ['BF10', 'BF01', 'log BF10', 'prior scale'],
    [[formatNumber(result.bf10), formatNumber(result.bf01), formatNumber(result.logBf10), formatNumber(result.rScale)]],
  );
}

function registerBayesFactors(stats: Command): void {
  const tCommand = stats
    .command('bf-ttest')
    .description('JZS Bayes factor of a t test, as BayesFactor::ttestBF: two groups, paired, or one sample')
    .option(
      '--rscale <scale>',
      `Cauchy prior scale: a number or ${Object.keys(T_TEST_PRIOR_SCALES).join(', ')} (default medium = sqrt(2)/2)`,
      parsePriorScale(T_TEST_PRIOR_SCALES),
    );
  withSampleOptions(tCommand, { paired: true, oneSample: true });
  withDataOptions(tCommand).action((options: BayesTTestOptions) => {
    const resolved = resolveSamples('bf-ttest', options, { oneSample: true });
    const { design } = resolved;
    if (design.kind !== 'one-sample') rejectOption(options.mu, '--mu', 'to a two-group or paired Bayes factor');
    const prior = options.rscale === undefined ? {} : { rScale: options.rscale };
    const result = runEngine(resolved.data.file, resolved.lines, () =>
      design.kind === 'two-sample'
        ? twoSampleBayesFactor(design.x, design.y, prior)
        : design.kind === 'paired'
          ? pairedBayesFactor(design.x, design.y, prior)
          : oneSampleBayesFactor(design.x, { ...prior, mu: options.mu ?? 0 }),
    );
    const output = { test: 'bf-ttest', ...result, samples: resolved.samples, data: resolved.data };
    emit(output, options.json, () => [
      `JZS Bayes factor, ${design.kind} t test (H1: ${estimateOf(design.kind)} != ${formatNumber(options.mu ?? 0)}, Cauchy prior on the standardized effect)`,
      estimatorLine(result.estimator),
      ...dataLines(resolved.data),
      ...sampleLines(resolved.samples),
      `t = ${formatNumber(result.statistic)}`,
      '',
      ...bayesFactorLines(result),
      ...warningLines(result.warnings),
    ]);
  });

  const corCommand = stats
    .command('bf-cor')
    .description('Bayes factor for a Pearson correlation, as BayesFactor::correlationBF')
    .requiredOption('--x <column>', 'first numeric column')
    .requiredOption('--y <column>', 'second numeric column')
    .option(
      '--rscale <scale>',
      `stretched-beta prior scale: a number or ${Object.keys(CORRELATION_PRIOR_SCALES).join(', ')} (default medium = 1/3)`,
      parsePriorScale(CORRELATION_PRIOR_SCALES),
    );
  withDataOptions(corCommand).action((options: BayesCorrelationOptions) => {
    const pairs = resolvePairs(options);
    const result = runEngine(pairs.data.file, pairs.lines, () =>
      pearsonBayesFactor(pairs.x, pairs.y, options.rscale === undefined ? {} : { rScale: options.rscale }),
    );
    const output = { test: 'bf-cor', ...result, variables: pairs.variables, data: pairs.data };
    emit(output, options.json, () => [
      'Bayes factor for a correlation (H1: rho != 0, stretched-beta prior)',
      estimatorLine(result.estimator),
      ...dataLines(pairs.data),
      `${pairsLine(pairs)}; r = ${formatNumber(result.statistic)}`,
      '',
      ...bayesFactorLines(result),
      ...warningLines(result.warnings),
    ]);
  });
}

function isSampleSize(result: PowerResult | SampleSizeResult): result is SampleSizeResult {
  return 'nRequired' in result;
}

interface PowerCommandOptions {
  d?: number;
  n?: number;
  power?: number;
  alpha: number;
  type: PowerDesign;
  alternative: 'two-sided' | 'one-sided';
  strict?: boolean;
  json?: boolean;
}

function registerPower(stats: Command): void {
  stats
    .command('power')
    .description(
      'analytic power of a t test, as power.t.test: give two of --d, --n, --power and get the third (no data needed)',
    )
    .option('--d <effect>', 'true standardized effect (difference / sd)', parseNumber('--d'))
    .option(
      '--n <n>',
      'observations per group (two-sample), pairs (paired) or observations (one-sample)',
      parseNumber('--n', (value) => (value >= 2 ? undefined : 'must be at least 2')),
    )
    .option('--power <power>', 'target power', parseProbability('--power'))
    .option('--alpha <alpha>', 'significance level', parseProbability('--alpha'), 0.05)
    .addOption(
      new Option('--type <type>', 'design').choices(['two-sample', 'one-sample', 'paired']).default('two-sample'),
    )
    .addOption(
      new Option('--alternative <alternative>', 'one- or two-sided test')
        .choices(['two-sided', 'one-sided'])
        .default('two-sided'),
    )
    .option('--strict', 'count both rejection tails of a two-sided test (R: strict = TRUE)')
    .option('--json', 'print the result as JSON')
    .action((options: PowerCommandOptions) => {
      const given = (['d', 'n', 'power'] as const).filter((name) => options[name] !== undefined);
      if (given.length !== 2) {
        throw new UserInputError(
          `give exactly two of --d, --n and --power (got ${given.length === 0 ? 'none' : given.map((name) => `--${name}`).join(', ')})`,
          {
            path: '--d, --n, --power',
            fix: 'e.g. --d 0.5 --n 64 (power), --d 0.5 --power 0.8 (sample size), --n 64 --power 0.8 (detectable effect)',
          },
        );
      }
      const settings = {
        design: options.type,
        alternative: options.alternative,
        sigLevel: options.alpha,
        strict: options.strict === true,
      };
      const solvedFor = options.power === undefined ? 'power' : options.n === undefined ? 'n' : 'd';
      const result = runEngine(undefined, [], () =>
        solvedFor === 'power'
          ? tTestPower({ ...settings, n: options.n!, delta: options.d! })
          : solvedFor === 'n'
            ? tTestSampleSize({ ...settings, delta: options.d!, power: options.power! })
            : tTestDetectableEffect({ ...settings, n: options.n!, power: options.power! }),
      );
      const output = { test: 'power', solvedFor, d: result.delta / result.sd, ...result };
      const perGroup = { 'two-sample': 'per group', paired: 'pairs', 'one-sample': 'observations' }[result.design];
      const rows: string[][] = [
        ['d', formatNumber(result.delta / result.sd)],
        [`n (${perGroup})`, formatNumber(result.n)],
        ...(isSampleSize(result)
          ? [
              ['n to plan with', String(result.nRequired)],
              ['power at that n', formatNumber(result.powerAtRequired)],
            ]
          : []),
        ['power', formatNumber(result.power)],
        ['alpha', formatNumber(result.sigLevel)],
      ];
      emit(output, options.json, () => [
        `Power of a ${result.design} t test (${result.alternative}${result.strict ? ', both tails counted' : ''}): solved for ${solvedFor}`,
        estimatorLine(result.estimator),
        '',
        ...formatTable(['quantity', 'value'], rows, 1),
        ...warningLines(result.warnings),
      ]);
    });
}
