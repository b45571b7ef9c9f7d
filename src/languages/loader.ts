import { readFileSync } from 'node:fs';
import { type LanguagePack, LanguagePackSchema, UserInputError, userInputErrorFromZod } from '../contracts/index.js';
import { findPackProblems } from './consistency.js';

/**
 * Reading and validating one pack file: JSON syntax, then the zod schema, then the semantic
 * consistency check. Each stage fails with one `UserInputError` naming the file and the path inside
 * it, so `backfire validate` can show a pack author exactly what to fix.
 */

const PACK_FORMAT_HINT = 'see src/languages/README.md for the pack format';

export interface PackSource {
  /** The file the data came from, named in every error. */
  file: string;
  /** The folder the pack was read from; `meta.tag` must equal it. */
  folderTag?: string | undefined;
}

/** Validates already-parsed JSON as a language pack (schema, then consistency). */
export function parseLanguagePack(raw: unknown, source: PackSource): LanguagePack {
  const parsed = LanguagePackSchema.safeParse(raw);
  if (!parsed.success) {
    throw userInputErrorFromZod(parsed.error, source.file, PACK_FORMAT_HINT);
  }
  const problems = findPackProblems(parsed.data, { folderTag: source.folderTag });
  const [first, ...rest] = problems;
  if (first !== undefined) {
    throw new UserInputError(
      first.message,
      { file: source.file, path: first.path, fix: first.fix ?? `correct this value (${PACK_FORMAT_HINT})` },
      rest.map((problem) => `${problem.path}: ${problem.message}`),
    );
  }
  return parsed.data;
}

/** Reads JSON from a file, turning unreadable files and syntax errors into a `UserInputError`. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserInputError(`cannot be read (${error instanceof Error ? error.message : String(error)})`, {
      file,
      fix: 'check that the file exists and is readable',
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserInputError(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      file,
      fix: 'correct the JSON syntax (a JSON-aware editor or `node -e "JSON.parse(...)"` shows the position)',
    });
  }
}

/** Reads, parses and validates one pack.json. */
export function readLanguagePackFile(file: string, folderTag?: string): LanguagePack {
  return parseLanguagePack(readJsonFile(file), { file, folderTag });
}
