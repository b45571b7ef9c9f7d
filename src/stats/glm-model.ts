import { StatisticsError } from '../contracts/index.js';
import { type ParsedFormula, parseFormula } from './formula.js';
import type { Family, FamilyName } from './glm-family.js';
import { householderQr } from './linear-algebra.js';
import {
  buildFixedDesign,
  type ModelData,
  type ModelDataOptions,
  ModelFrame,
  type NumericVariable,
} from './model-frame.js';

/**
 * What a GLM or GLMM formula adds to the LMM's syntax: a two-column response
 * `cbind(successes, failures)` for binomial counts and `offset(x)` / `offset(log(x))` terms on the
 * right-hand side. Both are taken out of the text here (the shared formula parser stays free of
 * functions) and turned into the response proportion, the binomial trials and the offset vector.
 */

export interface GlmResponse {
  /** Proportions (binomial) or counts (Poisson). */
  y: Float64Array;
  /** Binomial trials (1 for 0/1 outcomes and for Poisson): R's prior weights. */
  trials: Float64Array;
  offset: Float64Array;
  /** The response as written, e.g. `cbind(conformity, individuation)`. */
  label: string;
}

export interface PreparedGlmModel {
  formula: ParsedFormula;
  frame: ModelFrame;
  response: GlmResponse;
  /** Fixed-effects matrix with aliased columns removed, row-major n x p. */
  x: Float64Array;
  rows: number;
  fixedNames: string[];
  aliased: string[];
}

const NAME = String.raw`(?:[A-Za-z.][A-Za-z0-9._]*|\x60[^\x60]+\x60)`;
const CBIND = new RegExp(String.raw`^\s*cbind\s*\(\s*(${NAME})\s*,\s*(${NAME})\s*\)\s*$`);
const OFFSET_BODY = new RegExp(String.raw`^\s*(?:log\s*\(\s*(${NAME})\s*\)|(${NAME}))\s*$`);

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1) : name;
}

export interface OffsetSpec {
  column: string;
  log: boolean;
}

