import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashCanonical, type HypothesisResult, StudySchema, UserInputError } from '../contracts/index.js';
import { languagesDirectory } from '../languages/index.js';
import {
  createLock,
  demotedByChanges,
  diffPreregistration,
  preregContent,
  preregistrationResults,
  readLock,
  serializeLock,
  verifyPreregistration,
} from './preregistration.js';
import { type LoadedStudy, loadStudyFile } from './study-file.js';

const STUDY = `backfire: 1
name: lock-unit
title: Lock unit test
seed: 5
languages: [en]
agents: 4
turns: 3
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 2
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0 }
    - { id: H2, kind: contrast, metric: di, high: 4, low: 0 }
    - { id: E1, kind: trend, metric: cpi, confirmatory: false }
`;

function folder(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `backfire-${prefix}-`));
}

function studyFile(text = STUDY): string {
  const file = join(folder('lock-study'), 'study.yaml');
  writeFileSync(file, text);
  return file;
}

function lockFor(loaded: LoadedStudy): string {
  const file = join(folder('lock'), 'prereg.lock.json');
  writeFileSync(file, serializeLock(createLock(loaded, new Date('2026-12-04T10:00:00Z'))));
  return file;
}

/** A copy of the installed en pack with one lexicon term added to a category. */
function packsWithExtraTerm(term: string): string {
  const directory = folder('packs');
  cpSync(join(languagesDirectory(), 'en'), join(directory, 'en'), { recursive: true });
  const file = join(directory, 'en', 'pack.json');
  const pack = JSON.parse(readFileSync(file, 'utf8')) as { lexicon: { categories: { sexual: { terms: string[] } } } };
  pack.lexicon.categories.sexual.terms.push(term);
  writeFileSync(file, JSON.stringify(pack, null, 2));
  return directory;
}

describe('the preregistration lock', () => {
  it('hashes its content, and the same plan gives the same hash at any time', () => {
    const loaded = loadStudyFile(studyFile());
    const early = createLock(loaded, new Date('2026-01-01T00:00:00Z'));
    const late = createLock(loaded, new Date('2026-12-31T00:00:00Z'));
    expect(early.hash).toBe(hashCanonical(early.content));
    expect(late.hash).toBe(early.hash);
    expect(early.content.studyHash).toBe(loaded.hash);
    expect(early.content.languagePacks.en?.lexicon.hash).toBe(hashCanonical(loaded.packs.get('en')!.lexicon));
    expect(early.content.seeds.runs).toBe(4);
    expect(Object.keys(early.content.estimators.hypotheses)).toEqual(['H1', 'H2', 'E1']);
  });

  it('names a changed lexicon term, computed from the pack content', () => {
    const file = studyFile();
    const planned = loadStudyFile(file);
    const changed = loadStudyFile(file, {}, { directory: packsWithExtraTerm('velvetine') });
    const changes = diffPreregistration(preregContent(planned), preregContent(changed));
    expect(changes).toEqual([
      {
        field: 'languagePacks.en.lexicon.content.categories.sexual.terms',
        preregistered: `${planned.packs.get('en')!.lexicon.categories.sexual!.terms.length} entries`,
        observed: `${planned.packs.get('en')!.lexicon.categories.sexual!.terms.length + 1} entries (added "velvetine")`,
      },
    ]);
  });

  it('names each differing study field once (derived hashes left out), hypotheses by id', () => {
    const planned = loadStudyFile(studyFile());
    const changed = loadStudyFile(
      studyFile(STUDY.replace('high: 4, low: 0 }\n    - { id: H2', 'high: 4, low: 0, test: student }\n    - { id: H2')),
      {
        seed: 6,
        replicates: 3,
      },
    );
    const fields = diffPreregistration(preregContent(planned), preregContent(changed)).map((change) => change.field);
    expect(fields.sort()).toEqual(['study.analysis.hypotheses[H1].test', 'study.replicates', 'study.seed']);
  });

  it('refuses an edited lock, and a lock of a newer format', () => {
    const loaded = loadStudyFile(studyFile());
    const file = lockFor(loaded);
    const edited = readFileSync(file, 'utf8').replace('"replicates": 2', '"replicates": 3');
    writeFileSync(file, edited);
    expect(() => readLock(file)).toThrow(/has been edited/);
    const newer = JSON.parse(serializeLock(createLock(loaded))) as { formatVersion: number };
    newer.formatVersion = 99;
    writeFileSync(file, JSON.stringify(newer));
    expect(() => readLock(file)).toThrow(/newer backfire \(lock format 99/);
  });
});

describe('verifying a run against its lock', () => {
  it('refuses a changed lexicon without --deviation and records it with one', () => {
    const file = studyFile();
    const lockFile = lockFor(loadStudyFile(file));
    const changed = loadStudyFile(file, {}, { directory: packsWithExtraTerm('velvetine') });
    const directory = join(folder('run'), 'run');
    let error: unknown;
    try {
      verifyPreregistration({ loaded: changed, lockFile, directory });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).exitCode).toBe(2);
    expect((error as UserInputError).format()).toContain('added "velvetine"');
    const verified = verifyPreregistration({
      loaded: changed,
      lockFile,
      directory,
      deviation: 'a missed synonym',
      now: new Date('2026-12-05T00:00:00Z'),
    });
    expect(verified.recorded).toMatchObject({
      id: 'D1',
      reason: 'a missed synonym',
      phase: 'before-data',
      recordedAt: '2026-12-05T00:00:00.000Z',
      exploratory: [],
    });
  });

  it('refuses a lock of another study and a --deviation without text', () => {
    const lockFile = lockFor(loadStudyFile(studyFile()));
    const other = loadStudyFile(studyFile(STUDY.replace('name: lock-unit', 'name: other-study')));
    const directory = join(folder('run'), 'run');
    expect(() => verifyPreregistration({ loaded: other, lockFile, directory })).toThrow(
      /preregistration of study "lock-unit", not of "other-study"/,
    );
    const same = loadStudyFile(studyFile());
    expect(() => verifyPreregistration({ loaded: same, lockFile, directory, deviation: '  ' })).toThrow(
      /--deviation needs a reason/,
    );
  });
});

