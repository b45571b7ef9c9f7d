import type { z } from 'zod';
import { UserInputError } from './errors.js';

/**
 * Turns a zod validation failure into one `UserInputError` naming the file, the path inside it and
 * a fix. The first problem leads; any others are listed after it, so one run shows them all.
 */
export function userInputErrorFromZod(
  error: z.ZodError,
  file: string | undefined,
  schemaHint = 'see schema/study.schema.json for every allowed key',
): UserInputError {
  const problems = relevantIssues(error.issues).map((issue) => describeIssue(issue, schemaHint));
  const [first, ...rest] = problems;
  if (first === undefined) {
    return new UserInputError('is invalid', { file, fix: schemaHint });
  }
  return new UserInputError(
    first.message,
    { file, path: first.path, fix: first.fix },
    rest.map((problem) => `${problem.path}: ${problem.message}`),
  );
}

export function formatZodPath(path: readonly PropertyKey[]): string {
  let formatted = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      formatted += `[${segment}]`;
    } else {
      formatted += formatted === '' ? String(segment) : `.${String(segment)}`;
    }
  }
  return formatted === '' ? '(top level)' : formatted;
}

/**
 * The bound a user can act on comes first: for `turns: 1e308`, zod reports both the safe-integer
 * bound of `.int()` (2^53 - 1) and the schema's own maximum (60); only the latter is worth saying.
 */
function relevantIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const isSafeIntegerBound = (issue: z.core.$ZodIssue): boolean =>
    (issue.code === 'too_big' || issue.code === 'too_small') &&
    Math.abs(
      Number((issue as { maximum?: unknown; minimum?: unknown }).maximum ?? (issue as { minimum?: unknown }).minimum),
    ) === Number.MAX_SAFE_INTEGER;
  const key = (issue: z.core.$ZodIssue) => `${issue.code}:${issue.path.map(String).join('.')}`;
  const hasTighterBound = new Set(issues.filter((issue) => !isSafeIntegerBound(issue)).map(key));
  return issues.filter((issue) => !(isSafeIntegerBound(issue) && hasTighterBound.has(key(issue))));
}

interface DescribedIssue {
  path: string;
  message: string;
  fix: string;
}

function describeIssue(issue: z.core.$ZodIssue, schemaHint: string): DescribedIssue {
  const path = formatZodPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      return {
        path,
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`,
        fix: `remove ${keys} or correct its spelling (${schemaHint})`,
      };
    }
    case 'invalid_type': {
      const received = (issue as { input?: unknown }).input;
      const got = received === undefined ? 'nothing' : describeValue(received);
      return {
        path,
        message: received === undefined ? `is required (${issue.expected})` : `must be ${issue.expected}, got ${got}`,
        fix:
          received === undefined
            ? `add "${lastSegment(issue.path)}" (a ${issue.expected})`
            : `write a ${issue.expected} here`,
      };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value)).join(', ');
      return { path, message: `must be one of ${allowed}`, fix: `use one of ${allowed}` };
    }
    case 'too_small':
      return {
        path,
        message: issue.message,
        fix:
          issue.inclusive === false
            ? `use a value greater than ${String(issue.minimum)}`
            : `use a value of at least ${String(issue.minimum)}`,
      };
    case 'too_big':
      return {
        path,
        message: issue.message,
        fix:
          issue.inclusive === false
            ? `use a value less than ${String(issue.maximum)}`
            : `use a value of at most ${String(issue.maximum)}`,
      };
    case 'invalid_union':
      return { path, message: issue.message, fix: `check the "kind" and the keys allowed for it (${schemaHint})` };
    default:
      return { path, message: issue.message, fix: `correct this value (${schemaHint})` };
  }
}

function lastSegment(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  return last === undefined ? 'value' : String(last);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}
