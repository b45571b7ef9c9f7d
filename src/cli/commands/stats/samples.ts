import { UserInputError } from '../../../contracts/index.js';
import { mean, standardDeviation } from '../../../stats/index.js';
import {
  type CsvTable,
  columnIndex,
  completeRows,
  numericColumn,
  readCsvFile,
  sortedLevels,
  textColumn,
} from '../../csv.js';
import { type DataSummary, lineRange, rejectOption, requireOption, summary } from './data.js';
import type { DataOptions, SampleOptions } from './options.js';

/** The samples of the two-group, paired and one-sample tests, and the column pairs of correlations. */

export interface SampleDescription {
  column: string;
  group?: string;
  level?: string;
  n: number;
  mean: number;
  sd: number | null;
}

export type Design =
  | { kind: 'two-sample'; x: number[]; y: number[] }
  | { kind: 'paired'; x: number[]; y: number[] }
  | { kind: 'one-sample'; x: number[]; y?: undefined };

export interface ResolvedSamples {
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

/**
 * The samples of a one-sample, paired or two-group test. Two groups: rows with a missing group are
 * handled first, then the two levels are chosen, then missing outcomes among those rows.
 */
export function resolveSamples(test: string, options: SampleOptions, allowed: { oneSample: boolean }): ResolvedSamples {
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

export interface PairedColumns {
  x: number[];
  y: number[];
  variables: { x: string; y: string };
  data: DataSummary;
  lines: number[];
}

export function resolvePairs(options: DataOptions & { x: string; y: string }): PairedColumns {
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
