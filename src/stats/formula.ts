import { StatisticsError } from '../contracts/index.js';

/**
 * Model formulas in R's syntax (`y ~ x * g + (1 + x | language)`), expanded into terms the way
 * R's `terms()` and lme4's `findbars()` do. Supported: `+`, `-`, `*`, `:`, `/`, `%in%`, `^`,
 * `0`/`1`/`-1` for the intercept, parentheses, backtick-quoted names, and random-effects terms
 * `(lhs | group)` and `(lhs || group)` whose group may be `a`, `a:b` or `a/b`. Functions of
 * variables (`log(x)`, `I(x^2)`) are not supported: transform the column before fitting.
 */

/** One fixed-effects term: the variables it multiplies, in the order R prints them. */
export interface FormulaTerm {
  /** R's term label, e.g. `k:language_group`. */
  label: string;
  variables: string[];
}

/** One random-effects term after lme4's expansion (`a/b` gives two terms, `||` splits columns). */
export interface RandomTermSpec {
  /** The grouping factor as lme4 names it: `language`, `run:language`. */
  group: string;
  /** The variables whose interaction forms the grouping factor, e.g. `['run', 'language']`. */
  groupVariables: string[];
  /** Whether the term has a random intercept. */
  intercept: boolean;
  /** The terms of the left-hand side, expanded as a fixed-effects right-hand side. */
  terms: FormulaTerm[];
  /** The term written back in R's syntax, e.g. `(1 + k | language)`. */
  text: string;
}

export interface ParsedFormula {
  /** The formula as given. */
  text: string;
  response: string;
  /** Whether the fixed part has an intercept (`0 +` and `- 1` remove it). */
  intercept: boolean;
  /** Fixed-effects terms in R's order: by order of interaction, then by appearance. */
  fixedTerms: FormulaTerm[];
  /** Random-effects terms in the order written (fitting reorders them as lme4 does). */
  randomTerms: RandomTermSpec[];
  /** Every variable the formula uses, response first, in order of first appearance. */
  variables: string[];
}

type Expression =
  | { kind: 'variable'; name: string }
  | { kind: 'constant'; value: number }
  | { kind: 'binary'; operator: '+' | '-' | '*' | '/' | ':' | '%in%' | '^'; left: Expression; right: Expression }
  | { kind: 'negate'; operand: Expression }
  | { kind: 'bar'; left: Expression; group: Expression; double: boolean }
  | { kind: 'empty' };

type TokenKind = 'name' | 'number' | 'operator' | 'open' | 'close' | 'tilde' | 'bar' | 'double-bar' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  position: number;
}

function formulaError(text: string, position: number, message: string): StatisticsError {
  const pointer = `${text}\n${' '.repeat(Math.max(0, position))}^`;
  return new StatisticsError(`Cannot parse model formula: ${message}\n${pointer}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const character = text[position]!;
    if (/\s/.test(character)) {
      position += 1;
      continue;
    }
    if (character === '`') {
      const end = text.indexOf('`', position + 1);
      if (end < 0) throw formulaError(text, position, 'unclosed backtick');
      tokens.push({ kind: 'name', text: text.slice(position + 1, end), position });
      position = end + 1;
      continue;
    }
    if (/[A-Za-z._]/.test(character)) {
      const match = /^[A-Za-z._][A-Za-z0-9._]*/.exec(text.slice(position))!;
      const word = match[0];
      if (/^\.\d/.test(word)) throw formulaError(text, position, `'${word}' is not a valid name`);
      if (word === '.') throw formulaError(text, position, "'.' (all other columns) is not supported; list the terms");
      tokens.push({ kind: 'name', text: word, position });
      position += word.length;
      continue;
    }
    if (/[0-9]/.test(character)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(position))!;
      tokens.push({ kind: 'number', text: match[0], position });
      position += match[0].length;
      continue;
    }
    if (text.startsWith('%in%', position)) {
      tokens.push({ kind: 'operator', text: '%in%', position });
      position += 4;
      continue;
    }
    if (text.startsWith('||', position)) {
      tokens.push({ kind: 'double-bar', text: '||', position });
      position += 2;
      continue;
    }
    if ('+-*/:^'.includes(character)) {
      tokens.push({ kind: 'operator', text: character, position });
      position += 1;
      continue;
    }
    if (character === '(') tokens.push({ kind: 'open', text: character, position });
    else if (character === ')') tokens.push({ kind: 'close', text: character, position });
    else if (character === '~') tokens.push({ kind: 'tilde', text: character, position });
    else if (character === '|') tokens.push({ kind: 'bar', text: character, position });
    else throw formulaError(text, position, `unexpected character '${character}'`);
    position += 1;
  }
  tokens.push({ kind: 'end', text: '', position: text.length });
  return tokens;
}

