import { StatisticsError } from '../contracts/index.js';
import type { FormulaTerm, ParsedFormula, RandomTermSpec } from './formula.js';

/**
 * The model frame: typed columns from user data, and the design matrices R would build from them
 * (treatment contrasts, R's column names, lme4's ordering of random-effects terms).
 *
 * Data come as columns (`{ y: [...], x: [...] }`, the native form) or as an array of row objects
 * (`columnsFromRows` converts). A column is numeric when every cell is a number or a numeric
 * string; text and booleans make factors. Missing cells (null, undefined, NaN, '', 'NA') and
 * columns mixing numbers with text are errors that name the column and the 1-based row: we never
 * drop rows silently.
 *
 * Factor levels are sorted by Unicode code point, which is R's order under the C locale (R's own
 * default sorts in the session's locale, so an R user in another locale may see another reference
 * level; set `Sys.setlocale("LC_COLLATE", "C")` in R to compare). Numeric columns used as factors
 * sort numerically, as R's `factor()` does. `levels` sets the whole order and `referenceLevels`
 * moves one level first, like `relevel()`. Levels with no rows are dropped.
 */

/** Version of the model-fitting estimators (formula, OLS, LMM); bump when a number can change. */
export const MODELS_ENGINE_VERSION = '1.0.0';

export type CellValue = number | string | boolean | null | undefined;
export type DataColumns = Readonly<Record<string, readonly CellValue[]>>;
export type DataRow = Readonly<Record<string, CellValue>>;
/** Columns keyed by name (preferred), or one object per row. */
export type ModelData = DataColumns | readonly DataRow[];

export interface ModelDataOptions {
  /** Columns to treat as factors even though their values are numbers (e.g. numeric run ids). */
  factors?: readonly string[] | undefined;
  /** The full level order of factor columns; the first level is the reference. */
  levels?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The reference level of factor columns, moved first as R's `relevel()` does. */
  referenceLevels?: Readonly<Record<string, string>> | undefined;
}

export interface NumericVariable {
  kind: 'numeric';
  name: string;
  values: Float64Array;
}

export interface FactorVariable {
  kind: 'factor';
  name: string;
  levels: string[];
  /** Index into `levels` for every row. */
  codes: Int32Array;
}

export type Variable = NumericVariable | FactorVariable;

export interface DesignMatrix {
  /** R's column names: `(Intercept)`, `k`, `language_groupsuppress`, `k:language_groupsuppress`. */
  columns: string[];
  /** The term label each column belongs to (`(Intercept)` for the intercept). */
  columnTerms: string[];
  rows: number;
  /** Row-major, rows x columns. */
  values: Float64Array;
}

/** One random-effects term ready for fitting: the grouping factor and the per-row design. */
export interface RandomTermData {
  spec: RandomTermSpec;
  group: string;
  /** Column names of the term's model matrix (lme4's `cnms`). */
  columns: string[];
  levels: string[];
  levelOfRow: Int32Array;
  /** Row-major, rows x columns.length. */
  design: Float64Array;
}

/** Converts an array of row objects to columns. Keys missing from a row become missing cells. */
export function columnsFromRows(rows: readonly DataRow[]): Record<string, CellValue[]> {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  const columns: Record<string, CellValue[]> = {};
  for (const name of names) columns[name] = rows.map((row) => row[name]);
  return columns;
}

