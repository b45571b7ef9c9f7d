import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userInputErrorOf } from '../../test/support/user-input-error.js';
import {
  columnIndex,
  completeRows,
  isMissingCell,
  numericColumn,
  parseCsv,
  parseNumberCell,
  readCsvFile,
  sortedLevels,
} from './csv.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'csv');

describe('parseCsv (RFC 4180 through csv-parse)', () => {
  it('reads a file with a BOM, CRLF, quoted commas, escaped quotes and a quoted line break', () => {
    const table = readCsvFile(join(FIXTURES, 'quoted.csv'));
    expect(table.columns).toEqual(['id', 'note', 'group', 'value']);
    expect(table.rows.map((row) => row[1])).toEqual([
      'plain',
      'with, comma',
      'said "hi"',
      'two\r\nlines',
      '',
      'last',
      'x',
      'y',
    ]);
    expect(table.rows.map((row) => row[3])).toEqual(['1.5', '2.25', '0.5', '3', '2', 'NA', '1.75', '4.5']);
    // The fourth row spans lines 5 and 6, so the rows after it start one line later.
    expect(table.lines).toEqual([2, 3, 4, 5, 7, 8, 9, 10]);
  });

  it('numbers lines past skipped empty lines, lone CRs and mixed line endings', () => {
    expect(parseCsv('a,b\n1,2\n\n3,4\n', 'x.csv').lines).toEqual([2, 4]);
    expect(parseCsv('a,b\r1,2\r\r3,4', 'x.csv').lines).toEqual([2, 4]);
    const mixed = parseCsv('a,b\r\n1,2\n"x\ny",4\r\n5,6', 'x.csv');
    expect(mixed.rows).toEqual([
      ['1', '2'],
      ['x\ny', '4'],
      ['5', '6'],
    ]);
    expect(mixed.lines).toEqual([2, 3, 5]);
  });

  it('keeps cells as written (no trimming, no type guessing)', () => {
    const table = parseCsv('name,value\n" padded ",007\n', 'x.csv');
    expect(table.rows).toEqual([[' padded ', '007']]);
  });

  it('accepts a header with no data rows', () => {
    const table = parseCsv('a,b\n', 'x.csv');
    expect(table.columns).toEqual(['a', 'b']);
    expect(table.rows).toEqual([]);
  });

  it('rejects an empty file, a missing header, an unnamed or duplicate column, a ragged row and an open quote', () => {
    expect(userInputErrorOf(() => parseCsv('1.5,2\n3,4\n', 'x.csv')).format()).toMatch(
      /x\.csv: line 1: the first line holds only numbers \(1\.5, 2\.\.\.\), not column names/,
    );
    const empty = userInputErrorOf(() => parseCsv('', 'empty.csv'));
    expect(empty.format()).toMatch(/^empty\.csv: line 1: the file is empty\n {2}fix: write a header row/);
    expect(userInputErrorOf(() => parseCsv('a,,c\n1,2,3\n', 'x.csv')).format()).toMatch(
      /line 1: column 2 of the header has no name/,
    );
    const duplicate = userInputErrorOf(() => readCsvFile(join(FIXTURES, 'duplicate-header.csv')));
    expect(duplicate.format()).toMatch(
      /duplicate-header\.csv: line 1: the header names column "score" twice \(columns 2 and 3\)/,
    );
    expect(duplicate.exitCode).toBe(2);
    expect(userInputErrorOf(() => readCsvFile(join(FIXTURES, 'ragged.csv'))).format()).toMatch(
      /ragged\.csv: line 4: the row has 1 field but the header has 2/,
    );
    // The ragged row starts on line 4 although the quoted field before it spans two lines.
    expect(userInputErrorOf(() => parseCsv('a,b\n"x\ny",1\n2\n', 'x.csv')).format()).toMatch(
      /x\.csv: line 4: the row has 1 field/,
    );
    expect(userInputErrorOf(() => parseCsv('a,b\n1,2\n"3,4\n', 'x.csv')).format()).toMatch(
      /x\.csv: line 3: not valid CSV: Quote Not Closed/,
    );
  });

  it('names the file it cannot read', () => {
    const error = userInputErrorOf(() => readCsvFile(join(FIXTURES, 'no-such-file.csv')));
    expect(error.format()).toMatch(/no-such-file\.csv: --data: cannot read the file \(ENOENT\)/);
  });
});