/**
 * Recursive-descent parser with R's operator precedence, loosest first: `|`, `+ -`, `* /`,
 * `%in%`, `:`, unary minus, `^`.
 */
class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    this.index += 1;
    return token;
  }

  private fail(token: Token, message: string): never {
    throw formulaError(this.text, token.position, message);
  }

  parseFormula(): { response: Expression; right: Expression } {
    const first = this.peek();
    if (first.kind === 'tilde') this.fail(first, 'the formula needs a response before ~ (e.g. y ~ x)');
    const response = this.parseSum();
    const tilde = this.next();
    if (tilde.kind !== 'tilde') this.fail(tilde, "expected '~' between the response and the predictors");
    if (this.peek().kind === 'end') this.fail(this.peek(), "expected predictors after '~' (use 1 for none)");
    const right = this.parseSum();
    const end = this.peek();
    if (end.kind !== 'end') this.fail(end, `unexpected '${end.text}'`);
    return { response, right };
  }

  private parseSum(): Expression {
    let left: Expression;
    const start = this.peek();
    if (start.kind === 'operator' && start.text === '-') {
      this.next();
      left = { kind: 'negate', operand: this.parseProduct() };
    } else if (start.kind === 'operator' && start.text === '+') {
      this.next();
      left = this.parseProduct();
    } else {
      left = this.parseProduct();
    }
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && (token.text === '+' || token.text === '-')) {
        this.next();
        const right = this.parseProduct();
        left = { kind: 'binary', operator: token.text, left, right };
      } else return left;
    }
  }

  private parseProduct(): Expression {
    let left = this.parseIn();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && (token.text === '*' || token.text === '/')) {
        this.next();
        const right = this.parseIn();
        left = { kind: 'binary', operator: token.text, left, right };
      } else return left;
    }
  }

  private parseIn(): Expression {
    let left = this.parseInteraction();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && token.text === '%in%') {
        this.next();
        const right = this.parseInteraction();
        left = { kind: 'binary', operator: '%in%', left, right };
      } else return left;
    }
  }

  private parseInteraction(): Expression {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      if (token.kind === 'operator' && token.text === ':') {
        this.next();
        const right = this.parseUnary();
        left = { kind: 'binary', operator: ':', left, right };
      } else return left;
    }
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (token.kind === 'operator' && token.text === '-') {
      this.next();
      return { kind: 'negate', operand: this.parseUnary() };
    }
    return this.parsePower();
  }

  private parsePower(): Expression {
    const baseToken = this.peek();
    const base = this.parsePrimary();
    const token = this.peek();
    if (token.kind === 'operator' && token.text === '^') {
      if (base.kind === 'variable') {
        // R reads x^2 as x (x crossed with itself): a silent linear term where a quadratic was meant.
        this.fail(
          baseToken,
          `${base.name}^n in a formula means '${base.name}' crossed with itself, i.e. just ${base.name}; for a polynomial add a column with the power, for interactions write (a + b)^2`,
        );
      }
      this.next();
      const exponent = this.next();
      if (exponent.kind !== 'number' || !/^[0-9]+$/.test(exponent.text) || Number(exponent.text) < 1) {
        this.fail(exponent, "'^' needs a positive whole number, as in (a + b)^2");
      }
      return { kind: 'binary', operator: '^', left: base, right: { kind: 'constant', value: Number(exponent.text) } };
    }
    return base;
  }

  private parsePrimary(): Expression {
    const token = this.next();
    if (token.kind === 'name') {
      if (this.peek().kind === 'open') {
        this.fail(token, `functions such as ${token.text}() are not supported; transform the column before fitting`);
      }
      return { kind: 'variable', name: token.text };
    }
    if (token.kind === 'number') {
      if (token.text !== '0' && token.text !== '1') {
        this.fail(token, `the only numbers allowed in a formula are 0 and 1 (intercept), not ${token.text}`);
      }
      return { kind: 'constant', value: Number(token.text) };
    }
    if (token.kind === 'open') {
      const inner = this.parseSum();
      const after = this.next();
      if (after.kind === 'bar' || after.kind === 'double-bar') {
        const group = this.parseSum();
        const close = this.next();
        if (close.kind !== 'close') this.fail(close, "expected ')' to close the random-effects term");
        return { kind: 'bar', left: inner, group, double: after.kind === 'double-bar' };
      }
      if (after.kind !== 'close') this.fail(after, "expected ')'");
      return inner;
    }
    if (token.kind === 'end') this.fail(token, 'the formula ends too early');
    return this.fail(token, `unexpected '${token.text}'`);
  }
}

