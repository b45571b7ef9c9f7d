import { StatisticsError, UserInputError } from '../../../contracts/index.js';
import type { CsvTable } from '../../csv.js';

/**
 * What every data subcommand shares between reading the CSV and printing: the summary of the rows a
 * test used, the checks of column options, and the boundary where an engine refusal becomes a
 * UserInputError naming lines of the file.
 */

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

export function summary(table: CsvTable, used: number, droppedLines: number[], otherLevels = 0): DataSummary {
  return {
    file: table.file,
    rows: table.rows.length,
    used,
    dropped: droppedLines.length,
    droppedLines,
    otherLevels,
  };
}

export function lineRange(table: CsvTable, rows: readonly number[]): string {
  if (rows.length === 0) return 'no rows';
  const first = table.lines[rows[0]!];
  const last = table.lines[rows[rows.length - 1]!];
  return first === last ? `line ${first}` : `lines ${first}-${last}`;
}

export function requireOption(value: string | undefined, option: string, test: string, why: string): string {
  if (value === undefined) {
    throw new UserInputError(`required ${why}`, {
      path: option,
      fix: `name a column with ${option} (see backfire stats ${test} --help)`,
    });
  }
  return value;
}

export function rejectOption(value: unknown, option: string, why: string): void {
  if (value !== undefined && value !== false) {
    throw new UserInputError(`does not apply ${why}`, { path: option, fix: `remove ${option}` });
  }
}

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
