import { StatisticsError, UserInputError } from '../../../contracts/index.js';
import { type ParsedFormula, parseFormula, parseGlmFormula } from '../../../stats/index.js';
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
} from '../../csv.js';
import { type DataSummary, lineRange, summary } from './data.js';
import type { ModelOptions } from './options.js';

/** The columns of a model formula, read from the CSV and checked so that every problem names a line. */

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

/** A GLM(M) formula: cbind() and offset() taken out, the rest parsed; errors name --formula. */
export function glmFormula(text: string, mixed: boolean) {
  let parsed: ReturnType<typeof parseGlmFormula>;
  try {
    parsed = parseGlmFormula(text);
  } catch (error) {
    if (!(error instanceof StatisticsError)) throw error;
    throw new UserInputError(error.message, {
      path: '--formula',
      fix: 'write an R formula such as "cbind(successes, failures) ~ x + (1 | group)" or "count ~ x + offset(log(exposure)) + (1 | group)"',
    });
  }
  if (mixed && parsed.formula.randomTerms.length === 0) {
    throw new UserInputError(`the formula "${text}" has no random-effects term such as (1 | group)`, {
      path: '--formula',
      fix: 'add a random-effects term, or use `backfire stats glm` for a model without one',
    });
  }
  if (!mixed && parsed.formula.randomTerms.length > 0) {
    throw new UserInputError(`the formula "${text}" has random-effects terms`, {
      path: '--formula',
      fix: 'use `backfire stats glmm` for a mixed model, or remove the (... | group) terms',
    });
  }
  // modelInput reads and checks every column the formula uses: the failures and offset columns too.
  return { ...parsed.formula, variables: parsed.columns };
}

export function engineOptions(formula: string, input: ReturnType<typeof modelInput>) {
  return {
    formula,
    data: input.columns,
    ...(input.factors.length > 0 ? { factors: input.factors } : {}),
    ...(Object.keys(input.referenceLevels).length > 0 ? { referenceLevels: input.referenceLevels } : {}),
  };
}