/** Terms are sets of variable indices; R keeps them as bit sets, we keep sorted index arrays. */
type TermSet = number[];

interface Expansion {
  terms: TermSet[];
  /** true: `1` seen, false: `0`/`-1` seen, undefined: not mentioned. */
  intercept: boolean | undefined;
}

function termKey(term: TermSet): string {
  return term.join(',');
}

function union(left: TermSet, right: TermSet): TermSet {
  return [...new Set([...left, ...right])].sort((a, b) => a - b);
}

function appendUnique(target: TermSet[], additions: TermSet[]): TermSet[] {
  const seen = new Set(target.map(termKey));
  const result = [...target];
  for (const term of additions) {
    const key = termKey(term);
    if (term.length > 0 && !seen.has(key)) {
      seen.add(key);
      result.push(term);
    }
  }
  return result;
}

class TermExpander {
  readonly variables: string[] = [];

  constructor(private readonly formulaText: string) {}

  variableIndex(name: string): number {
    const existing = this.variables.indexOf(name);
    if (existing >= 0) return existing;
    this.variables.push(name);
    return this.variables.length - 1;
  }

  /** Registers variables in order of appearance, as R's variable list does. */
  collectVariables(expression: Expression): void {
    switch (expression.kind) {
      case 'variable':
        this.variableIndex(expression.name);
        return;
      case 'binary':
        this.collectVariables(expression.left);
        if (expression.operator !== '^') this.collectVariables(expression.right);
        return;
      case 'negate':
        this.collectVariables(expression.operand);
        return;
      default:
        return;
    }
  }

  expand(expression: Expression): Expansion {
    switch (expression.kind) {
      case 'empty':
        return { terms: [], intercept: undefined };
      case 'variable':
        return { terms: [[this.variableIndex(expression.name)]], intercept: undefined };
      case 'constant':
        return { terms: [], intercept: expression.value === 1 };
      case 'negate': {
        const inner = this.expand(expression.operand);
        // `-1` removes the intercept, `-0` puts it back; negated variables are removed by `-`.
        return {
          terms: [],
          intercept: inner.intercept === undefined ? undefined : !inner.intercept,
        };
      }
      case 'bar':
        throw new StatisticsError(
          `Cannot parse model formula: a random-effects term may only be added to the formula, not combined with other operators\n${this.formulaText}`,
        );
      case 'binary':
        return this.expandBinary(expression);
    }
  }

