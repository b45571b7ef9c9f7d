import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userInputErrorOf } from '../../test/support/user-input-error.js';
import {
  checkLanguagePacks,
  clearLanguagePackCache,
  languagePackFile,
  listLanguageTags,
  loadLanguagePack,
  loadLanguagePacks,
  loadValidationSet,
} from './index.js';

const englishPackText = readFileSync(languagePackFile('en'), 'utf8');

function englishPack(): Record<string, unknown> & {
  meta: Record<string, unknown>;
  personas: Record<string, unknown>[];
} {
  return JSON.parse(englishPackText);
}

describe('the installed packs', () => {
  it('loads en from beside the module and caches a frozen pack', () => {
    const pack = loadLanguagePack('en');
    expect(pack.meta.tag).toBe('en');
    expect(pack.personas).toHaveLength(10);
    expect(loadLanguagePack('en')).toBe(pack);
    expect(Object.isFrozen(pack.lexicon.categories)).toBe(true);
  });

  it('fills schema defaults', () => {
    expect(loadLanguagePack('ja').capabilities.caseSensitive).toBe(false);
  });

  it('names the available tags when a tag is unknown', () => {
    const error = userInputErrorOf(() => loadLanguagePack('xx'));
    expect(error.message).toBe('unknown language "xx": there is no language pack for it');
    expect(error.fix).toContain('en');
    expect(error.fix).toContain('ja');
  });

  it('reports every unknown tag of a list in one error', () => {
    const error = userInputErrorOf(() => loadLanguagePacks(['en', 'xx', 'yy']));
    expect(error.message).toBe('unknown languages "xx", "yy": there are no language packs for them');
  });

  it('returns packs in the order asked for', () => {
    expect(loadLanguagePacks(['ja', 'en']).map((pack) => pack.meta.tag)).toEqual(['ja', 'en']);
  });
});

describe('packs in another folder', () => {
  let directory: string;

  function writePack(tag: string, content: unknown): string {
    mkdirSync(join(directory, tag), { recursive: true });
    const file = join(directory, tag, 'pack.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'backfire-packs-'));
    clearLanguagePackCache();
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
    clearLanguagePackCache();
  });

  it('lists only folders holding a pack.json, sorted', () => {
    writePack('fr', englishPack());
    writePack('de', englishPack());
    mkdirSync(join(directory, 'empty'));
    writeFileSync(join(directory, 'notes.json'), '{}');
    expect(listLanguageTags({ directory })).toEqual(['de', 'fr']);
  });

  it('rejects invalid JSON naming the file', () => {
    const file = writePack('en', '{ "meta": ');
    const error = userInputErrorOf(() => loadLanguagePack('en', { directory }));
    expect(error.file).toBe(file);
    expect(error.message).toMatch(/^is not valid JSON/);
  });

  it('rejects a schema violation naming the file and the path', () => {
    const pack = englishPack();
    delete pack.personas[3]?.age;
    const file = writePack('en', pack);
    const error = userInputErrorOf(() => loadLanguagePack('en', { directory }));
    expect(error.file).toBe(file);
    expect(error.path).toBe('personas[3].age');
    expect(error.format()).toContain(`${file}: personas[3].age:`);
  });

  it('rejects an unknown key', () => {
    const pack = englishPack();
    pack.meta.reviewer = 'someone';
    writePack('en', pack);
    const error = userInputErrorOf(() => loadLanguagePack('en', { directory }));
    expect(error.path).toBe('meta');
    expect(error.message).toContain('"reviewer"');
  });

  it('rejects a consistency problem, listing the others too', () => {
    const pack = englishPack();
    (pack.scenario as { targetPersonaId: string }).targetPersonaId = 'p42';
    const file = writePack('fr', pack);
    const error = userInputErrorOf(() => loadLanguagePack('fr', { directory }));
    expect(error.file).toBe(file);
    expect(error.path).toBe('meta.tag');
    expect(error.message).toContain('"en" but the pack lives in the folder "fr"');
    expect(error.additionalProblems).toEqual([
      'scenario.targetPersonaId: "p42" is not the id of a persona (ids: p01, p02, p03, p04, p05, p06, p07, p08, p09, p10)',
    ]);
  });

  it('checks every pack, collecting each error', () => {
    writePack('de', englishPack());
    writePack('en', englishPack());
    const checks = checkLanguagePacks({ directory });
    expect(checks.map((check) => [check.tag, check.error?.path ?? null])).toEqual([
      ['de', 'meta.tag'],
      ['en', null],
    ]);
  });

  it('reads a validation set, or null when there is none', () => {
    writePack('en', englishPack());
    expect(loadValidationSet('en', { directory })).toBeNull();
    writeFileSync(
      join(directory, 'en', 'validation.json'),
      JSON.stringify([{ text: 'We protect each other.', labels: ['protective', 'conformity'] }]),
    );
    expect(loadValidationSet('en', { directory })).toEqual([
      { text: 'We protect each other.', labels: ['protective', 'conformity'] },
    ]);
  });

  it('rejects a validation label that is not a lexicon category', () => {
    writePack('en', englishPack());
    const file = join(directory, 'en', 'validation.json');
    writeFileSync(
      file,
      JSON.stringify([
        { text: 'x', labels: [] },
        { text: 'y', labels: ['protection'] },
      ]),
    );
    const error = userInputErrorOf(() => loadValidationSet('en', { directory }));
    expect(error.file).toBe(file);
    expect(error.path).toBe('[1].labels');
    expect(error.message).toBe('labels an unknown category "protection"');
  });
});