describe('cells: missing values and numbers', () => {
  it('treats empty, NA, NaN and null as missing, and nothing else', () => {
    for (const cell of ['', '  ', 'NA', 'NaN', 'null', ' NA ']) expect(isMissingCell(cell)).toBe(true);
    for (const cell of ['0', 'na', 'N/A', 'none', 'NULLABLE', '-']) expect(isMissingCell(cell)).toBe(false);
  });

  it('accepts decimal and scientific numbers only, and only finite ones', () => {
    expect(parseNumberCell('1e3')).toBe(1000);
    expect(parseNumberCell(' -2.5 ')).toBe(-2.5);
    expect(parseNumberCell('.5')).toBe(0.5);
    expect(parseNumberCell('+7.')).toBe(7);
    for (const cell of ['', '1,5', '0x10', 'Infinity', 'Inf', '1e400', '1 000', 'five', '2024-01-01']) {
      expect(parseNumberCell(cell)).toBeUndefined();
    }
  });

  it('orders levels numerically when all are numbers, else by code point (R in the C locale)', () => {
    expect(sortedLevels(['10', '9', '2', '9'])).toEqual(['2', '9', '10']);
    expect(sortedLevels(['b', 'B', 'a', 'Ä'])).toEqual(['B', 'a', 'b', 'Ä']);
  });
});

describe('row selection', () => {
  const table = readCsvFile(join(FIXTURES, 'missing.csv'));

  it('names the column and line of the first missing value', () => {
    const error = userInputErrorOf(() => completeRows(table, ['group', 'score'], { dropMissing: false }));
    expect(error.format()).toMatch(/missing\.csv: line 4, column "score": missing value \(an empty cell\)/);
    expect(error.fix).toMatch(/--drop-missing/);
    expect(userInputErrorOf(() => completeRows(table, ['age'], { dropMissing: false })).format()).toMatch(
      /line 6, column "age": missing value \("NA"\)/,
    );
  });

  it('drops incomplete rows on request and records their lines', () => {
    const selection = completeRows(table, ['score', 'age'], { dropMissing: true });
    expect(selection.droppedLines).toEqual([4, 6, 9, 10]);
    expect(selection.rows.map((row) => table.lines[row])).toEqual([2, 3, 5, 7, 8]);
  });

  it('reads numbers and names the line of a cell that is not one', () => {
    const numbers = readCsvFile(join(FIXTURES, 'non-numeric.csv'));
    const rows = numbers.rows.map((_, row) => row);
    expect(numericColumn(numbers, 'y', rows, 'y must be numeric')).toEqual([1.1, 2.3, 2.4, 3.9, 4.2, 5.6, 6.1]);
    expect(
      userInputErrorOf(() => numericColumn(numbers, 'score', rows, '--y must name a numeric column')).format(),
    ).toMatch(/non-numeric\.csv: line 5, column "score": "1,5" is not a number \(--y must name a numeric column\)/);
  });

  it('lists the columns when one is not found, and suggests a near match', () => {
    expect(userInputErrorOf(() => columnIndex(table, 'weight', '--y')).format()).toMatch(
      /missing\.csv: line 1: there is no column "weight" \(named by --y\)\n {2}fix: use one of the columns in the header: "group", "score", "age"/,
    );
    expect(userInputErrorOf(() => columnIndex(table, 'Score', '--y')).fix).toBe(
      'did you mean "score"? (column names are matched exactly)',
    );
  });
});