  private expandBinary(expression: Extract<Expression, { kind: 'binary' }>): Expansion {
    const left = this.expand(expression.left);
    if (expression.operator === '^') {
      const power = (expression.right as { value: number }).value;
      let terms = left.terms;
      for (let step = 1; step < power; step += 1) {
        terms = appendUnique(terms, this.interact(terms, left.terms));
      }
      return { terms, intercept: left.intercept };
    }
    const right = this.expand(expression.right);
    switch (expression.operator) {
      case '+':
        return { terms: appendUnique(left.terms, right.terms), intercept: right.intercept ?? left.intercept };
      case '-': {
        const removed = new Set(right.terms.map(termKey));
        const intercept = right.intercept === undefined ? left.intercept : !right.intercept;
        return { terms: left.terms.filter((term) => !removed.has(termKey(term))), intercept };
      }
      case ':':
        return { terms: appendUnique([], this.interact(left.terms, right.terms)), intercept: undefined };
      case '*':
        return {
          terms: appendUnique(appendUnique(left.terms, right.terms), this.interact(left.terms, right.terms)),
          intercept: undefined,
        };
      case '/': {
        // a / b is a + b %in% a: the right-hand terms nested within every variable on the left.
        const all = left.terms.reduce<TermSet>((accumulated, term) => union(accumulated, term), []);
        return {
          terms: appendUnique(
            left.terms,
            right.terms.map((term) => union(all, term)),
          ),
          intercept: undefined,
        };
      }
      case '%in%': {
        const all = right.terms.reduce<TermSet>((accumulated, term) => union(accumulated, term), []);
        return {
          terms: appendUnique(
            [],
            left.terms.map((term) => union(term, all)),
          ),
          intercept: undefined,
        };
      }
    }
  }

  private interact(left: TermSet[], right: TermSet[]): TermSet[] {
    const result: TermSet[] = [];
    for (const a of left) for (const b of right) result.push(union(a, b));
    return result;
  }

  /** R's terms(): sort by order of interaction, stable within an order. */
  finish(expansion: Expansion): { terms: FormulaTerm[]; intercept: boolean } {
    const ordered = expansion.terms
      .map((term, position) => ({ term, position }))
      .sort((a, b) => a.term.length - b.term.length || a.position - b.position)
      .map(({ term }) => {
        const variables = term.map((index) => this.variables[index]!);
        return { label: variables.map(quoteName).join(':'), variables };
      });
    return { terms: ordered, intercept: expansion.intercept ?? true };
  }
}

/** Names that are not syntactic in R are printed in backticks, as R does in term labels. */
function quoteName(name: string): string {
  return /^([A-Za-z]|[.][A-Za-z._]|[.]$)[A-Za-z0-9._]*$/.test(name) ? name : `\`${name}\``;
}

/** Splits the top-level sum into its random-effects terms and what remains for the fixed part. */
function extractBars(expression: Expression, bars: Extract<Expression, { kind: 'bar' }>[]): Expression {
  if (expression.kind === 'bar') {
    bars.push(expression);
    return { kind: 'empty' };
  }
  if (expression.kind === 'binary' && (expression.operator === '+' || expression.operator === '-')) {
    const left = extractBars(expression.left, bars);
    if (expression.operator === '-' && containsBar(expression.right)) {
      throw new StatisticsError('Cannot parse model formula: a random-effects term cannot be subtracted');
    }
    const right = expression.operator === '+' ? extractBars(expression.right, bars) : expression.right;
    return { ...expression, left, right };
  }
  if (containsBar(expression)) {
    throw new StatisticsError(
      'Cannot parse model formula: a random-effects term (… | group) may only be added to the formula, not combined with * : / or ^',
    );
  }
  return expression;
}

function containsBar(expression: Expression): boolean {
  switch (expression.kind) {
    case 'bar':
      return true;
    case 'binary':
      return containsBar(expression.left) || containsBar(expression.right);
    case 'negate':
      return containsBar(expression.operand);
    default:
      return false;
  }
}

/**
 * Grouping expressions as lme4 expands them: `a/b/c` gives `c:b:a`, `b:a` and `a` (innermost
 * first), `a:b` is one interaction factor. Each group is a list of variables.
 */