describe('changes after data', () => {
  const planned = StudySchema.parse({
    name: 's',
    title: 'S',
    seed: 1,
    languages: ['en'],
    design: { dose: { intervention: 'alignment', levels: [0, 10] } },
    replicates: 2,
    analysis: {
      hypotheses: [
        { id: 'H1', kind: 'contrast', metric: 'cpi', high: 10, low: 0 },
        { id: 'H2', kind: 'contrast', metric: 'di', high: 10, low: 0 },
        { id: 'E1', kind: 'trend', metric: 'cpi', confirmatory: false },
      ],
    },
  });
  const change = (field: string, observed = '1') => ({ field, preregistered: '0', observed });

  it('demote the changed hypothesis only; shared settings demote every confirmatory one; wording none', () => {
    expect(demotedByChanges([change('study.analysis.hypotheses[H1].test')], planned, planned)).toEqual(['H1']);
    expect(demotedByChanges([change('study.analysis.hypotheses[H1].description')], planned, planned)).toEqual([]);
    expect(demotedByChanges([change('study.title')], planned, planned)).toEqual([]);
    expect(demotedByChanges([change('study.analysis.correction')], planned, planned)).toEqual(['H1', 'H2']);
    expect(demotedByChanges([change('study.replicates')], planned, planned)).toEqual(['H1', 'H2']);
    // Dropping a confirmatory hypothesis changes the others' correction family.
    const dropped = { ...planned, analysis: { ...planned.analysis, hypotheses: planned.analysis.hypotheses.slice(1) } };
    expect(demotedByChanges([change('study.analysis.hypotheses[H1]', '(absent)')], planned, dropped)).toEqual(['H2']);
  });

  it('give verdicts from the adjusted p of every preregistered test', () => {
    const row = (label: string, p: number, pAdjusted?: number) => ({
      label,
      quantity: 'hedges-g',
      estimate: 1,
      p,
      ...(pAdjusted === undefined ? {} : { pAdjusted }),
      estimator: { name: 'hedges-g', version: '1.0.0', args: {} },
      warnings: [],
    });
    const result = (id: string, confirmatory: boolean, rows: ReturnType<typeof row>[]): HypothesisResult => ({
      id,
      kind: id === 'E1' ? 'trend' : 'contrast',
      metric: 'cpi',
      description: '',
      confirmatory,
      rows,
    });
    const lockContent = { study: planned } as never;
    const lock = { hash: 'a'.repeat(64), lockedAt: 'then', content: lockContent } as never;
    const record = { lockHash: 'a'.repeat(64), lockFile: 'x', lockedAt: 'then', deviations: [] };
    const summary = preregistrationResults(record, lock, planned, [
      result('H1', true, [row('en', 0.001, 0.002)]),
      result('H2', true, [row('en', 0.04, 0.08)]),
      result('E1', false, [row('en', 0.01)]),
    ]);
    expect(summary.hypotheses.map((entry) => [entry.id, entry.status, entry.verdict])).toEqual([
      ['H1', 'as-planned', 'confirmed'],
      ['H2', 'as-planned', 'not-confirmed'],
      ['E1', 'as-planned', 'exploratory'],
    ]);
    expect(summary.alpha).toBe(0.05);
  });
});
