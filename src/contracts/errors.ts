/**
 * Typed errors shared by every stage. Inside a module we throw these; at the run boundary a failure
 * becomes a recorded event; at the CLI boundary a known error becomes one readable message and an
 * exit code (never a stack trace for a user's mistake).
 */

export interface UserInputErrorDetails {
  /** The file the bad input came from (study file, CSV, language pack), when there is one. */
  file?: string | undefined;
  /** Where inside that file: a dotted/indexed path such as `design.dose.levels[2]`, a CSV row/column. */
  path?: string | undefined;
  /** What the user should do about it, phrased as an instruction. */
  fix: string;
}

export class BackfireError extends Error {
  readonly code: string;
  /** Process exit code the CLI uses when this error reaches it. */
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad study files, packs, CSVs and flags. Exit code 2, nothing written. */
export class UserInputError extends BackfireError {
  readonly file: string | undefined;
  readonly path: string | undefined;
  readonly fix: string;
  /** Further problems found in the same input, shown after the first. */
  readonly additionalProblems: readonly string[];

  constructor(message: string, details: UserInputErrorDetails, additionalProblems: readonly string[] = []) {
    super('user-input', message, 2);
    this.file = details.file;
    this.path = details.path;
    this.fix = details.fix;
    this.additionalProblems = additionalProblems;
  }

  /** The one message the CLI prints: `<file>: <path>: <message>` then the fix. */
  format(): string {
    const location = [this.file, this.path].filter((part) => part !== undefined && part !== '');
    const head = location.length > 0 ? `${location.join(': ')}: ${this.message}` : this.message;
    const extra =
      this.additionalProblems.length > 0
        ? `\n  also:\n${this.additionalProblems.map((problem) => `    - ${problem}`).join('\n')}`
        : '';
    return `${head}\n  fix: ${this.fix}${extra}`;
  }
}

/** One attempt of a model call (the shape of `CallAttempt` in model-call.ts, kept here dependency-free). */
export interface CallAttemptRecord {
  attempt: number;
  outcome: string;
  status?: number | undefined;
  waitMs?: number | undefined;
  message?: string | undefined;
}

/** The classes of model-call failure the retry policy distinguishes. */
export const MODEL_CALL_FAILURE_KINDS = [
  'rate-limit',
  'server',
  'timeout',
  'network',
  'malformed-response',
  'client',
  'authentication',
  'budget',
] as const;
export type ModelCallFailureKind = (typeof MODEL_CALL_FAILURE_KINDS)[number];

export class ModelCallError extends BackfireError {
  readonly kind: ModelCallFailureKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Server-requested wait before the next attempt (from retry-after-ms / retry-after). */
  readonly retryAfterMs: number | undefined;
  /** Every attempt made for the call (set by the retry wrapper), so a failed call's history is kept. */
  readonly attempts: readonly CallAttemptRecord[];

  constructor(
    kind: ModelCallFailureKind,
    message: string,
    options: {
      status?: number | undefined;
      retryable?: boolean;
      retryAfterMs?: number | undefined;
      attempts?: readonly CallAttemptRecord[] | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(`model-call-${kind}`, message, 1, { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryable = options.retryable ?? ['rate-limit', 'server', 'timeout', 'network'].includes(kind);
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts ?? [];
  }
}

/** Spend reached the study's budget: the runner stops cleanly. */
export class BudgetExceededError extends BackfireError {
  constructor(message: string) {
    super('budget-exceeded', message, 3);
  }
}

/** The store is missing, from another study, or corrupt. */
export class StoreError extends BackfireError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store', message, 1, options);
  }
}

/** A statistics routine was asked something it cannot answer (too few rows, singular design). */
export class StatisticsError extends BackfireError {
  constructor(message: string) {
    super('statistics', message, 1);
  }
}

/**
 * The data cannot estimate the quantity (a variable that does not vary, too few observations for
 * the parameters, a response reproduced exactly, a separated GLM): a statistical result, which the
 * analysis reports as a not-estimable row. Every other error stops the analysis.
 */
export class NotEstimableError extends StatisticsError {}