function expandGroups(expression: Expression, formulaText: string): string[][] {
  const invalid = () =>
    new StatisticsError(
      `Cannot parse model formula: a grouping factor must be a column, a:b or a/b, in ${formulaText}`,
    );
  const interaction = (node: Expression): string[] => {
    if (node.kind === 'variable') return [node.name];
    if (node.kind === 'binary' && node.operator === ':') return [...interaction(node.left), ...interaction(node.right)];
    throw invalid();
  };
  if (expression.kind === 'binary' && expression.operator === '/') {
    const outer = expandGroups(expression.left, formulaText);
    const innermostOuter = outer[0]!;
    const inner = interaction(expression.right);
    return [[...inner, ...innermostOuter], ...outer];
  }
  return [interaction(expression)];
}

function describeRandom(terms: FormulaTerm[], intercept: boolean, group: string, double: boolean): string {
  const parts = terms.map((term) => term.label);
  const left = intercept ? ['1', ...parts].join(' + ') : ['0', ...parts].join(' + ');
  return `(${left} ${double ? '||' : '|'} ${group})`;
}

/** Parses an R model formula and expands it into fixed and random terms. */
export function parseFormula(text: string): ParsedFormula {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new StatisticsError('Cannot parse model formula: it is empty (expected e.g. "y ~ x + (1 | group)")');
  }
  const parser = new Parser(text, tokenize(text));
  const { response, right } = parser.parseFormula();
  if (response.kind !== 'variable') {
    throw new StatisticsError(`Cannot parse model formula: the response must be one column name, in ${text}`);
  }
  const bars: Extract<Expression, { kind: 'bar' }>[] = [];
  const fixedExpression = extractBars(right, bars);

  const expander = new TermExpander(text);
  expander.variableIndex(response.name);
  expander.collectVariables(fixedExpression);
  const fixed = expander.finish(expander.expand(fixedExpression));
  if (fixed.terms.some((term) => term.variables.includes(response.name))) {
    throw new StatisticsError(
      `Cannot parse model formula: the response '${response.name}' also appears as a predictor`,
    );
  }

  const randomTerms: RandomTermSpec[] = [];
  for (const bar of bars) {
    const groupList = expandGroups(bar.group, text);
    const lhsExpander = new TermExpander(text);
    lhsExpander.collectVariables(bar.left);
    const lhs = lhsExpander.finish(lhsExpander.expand(bar.left));
    for (const variables of groupList) {
      for (const variable of variables) expander.variableIndex(variable);
      const group = variables.map(quoteName).join(':');
      if (bar.double) {
        // lme4's expandDoubleVerts: (1 + x || g) is (1 | g) + (0 + x | g), uncorrelated.
        if (lhs.intercept) {
          randomTerms.push({ group, groupVariables: variables, intercept: true, terms: [], text: `(1 | ${group})` });
        }
        for (const term of lhs.terms) {
          randomTerms.push({
            group,
            groupVariables: variables,
            intercept: false,
            terms: [term],
            text: `(0 + ${term.label} | ${group})`,
          });
        }
      } else {
        if (!lhs.intercept && lhs.terms.length === 0) {
          throw new StatisticsError(
            `Cannot parse model formula: the random-effects term for '${group}' has no columns`,
          );
        }
        randomTerms.push({
          group,
          groupVariables: variables,
          intercept: lhs.intercept,
          terms: lhs.terms,
          text: describeRandom(lhs.terms, lhs.intercept, group, false),
        });
      }
    }
    for (const name of lhsExpander.variables) expander.variableIndex(name);
  }
  for (const term of randomTerms) {
    if (term.terms.some((lhsTerm) => lhsTerm.variables.includes(response.name))) {
      throw new StatisticsError(
        `Cannot parse model formula: the response '${response.name}' also appears in a random-effects term`,
      );
    }
  }
  return {
    text,
    response: response.name,
    intercept: fixed.intercept,
    fixedTerms: fixed.terms,
    randomTerms,
    variables: [...expander.variables],
  };
}

/** The formula's fixed part written back in R's syntax (used when refitting without random terms). */
export function formatFixedPart(formula: ParsedFormula): string {
  const terms = formula.fixedTerms.map((term) => term.label);
  const right = formula.intercept ? (terms.length === 0 ? '1' : terms.join(' + ')) : ['0', ...terms].join(' + ');
  return `${quoteName(formula.response)} ~ ${right}`;
}
