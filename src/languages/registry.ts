import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type LanguagePack,
  REQUIRED_LEXICON_CATEGORIES,
  UserInputError,
  userInputErrorFromZod,
} from '../contracts/index.js';
import { readJsonFile, readLanguagePackFile } from './loader.js';
import { type ValidationItem, ValidationSetSchema } from './validation-set.js';

/**
 * The installed packs: one folder per BCP-47 tag beside this module. Found relative to the module's
 * own location so the same code works from `src/` (vitest, tsx) and from `dist/` (the build copies
 * every *.json next to the compiled modules).
 */

const PACK_FILE = 'pack.json';
const VALIDATION_FILE = 'validation.json';
const DEFAULT_DIRECTORY = fileURLToPath(new URL('.', import.meta.url));

export interface RegistryOptions {
  /** Folder holding one sub-folder per language; defaults to the folder of this module. */
  directory?: string | undefined;
}

const cache = new Map<string, LanguagePack>();

/** The folder the packs are read from. */
export function languagesDirectory(options: RegistryOptions = {}): string {
  return options.directory ?? DEFAULT_DIRECTORY;
}

/** Tags of every folder that holds a pack.json, sorted. */
export function listLanguageTags(options: RegistryOptions = {}): string[] {
  const directory = languagesDirectory(options);
  return readdirSync(directory)
    .filter((entry) => statSync(join(directory, entry)).isDirectory() && existsSync(join(directory, entry, PACK_FILE)))
    .sort();
}

/** Path of a tag's pack.json (whether or not it exists). */
export function languagePackFile(tag: string, options: RegistryOptions = {}): string {
  return join(languagesDirectory(options), tag, PACK_FILE);
}

/** Loads and validates one pack; later calls for the same file return the same (frozen) object. */
export function loadLanguagePack(tag: string, options: RegistryOptions = {}): LanguagePack {
  assertKnownTags([tag], options);
  const file = languagePackFile(tag, options);
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const pack = deepFreeze(readLanguagePackFile(file, tag));
  cache.set(file, pack);
  return pack;
}

/** Loads several packs in the given order; unknown tags are reported together in one error. */
export function loadLanguagePacks(tags: readonly string[], options: RegistryOptions = {}): LanguagePack[] {
  assertKnownTags(tags, options);
  return tags.map((tag) => loadLanguagePack(tag, options));
}

export interface PackCheck {
  tag: string;
  file: string;
  /** Null when the pack loaded cleanly. */
  error: UserInputError | null;
}

/** Loads every installed pack and collects each one's error instead of stopping at the first. */
export function checkLanguagePacks(options: RegistryOptions = {}): PackCheck[] {
  return listLanguageTags(options).map((tag) => {
    const file = languagePackFile(tag, options);
    try {
      loadLanguagePack(tag, options);
      return { tag, file, error: null };
    } catch (error) {
      if (error instanceof UserInputError) return { tag, file, error };
      throw error;
    }
  });
}

/** Forgets loaded packs (tests that rewrite pack files). */
export function clearLanguagePackCache(): void {
  cache.clear();
}

/** The tag's lexicon validation set, or null when the pack has none. */
export function loadValidationSet(tag: string, options: RegistryOptions = {}): ValidationItem[] | null {
  assertKnownTags([tag], options);
  const file = join(languagesDirectory(options), tag, VALIDATION_FILE);
  if (!existsSync(file)) return null;
  const parsed = ValidationSetSchema.safeParse(readJsonFile(file));
  if (!parsed.success) {
    throw userInputErrorFromZod(
      parsed.error,
      file,
      'each item is { "text": ..., "labels": [categories], "note"?: ... }',
    );
  }
  const pack = loadLanguagePack(tag, options);
  const categories = new Set<string>([...REQUIRED_LEXICON_CATEGORIES, ...Object.keys(pack.lexicon.categories)]);
  parsed.data.forEach((item, index) => {
    const unknown = item.labels.find((label) => !categories.has(label));
    if (unknown !== undefined) {
      throw new UserInputError(`labels an unknown category "${unknown}"`, {
        file,
        path: `[${index}].labels`,
        fix: `use the pack's lexicon categories: ${[...categories].join(', ')}`,
      });
    }
  });
  return parsed.data;
}

function assertKnownTags(tags: readonly string[], options: RegistryOptions): void {
  const available = listLanguageTags(options);
  const unknown = tags.filter((tag) => !available.includes(tag));
  const [first] = unknown;
  if (first === undefined) return;
  const listed = available.length > 0 ? available.join(', ') : '(none)';
  throw new UserInputError(
    unknown.length === 1
      ? `unknown language "${first}": there is no language pack for it`
      : `unknown languages ${unknown.map((tag) => `"${tag}"`).join(', ')}: there are no language packs for them`,
    {
      file: languagesDirectory(options),
      fix: `use one of the available tags: ${listed} (or add a pack; see src/languages/README.md)`,
    },
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
