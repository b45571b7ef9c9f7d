import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, temporaryDirectory } from './support/cli.js';

const VALID_STUDY = `backfire: 1
name: tiny
title: Tiny
seed: 1
languages: [en, ja]
agents: 4
turns: 3
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 2
analysis:
  hypotheses:
    - { id: H1, kind: contrast, metric: cpi, high: 4, low: 0 }
`;

function writeStudy(directory: string, text: string): string {
  const file = join(directory, 'study.yaml');
  writeFileSync(file, text);
  return file;
}

describe('backfire validate and malformed study files', () => {
  it('validates study1 and both packs without model calls', () => {
    const result = runCli(['validate', 'studies/study1.yaml']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/ok {2}studies\/study1\.yaml: 10 cells, 150 runs, 22,500 agent turns/);
    expect(result.stdout).toContain('en 1.0.0');
    expect(result.stdout).toContain('ja 1.0.0');
  });

  const cases: { name: string; text: string; path: RegExp; message: RegExp; fix: RegExp }[] = [
    {
      name: 'an unknown key',
      text: VALID_STUDY.replace('replicates: 2', 'replicates: 2\nreplicatez: 3'),
      path: /study\.yaml: \(top level\): unknown key "replicatez"/,
      message: /unknown key/,
      fix: /fix: remove "replicatez" or correct its spelling/,
    },
    {
      name: 'a wrong type',
      text: VALID_STUDY.replace('seed: 1', 'seed: "one"'),
      path: /study\.yaml: seed: /,
      message: /must be number/,
      fix: /fix: write a number here/,
    },
    {
      name: 'an unknown language',
      text: VALID_STUDY.replace('[en, ja]', '[en, xx]'),
      path: /study\.yaml: languages\[1\]: unknown language "xx"/,
      message: /unknown language/,
      fix: /fix: use one of the installed language packs: .*en.*ja/,
    },
    {
      name: 'k greater than N',
      text: VALID_STUDY.replace('levels: [0, 4]', 'levels: [0, 7]').replace('high: 4', 'high: 7'),
      path: /study\.yaml: design\.dose\.levels\[1\]: dose level 7 is more than the 4 agents/,
      message: /more than the 4 agents/,
      fix: /fix: use levels between 0 and agents \(4\)/,
    },
    {
      name: 'a YAML syntax error',
      text: VALID_STUDY.replace('title: Tiny', 'title: [Tiny'),
      path: /study\.yaml: line \d+, column \d+: YAML syntax error/,
      message: /YAML syntax error/,
      fix: /fix: correct the YAML syntax/,
    },
  ];

  for (const testCase of cases) {
    it(`rejects ${testCase.name} with one clear message, exit code 2 and nothing written`, () => {
      const directory = temporaryDirectory('bad-study');
      const file = writeStudy(directory, testCase.text);
      const out = join(directory, 'out');
      const result = runCli(['run', file, '--out', out, '--quiet'], { cwd: directory });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(testCase.path);
      expect(result.stderr).toMatch(testCase.message);
      expect(result.stderr).toMatch(testCase.fix);
      expect(result.stderr.startsWith('error: ')).toBe(true);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(directory)).toEqual(['study.yaml']);
    });
  }

  it('rejects a bad flag value with exit code 2', () => {
    const result = runCli(['run', 'studies/demo.yaml', '--seed', 'abc']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--seed must be a whole number/);
  });

  it('refuses a missing study file', () => {
    const result = runCli(['validate', join(REPO_ROOT, 'studies', 'nope.yaml')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/nope\.yaml: file not found/);
  });
});