/** Compares strings by Unicode code point (R's C-locale order), not by UTF-16 code unit. */
export function compareCodePoints(left: string, right: string): number {
  const a = [...left];
  const b = [...right];
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const difference = a[index]!.codePointAt(0)! - b[index]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

const numericPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

type Cell =
  | { kind: 'missing' }
  | { kind: 'number'; value: number }
  | { kind: 'text'; value: string }
  | { kind: 'boolean'; value: boolean };

function classify(cell: CellValue): Cell {
  if (cell === null || cell === undefined) return { kind: 'missing' };
  if (typeof cell === 'number') return Number.isNaN(cell) ? { kind: 'missing' } : { kind: 'number', value: cell };
  if (typeof cell === 'boolean') return { kind: 'boolean', value: cell };
  const trimmed = cell.trim();
  if (trimmed === '' || trimmed === 'NA' || trimmed === 'NaN') return { kind: 'missing' };
  if (numericPattern.test(trimmed)) return { kind: 'number', value: Number(trimmed) };
  return { kind: 'text', value: cell };
}

/** R's as.character() for the numbers we meet in id columns (1, 2.5, 1e-20 print alike). */
function formatNumber(value: number): string {
  return String(value);
}

export type VariableRole = 'response' | 'predictor' | 'grouping';

export class ModelFrame {
  readonly rows: number;
  private readonly columns: DataColumns;
  private readonly cache = new Map<string, Variable>();
  private readonly factorNames: Set<string>;

  constructor(
    data: ModelData,
    private readonly options: ModelDataOptions = {},
  ) {
    if (data === null || typeof data !== 'object') {
      throw new StatisticsError('Model data must be an object of columns or an array of row objects');
    }
    this.columns = Array.isArray(data) ? columnsFromRows(data as readonly DataRow[]) : (data as DataColumns);
    this.factorNames = new Set([
      ...(options.factors ?? []),
      ...Object.keys(options.levels ?? {}),
      ...Object.keys(options.referenceLevels ?? {}),
    ]);
    const lengths = Object.entries(this.columns).filter(([, values]) => Array.isArray(values));
    this.rows = lengths.length === 0 ? 0 : lengths[0]![1].length;
    for (const [name, values] of lengths) {
      if (values.length !== this.rows) {
        throw new StatisticsError(
          `Model data columns differ in length: '${lengths[0]![0]}' has ${this.rows} rows but '${name}' has ${values.length}`,
        );
      }
    }
  }

  private raw(name: string): readonly CellValue[] {
    const values = Object.hasOwn(this.columns, name) ? this.columns[name] : undefined;
    if (!Array.isArray(values)) {
      const available = Object.keys(this.columns);
      throw new StatisticsError(
        `Formula term '${name}' is not a column of the data (columns: ${available.length > 0 ? available.join(', ') : 'none'})`,
      );
    }
    return values;
  }

  /** The typed column for a variable, validated for its role. */
  variable(name: string, role: VariableRole): Variable {
    const key = `${role === 'grouping' ? 'factor' : role === 'response' ? 'response' : 'any'}:${name}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const values = this.raw(name);
    // Fast path for the common case, a column of finite JS numbers used as a number.
    if (role !== 'grouping' && !this.factorNames.has(name) && values.every((cell) => Number.isFinite(cell))) {
      const variable: NumericVariable = { kind: 'numeric', name, values: Float64Array.from(values as number[]) };
      this.cache.set(key, variable);
      return variable;
    }
    const cells = values.map(classify);
    cells.forEach((cell, index) => {
      if (cell.kind === 'missing') {
        throw new StatisticsError(
          `Column '${name}' has a missing value at row ${index + 1}; remove or impute missing rows before fitting`,
        );
      }
      if (cell.kind === 'number' && !Number.isFinite(cell.value)) {
        throw new StatisticsError(`Column '${name}' has a non-finite value (${cell.value}) at row ${index + 1}`);
      }
    });
    let variable: Variable;
    if (role === 'response') {
      const bad = cells.findIndex((cell) => cell.kind !== 'number');
      if (bad >= 0) {
        throw new StatisticsError(
          `Response column '${name}' must be numeric, but row ${bad + 1} holds ${JSON.stringify(values[bad])}`,
        );
      }
      variable = this.numeric(name, cells);
    } else if (role === 'grouping' || this.factorNames.has(name)) {
      variable = this.factor(name, values, cells);
    } else {
      const numbers = cells.filter((cell) => cell.kind === 'number').length;
      const booleans = cells.filter((cell) => cell.kind === 'boolean').length;
      if (numbers === cells.length) variable = this.numeric(name, cells);
      else if (numbers > 0) {
        const bad = cells.findIndex((cell) => cell.kind !== 'number');
        throw new StatisticsError(
          `Column '${name}' mixes numbers and text: row ${bad + 1} holds ${JSON.stringify(values[bad])}; ` +
            `fix that cell, or list '${name}' in factors to treat every value as a level`,
        );
      } else if (booleans > 0 && booleans < cells.length) {
        const bad = cells.findIndex((cell) => cell.kind !== 'boolean');
        throw new StatisticsError(
          `Column '${name}' mixes true/false with text: row ${bad + 1} holds ${JSON.stringify(values[bad])}`,
        );
      } else variable = this.factor(name, values, cells);
    }
    this.cache.set(key, variable);
    return variable;
  }

  private numeric(name: string, cells: Cell[]): NumericVariable {
    const values = new Float64Array(cells.length);
    cells.forEach((cell, index) => {
      values[index] = (cell as { value: number }).value;
    });
    return { kind: 'numeric', name, values };
  }

  /**
   * A factor from a column: JS numbers become levels sorted numerically (R's factor() of a numeric
   * column); text keeps its exact spelling ("007" and "7" stay distinct) and sorts by code point,
   * as R sorts a character column under the C locale, even when it looks numeric.
   */
  private factor(name: string, raw: readonly CellValue[], cells: Cell[]): FactorVariable {
    const labels = cells.map((cell, index) => {
      const original = raw[index];
      if (typeof original === 'string') return original;
      if (cell.kind === 'number') return formatNumber(cell.value);
      return cell.kind === 'boolean' && cell.value ? 'TRUE' : 'FALSE';
    });
    const allNumbers = raw.every((cell) => typeof cell === 'number');
    let levels: string[];
    if (allNumbers) {
      const distinct = [...new Set(raw as readonly number[])].sort((a, b) => a - b);
      levels = distinct.map(formatNumber);
    } else {
      levels = [...new Set(labels)].sort(compareCodePoints);
    }
    const observed = new Set(labels);
    const given = this.options.levels?.[name];
    if (given !== undefined) {
      const allowed = new Set(given);
      const missing = labels.findIndex((label) => !allowed.has(label));
      if (missing >= 0) {
        throw new StatisticsError(
          `Column '${name}' has the value '${labels[missing]}' at row ${missing + 1}, which is not among the levels given for it (${given.join(', ')})`,
        );
      }
      levels = [...new Set(given)].filter((level) => observed.has(level));
    }
    const reference = this.options.referenceLevels?.[name];
    if (reference !== undefined) {
      if (!observed.has(reference)) {
        throw new StatisticsError(
          `Reference level '${reference}' does not occur in column '${name}' (levels: ${levels.join(', ')})`,
        );
      }
      levels = [reference, ...levels.filter((level) => level !== reference)];
    }
    const index = new Map(levels.map((level, position) => [level, position]));
    const codes = new Int32Array(labels.length);
    labels.forEach((label, row) => {
      codes[row] = index.get(label)!;
    });
    return { kind: 'factor', name, levels, codes };
  }
}

/** Term labels and column names print non-syntactic names in backticks, as R does. */
function displayName(name: string): string {
  return /^([A-Za-z]|[.][A-Za-z._]|[.]$)[A-Za-z0-9._]*$/.test(name) ? name : `\`${name}\``;
}

interface ColumnFactor {
  name: string;
  /** Value of this factor for a row. */
  value: (row: number) => number;
}

/**
 * Builds a model matrix as R's model.matrix() does: a factor in a term is coded by treatment
 * contrasts when the term without it is already in the model (the empty term counts when there is
 * an intercept), otherwise by one indicator per level; without an intercept the first factor of
 * the first term containing one gets all its levels. Columns of an interaction vary the first
 * variable fastest.
 */
export function buildDesign(frame: ModelFrame, terms: readonly FormulaTerm[], intercept: boolean): DesignMatrix {
  const rows = frame.rows;
  // Each term's variables are already in the formula's order of first appearance.
  const variables = terms.map((term) => term.variables.map((name) => frame.variable(name, 'predictor')));
  // R's model.matrix() stops on a factor with one level ("contrasts can be applied only to factors
  // with 2 or more levels"); dropping its column silently would change what the other terms mean.
  for (const variable of variables.flat()) {
    if (variable.kind === 'factor' && variable.levels.length < 2) {
      throw new StatisticsError(
        `Predictor '${variable.name}' is a factor with only one level (${variable.levels[0] === undefined ? 'none' : `'${variable.levels[0]}'`}) in the ${rows} rows used; R stops here too (contrasts need a factor with 2 or more levels). Remove '${variable.name}' from the formula or use data in which it varies`,
      );
    }
  }
  // R's coding rule, one code per (term, variable): 1 = contrasts, 2 = all indicators.
  const codes = variables.map((termVariables, termIndex) =>
    termVariables.map((variable) => {
      if (variable.kind !== 'factor') return 0;
      const rest = termVariables.filter((other) => other !== variable).map((other) => other.name);
      if (rest.length === 0) return 1;
      for (let previous = 0; previous < termIndex; previous += 1) {
        const names = new Set(terms[previous]!.variables);
        if (rest.every((name) => names.has(name))) return 1;
      }
      return 2;
    }),
  );
  if (!intercept) {
    search: for (let termIndex = 0; termIndex < terms.length; termIndex += 1) {
      const termVariables = variables[termIndex]!;
      for (let position = 0; position < termVariables.length; position += 1) {
        if (termVariables[position]!.kind === 'factor') {
          codes[termIndex]![position] = 2;
          break search;
        }
      }
    }
  }
  const columns: string[] = [];
  const columnTerms: string[] = [];
  const makers: ColumnFactor[][] = [];
  if (intercept) {
    columns.push('(Intercept)');
    columnTerms.push('(Intercept)');
    makers.push([]);
  }
  terms.forEach((term, termIndex) => {
    let combinations: { names: string[]; factors: ColumnFactor[] }[] = [{ names: [], factors: [] }];
    variables[termIndex]!.forEach((variable, position) => {
      const options: { name: string; factor: ColumnFactor }[] = [];
      if (variable.kind === 'numeric') {
        const values = variable.values;
        options.push({
          name: displayName(variable.name),
          factor: { name: variable.name, value: (row) => values[row]! },
        });
      } else {
        const start = codes[termIndex]![position] === 1 ? 1 : 0;
        const factorCodes = variable.codes;
        for (let level = start; level < variable.levels.length; level += 1) {
          options.push({
            name: `${displayName(variable.name)}${variable.levels[level]}`,
            factor: { name: variable.name, value: (row) => (factorCodes[row] === level ? 1 : 0) },
          });
        }
      }
      // The first variable varies fastest: iterate the new variable's options outermost.
      const next: typeof combinations = [];
      for (const option of options) {
        for (const combination of combinations) {
          next.push({ names: [...combination.names, option.name], factors: [...combination.factors, option.factor] });
        }
      }
      combinations = next;
    });
    for (const combination of combinations) {
      columns.push(combination.names.join(':'));
      columnTerms.push(term.label);
      makers.push(combination.factors);
    }
  });
  const width = columns.length;
  const values = new Float64Array(rows * width);
  makers.forEach((factors, column) => {
    for (let row = 0; row < rows; row += 1) {
      let product = 1;
      for (const factor of factors) product *= factor.value(row);
      values[row * width + column] = product;
    }
  });
  return { columns, columnTerms, rows, values };
}

/** The fixed-effects design of a parsed formula. */
export function buildFixedDesign(frame: ModelFrame, formula: ParsedFormula): DesignMatrix {
  for (const name of formula.variables) {
    if (name !== formula.response) frame.variable(name, 'predictor');
  }
  return buildDesign(frame, formula.fixedTerms, formula.intercept);
}

/** The numeric response column. */
export function responseVector(frame: ModelFrame, formula: ParsedFormula): Float64Array {
  return (frame.variable(formula.response, 'response') as NumericVariable).values;
}

/**
 * The random-effects terms in lme4's order: if the terms are not already in non-increasing order
 * of their number of levels, they are put in decreasing order (ties reversed, as lme4's
 * `rev(order(nl))` does). The order fixes the layout of theta and of the output.
 */
export function buildRandomTerms(frame: ModelFrame, formula: ParsedFormula): RandomTermData[] {
  const built = formula.randomTerms.map((spec) => {
    const groupFactors = spec.groupVariables.map((name) => frame.variable(name, 'grouping') as FactorVariable);
    const { levels, levelOfRow } = interactionFactor(groupFactors, frame.rows);
    if (levels.length < 2) {
      throw new StatisticsError(
        `Grouping factor '${spec.group}' has only one level (${levels[0] ?? 'none'}); a random effect needs at least two groups`,
      );
    }
    const design = buildDesign(frame, spec.terms, spec.intercept);
    return {
      spec,
      group: spec.group,
      columns: design.columns,
      levels,
      levelOfRow,
      design: design.values,
    };
  });
  const counts = built.map((term) => term.levels.length);
  const increasing = counts.some((count, index) => index > 0 && count > counts[index - 1]!);
  if (!increasing) return built;
  const ascending = counts
    .map((count, index) => ({ count, index }))
    .sort((a, b) => a.count - b.count || a.index - b.index)
    .map(({ index }) => index);
  return ascending.reverse().map((index) => built[index]!);
}

/** `a:b` as R's `:` on factors builds it: levels with the first factor varying slowest, unused dropped. */
function interactionFactor(factors: FactorVariable[], rows: number): { levels: string[]; levelOfRow: Int32Array } {
  if (factors.length === 1) {
    const only = factors[0]!;
    return { levels: only.levels, levelOfRow: only.codes };
  }
  const keys = new Float64Array(rows);
  for (let row = 0; row < rows; row += 1) {
    let key = 0;
    for (const factor of factors) key = key * factor.levels.length + factor.codes[row]!;
    keys[row] = key;
  }
  const distinct = [...new Set(keys)].sort((a, b) => a - b);
  const index = new Map(distinct.map((key, position) => [key, position]));
  const levels = distinct.map((key) => {
    const parts: string[] = [];
    let rest = key;
    for (let position = factors.length - 1; position >= 0; position -= 1) {
      const count = factors[position]!.levels.length;
      parts.unshift(factors[position]!.levels[rest % count]!);
      rest = Math.floor(rest / count);
    }
    return parts.join(':');
  });
  const levelOfRow = new Int32Array(rows);
  for (let row = 0; row < rows; row += 1) levelOfRow[row] = index.get(keys[row]!)!;
  return { levels, levelOfRow };
}