/** Removes `offset(...)` terms from a right-hand side, returning them and the rest. */
function extractOffsets(right: string, formulaText: string): { right: string; offsets: OffsetSpec[] } {
  const offsets: OffsetSpec[] = [];
  let text = right;
  for (;;) {
    const match = /\boffset\s*\(/.exec(text);
    if (match === null) break;
    const open = match.index + match[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let index = open; index < text.length; index += 1) {
      if (text[index] === '(') depth += 1;
      if (text[index] === ')') {
        depth -= 1;
        if (depth === 0) {
          close = index;
          break;
        }
      }
    }
    if (close < 0)
      throw new StatisticsError(`Cannot parse model formula: unbalanced parentheses in offset(), in ${formulaText}`);
    const body = OFFSET_BODY.exec(text.slice(open + 1, close));
    if (body === null) {
      throw new StatisticsError(
        `Cannot parse model formula: offset() takes a column or log(column), got offset(${text.slice(open + 1, close)}), in ${formulaText}`,
      );
    }
    offsets.push(
      body[1] === undefined ? { column: unquote(body[2]!), log: false } : { column: unquote(body[1]), log: true },
    );
    // Remove the term with one adjacent '+'.
    let start = match.index;
    let end = close + 1;
    const before = text.slice(0, start);
    const plusBefore = /\+\s*$/.exec(before);
    if (plusBefore !== null) start = plusBefore.index;
    else {
      const plusAfter = /^\s*\+/.exec(text.slice(end));
      if (plusAfter !== null) end += plusAfter[0].length;
    }
    text = text.slice(0, start) + text.slice(end);
  }
  if (text.trim() === '') text = '1';
  return { right: text, offsets };
}

function numericColumn(frame: ModelFrame, name: string, what: string): Float64Array {
  const variable = frame.variable(name, 'response');
  if (variable.kind !== 'numeric') throw new StatisticsError(`${what} '${name}' must be numeric`);
  return (variable as NumericVariable).values;
}

export interface ParsedGlmFormula {
  /** The formula without cbind() and offset(): its response is the successes column. */
  formula: ParsedFormula;
  /** The failures column of cbind(successes, failures), if any. */
  failures: string | undefined;
  offsets: OffsetSpec[];
  /** Every column the formula reads (the parsed formula's variables, failures, offset columns). */
  columns: string[];
}

/** Takes cbind() and offset() out of a GLM(M) formula and parses the rest. */
export function parseGlmFormula(formulaText: string): ParsedGlmFormula {
  const tilde = formulaText.indexOf('~');
  if (tilde < 0) throw new StatisticsError(`Cannot parse model formula: no '~' in ${formulaText}`);
  const left = formulaText.slice(0, tilde);
  const { right, offsets } = extractOffsets(formulaText.slice(tilde + 1), formulaText);
  const cbind = CBIND.exec(left);
  const responseName = cbind === null ? left.trim() : cbind[1]!;
  const formula = parseFormula(`${responseName} ~ ${right}`);
  const failures = cbind === null ? undefined : unquote(cbind[2]!);
  const columns = [...formula.variables];
  for (const name of [failures, ...offsets.map((offset) => offset.column)]) {
    if (name !== undefined && !columns.includes(name)) columns.push(name);
  }
  return { formula, failures, offsets, columns };
}

export function prepareGlmModel(
  formulaText: string,
  data: ModelData,
  options: ModelDataOptions,
  family: Family,
): PreparedGlmModel {
  const { formula, offsets } = parseGlmFormula(formulaText);
  const cbind = CBIND.exec(formulaText.slice(0, formulaText.indexOf('~')));
  const frame = new ModelFrame(data, options);
  const n = frame.rows;
  const y = new Float64Array(n);
  const trials = new Float64Array(n).fill(1);
  const first = numericColumn(frame, unquote(formula.response), 'Response');
  if (cbind !== null) {
    if (family.name !== 'binomial') {
      throw new StatisticsError(
        `cbind(successes, failures) is a binomial response; the ${family.name} family takes one count column`,
      );
    }
    const failuresName = unquote(cbind[2]!);
    const failures = numericColumn(frame, failuresName, 'Response');
    for (let row = 0; row < n; row += 1) {
      const s = first[row]!;
      const f = failures[row]!;
      if (s < 0 || f < 0 || !Number.isInteger(s) || !Number.isInteger(f)) {
        throw new StatisticsError(
          `cbind(${formula.response}, ${failuresName}) needs non-negative whole counts; row ${row + 1} has ${s} and ${f}`,
        );
      }
      trials[row] = s + f;
      y[row] = s + f > 0 ? s / (s + f) : 0;
    }
  } else {
    for (let row = 0; row < n; row += 1) {
      const value = first[row]!;
      if (family.name === 'binomial' && value !== 0 && value !== 1) {
        throw new StatisticsError(
          `A binomial response given as one column must be 0 or 1; '${formula.response}' has ${value} in row ${row + 1} (for counts write cbind(successes, failures))`,
        );
      }
      if (family.name === 'poisson' && (value < 0 || !Number.isInteger(value))) {
        throw new StatisticsError(
          `A Poisson response must be a non-negative whole count; '${formula.response}' has ${value} in row ${row + 1}`,
        );
      }
      y[row] = value;
    }
  }
  const offset = new Float64Array(n);
  for (const spec of offsets) {
    const values = numericColumn(frame, spec.column, 'Offset column');
    for (let row = 0; row < n; row += 1) {
      const value = values[row]!;
      if (spec.log && !(value > 0)) {
        throw new StatisticsError(`offset(log(${spec.column})) needs positive values; row ${row + 1} has ${value}`);
      }
      offset[row]! += spec.log ? Math.log(value) : value;
    }
  }
  const design = buildFixedDesign(frame, formula);
  // glm() pivots columns out of its QR at tolerance min(1e-7, epsilon / 1000) = 1e-11; lme4 drops
  // rank-deficient columns before fitting. Either way an aliased column is named, never silent.
  const decomposition = householderQr(design.values, n, design.columns.length, 1e-11);
  const kept = decomposition.pivot.slice(0, decomposition.rank).sort((a, b) => a - b);
  const aliased = decomposition.pivot.slice(decomposition.rank).map((index) => design.columns[index]!);
  const p = kept.length;
  const x = new Float64Array(n * p);
  for (let row = 0; row < n; row += 1) {
    kept.forEach((column, position) => {
      x[row * p + position] = design.values[row * design.columns.length + column]!;
    });
  }
  return {
    formula,
    frame,
    response: { y, trials, offset, label: cbind === null ? formula.response : `cbind(${cbind[1]}, ${cbind[2]})` },
    x,
    rows: n,
    fixedNames: kept.map((column) => design.columns[column]!),
    aliased,
  };
}

export function requireFamily(name: string): FamilyName {
  if (name !== 'binomial' && name !== 'poisson') {
    throw new StatisticsError(`Unknown family '${name}': use binomial (logit link) or poisson (log link)`);
  }
  return name;
}
