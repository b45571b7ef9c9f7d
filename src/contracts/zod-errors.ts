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
  const problems = error.issues.map((issue) => describeIssue(issue, schemaHint));
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
      return { path, message: issue.message, fix: `use a value of at least ${String(issue.minimum)}` };
    case 'too_big':
      return { path, message: issue.message, fix: `use a value of at most ${String(issue.maximum)}` };
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
