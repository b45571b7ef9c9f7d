import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { decodeTextInput, UserInputError } from '../contracts/index.js';

/**
 * CSV input for `backfire stats`: RFC 4180 parsing (csv-parse), the header row, line numbers for
 * messages, and the cell semantics the statistics commands share (what is missing, what is a
 * number). Every problem is a UserInputError naming the file, the line (the header is line 1) and
 * the column, so the CLI prints one message and exits with code 2.
 */

export interface CsvTable {
  /** The file as the user named it; `-` is standard input. */
  file: string;
  columns: readonly string[];
  /** Data rows, one cell per column, exactly as written (quotes removed, nothing trimmed). */
  rows: readonly (readonly string[])[];
  /** The line on which each data row starts; a quoted line break makes a row span several lines. */
  lines: readonly number[];
}

/** Cells that mean "no value": empty (after trimming), and R's / pandas' / JSON's spellings. */
export const MISSING_MARKERS: readonly string[] = ['', 'NA', 'NaN', 'null'];

const missingMarkers = new Set(MISSING_MARKERS);
// Plain decimal and scientific notation only: Number() would also accept '', '0x1f', 'Infinity'.
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isMissingCell(cell: string): boolean {
  return missingMarkers.has(cell.trim());
}

/** The finite number a cell holds, or undefined when it is not one. */
export function parseNumberCell(cell: string): number | undefined {
  const trimmed = cell.trim();
  if (!numberPattern.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

export function readCsvFile(file: string): CsvTable {
  let content: Buffer;
  try {
    content = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UserInputError(`cannot read the file (${reason})`, {
      file,
      path: '--data',
      fix: 'give the path of an existing CSV file with a header row (or - for standard input)',
    });
  }
  return parseCsv(content, file);
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export function parseCsv(content: Buffer | string, file: string): CsvTable {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  // A binary file is named as one, instead of a parser error quoting its bytes.
  if (typeof content !== 'string') {
    decodeTextInput(buffer, {
      file,
      kind: 'a CSV file',
      path: '--data',
      maxBytes: Number.POSITIVE_INFINITY,
      fix: 'pass a CSV file (UTF-8 text with a header row), e.g. one written by `backfire export` or a spreadsheet',
    });
  }
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    // With `info: true` csv-parse returns { record, info } entries; its typings only know string[][].
    records = parse(buffer, {
      bom: true,
      info: true,
      // Column counts are checked below, where the row's first line is known.
      relax_column_count: true,
      skip_empty_lines: true,
      // One file may mix line endings (a CRLF file edited on Unix); an unquoted lone CR ends a line too.
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as { record: string[]; info: { bytes: number } }[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new UserInputError(`not valid CSV: ${error.message}`, {
        file,
        path: line === undefined ? '' : `line ${line}`,
        fix: 'quote fields that contain commas, quotes or line breaks ("a ""quoted"" word"), as RFC 4180 does',
      });
    }
    throw error;
  }
  // csv-parse's own `info.lines` is the line where a record ends and counts a CRLF inside quotes
  // twice; the line where a row starts is what a reader looks for, so count it from byte offsets.
  const starts = recordStartLines(
    buffer,
    records.map((entry) => entry.info.bytes),
  );
  const header = records[0];
  if (header === undefined) {
    throw new UserInputError('the file is empty', {
      file,
      path: 'line 1',
      fix: 'write a header row naming the columns, then one row per observation',
    });
  }
  const columns = header.record;
  if (columns.every((name) => parseNumberCell(name) !== undefined)) {
    throw new UserInputError(
      `the first line holds only numbers (${columns.slice(0, 3).join(', ')}...), not column names`,
      {
        file,
        path: 'line 1',
        fix: 'add a header row naming the columns as the first line',
      },
    );
  }
  const seen = new Map<string, number>();
  columns.forEach((name, index) => {
    if (name.trim() === '') {
      throw new UserInputError(`column ${index + 1} of the header has no name`, {
        file,
        path: 'line 1',
        fix: 'name every column in the header row (the first line)',
      });
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new UserInputError(`the header names column "${name}" twice (columns ${earlier + 1} and ${index + 1})`, {
        file,
        path: 'line 1',
        fix: 'give every column a distinct name',
      });
    }
    seen.set(name, index);
  });
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let index = 1; index < records.length; index += 1) {
    const record = records[index]!.record;
    const line = starts[index]!;
    if (record.length !== columns.length) {
      const fields = `${record.length} field${record.length === 1 ? '' : 's'}`;
      throw new UserInputError(`the row has ${fields} but the header has ${columns.length}`, {
        file,
        path: `line ${line}`,
        fix: 'give every row one field per header column (leave a field empty, not absent, for a missing value)',
      });
    }
    rows.push(record);
    lines.push(line);
  }
  return { file, columns, rows, lines };
}

/**
 * The 1-based line on which each record starts. `ends` are csv-parse's `info.bytes`: the byte
 * offset just past each record and its line break. A record starts at the previous one's end,
 * after any skipped empty lines (only unquoted line breaks can precede a record's first byte).
 */
function recordStartLines(buffer: Buffer, ends: readonly number[]): number[] {
  const starts: number[] = [];
  let line = 1;
  let position = 0;
  let previousEnd = 0;
  // A UTF-8 byte order mark is not a line; csv-parse counts its bytes.
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) position = 3;
  const advanceTo = (target: number): void => {
    for (; position < target; position += 1) {
      const byte = buffer[position];
      if (byte === LINE_FEED) line += 1;
      else if (byte === CARRIAGE_RETURN && buffer[position + 1] !== LINE_FEED) line += 1;
    }
  };
  for (const end of ends) {
    let start = Math.max(previousEnd, position);
    while (buffer[start] === LINE_FEED || buffer[start] === CARRIAGE_RETURN) start += 1;
    advanceTo(start);
    starts.push(line);
    previousEnd = end;
  }
  return starts;
}

/** The position of a column, or an error that names it and lists the columns there are. */
export function columnIndex(table: CsvTable, name: string, option: string): number {
  const index = table.columns.indexOf(name);
  if (index >= 0) return index;
  const near = table.columns.find((column) => column.trim().toLowerCase() === name.trim().toLowerCase());
  throw new UserInputError(`there is no column "${name}" (named by ${option})`, {
    file: table.file,
    path: 'line 1',
    fix:
      near === undefined
        ? `use one of the columns in the header: ${table.columns.map((column) => `"${column}"`).join(', ')}`
        : `did you mean "${near}"? (column names are matched exactly)`,
  });
}

export interface RowSelection {
  /** Indices into `table.rows` of the rows kept, in file order. */
  rows: number[];
  /** Lines of the rows dropped because a used column was missing (only with dropMissing). */
  droppedLines: number[];
}

/**
 * The rows in which every named column has a value. A missing cell is an error naming its column
 * and line unless `dropMissing`, when the row is dropped and its line recorded: rows are never
 * dropped silently.
 */
export function completeRows(
  table: CsvTable,
  columns: readonly string[],
  options: { dropMissing: boolean; candidates?: readonly number[] | undefined },
): RowSelection {
  const indices = [...new Set(columns)].map((name) => ({ name, index: table.columns.indexOf(name) }));
  const kept: number[] = [];
  const droppedLines: number[] = [];
  const candidates = options.candidates ?? table.rows.map((_, row) => row);
  for (const row of candidates) {
    const cells = table.rows[row]!;
    const missing = indices.find(({ index }) => index >= 0 && isMissingCell(cells[index]!));
    if (missing === undefined) {
      kept.push(row);
      continue;
    }
    if (!options.dropMissing) {
      const cell = cells[missing.index]!;
      throw new UserInputError(`missing value (${cell.trim() === '' ? 'an empty cell' : `"${cell}"`})`, {
        file: table.file,
        path: `line ${table.lines[row]}, column "${missing.name}"`,
        fix: 'fill in the value, or pass --drop-missing to drop rows with a missing value in a column the test uses',
      });
    }
    droppedLines.push(table.lines[row]!);
  }
  return { rows: kept, droppedLines };
}

/** The first of `rows` whose cell in the column is not a finite number, if any. */
export function firstNonNumericRow(table: CsvTable, column: string, rows: readonly number[]): number | undefined {
  const index = table.columns.indexOf(column);
  return rows.find((row) => parseNumberCell(table.rows[row]![index]!) === undefined);
}

/**
 * The column's values in `rows` as numbers; a cell that is not a finite number is an error naming
 * the column and its line, and says why it must be a number (`requirement`). Call after
 * `columnIndex` and `completeRows`, so the column exists and missing cells are already handled.
 */
export function numericColumn(table: CsvTable, column: string, rows: readonly number[], requirement: string): number[] {
  const index = table.columns.indexOf(column);
  return rows.map((row) => {
    const cell = table.rows[row]![index]!;
    const value = parseNumberCell(cell);
    if (value === undefined) {
      throw new UserInputError(`"${cell}" is not a number (${requirement})`, {
        file: table.file,
        path: `line ${table.lines[row]}, column "${column}"`,
        fix: 'write a number (decimal point, optional exponent: 1.5, -2e-3), or leave the cell empty for a missing value',
      });
    }
    return value;
  });
}

/** The column's cells in `rows`, as written. */
export function textColumn(table: CsvTable, column: string, rows: readonly number[]): string[] {
  const index = table.columns.indexOf(column);
  return rows.map((row) => table.rows[row]![index]!);
}

/**
 * The distinct values of a column in `rows`, in the order a factor's levels take in the stats
 * engine and in R under the C locale: numerically when every value is a number, else by Unicode
 * code point.
 */
export function sortedLevels(values: readonly string[]): string[] {
  const distinct = [...new Set(values)];
  const numbers = distinct.map(parseNumberCell);
  if (numbers.every((value) => value !== undefined)) {
    return distinct
      .map((label, position) => ({ label, value: numbers[position]! }))
      .sort((left, right) => left.value - right.value)
      .map(({ label }) => label);
  }
  return distinct.sort(compareCodePoints);
}

function compareCodePoints(left: string, right: string): number {
  const a = [...left];
  const b = [...right];
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const difference = a[index]!.codePointAt(0)! - b[index]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}
