import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Results, SurrogateExpectationSchema } from '../../contracts/index.js';
import { expectationKey, findExpectation, loadStudyFile } from '../../runner/index.js';
import { runCli, temporaryDirectory } from '../../../test/support/cli.js';
import { registerPower } from './power.js';

/**
 * `power --write-expectation` stores the surrogate's expectation of a design; `analyze` copies it
 * into results.json when the run's design has the same key, and says there is none otherwise.
 */

const TINY_STUDY = `backfire: 1
name: tiny-expectation
title: Tiny expectation study
seed: 5
languages: [en, ja]
agents: 4
turns: 4
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 4
surrogate:
  parameters:
    languageProfiles:
      en: { alignmentMonologue: 3 }
      ja: { alignmentMonologue: 3 }
analysis:
  correction: holm
  hypotheses:
    - { id: H1, kind: contrast, metric: monologue_ratio, high: 4, low: 0 }
`;

function studyIn(directory: string, text = TINY_STUDY): string {
  const file = join(directory, 'study.yaml');
  writeFileSync(file, text);
  return file;
}

async function power(args: readonly string[]): Promise<void> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  registerPower(program);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['power', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('surrogate expectation: power --write-expectation, then analyze', () => {
  it('writes the expectation beside the study under its key; the key ignores the seed, not the design', async () => {
    const directory = temporaryDirectory('expectation');
    const file = studyIn(directory);
    await power([file, '--simulations', '3', '--write-expectation', '--quiet']);
    const written = join(directory, 'expectations', 'tiny-expectation.json');
    expect(existsSync(written)).toBe(true);
    const expectation = SurrogateExpectationSchema.parse(JSON.parse(readFileSync(written, 'utf8')));
    expect(expectation.simulations).toBe(3);
    expect(expectation.label).toMatch(/not any language model/);
    const rows = expectation.rows.filter((row) => row.hypothesis === 'H1');
    expect(rows.map((row) => row.label).sort()).toEqual(['en', 'ja']);
    // A planted monologue effect of +3 on the log-odds: every simulation sees a large positive g.
    for (const row of rows) {
      expect(row.meanEstimate).toBeGreaterThan(1);
      expect(row.quantiles?.q05).toBeLessThanOrEqual(row.quantiles?.q95 ?? Number.NaN);
    }

    expect(expectationKey(loadStudyFile(file, { seed: 99 })).key).toBe(expectation.key);
    expect(findExpectation(loadStudyFile(file)).status).toBe('matched');
    const otherDesign = findExpectation(loadStudyFile(file, { replicates: 5 }));
    expect(otherDesign.status).toBe('none');
    expect(otherDesign.message).toContain('--write-expectation');
    // Another surrogate parameter is another design.
    const changed = studyIn(
      temporaryDirectory('expectation'),
      TINY_STUDY.replace('alignmentMonologue: 3 }\n      ja', 'alignmentMonologue: 2 }\n      ja'),
    );
    expect(findExpectation(loadStudyFile(changed), [join(directory, 'expectations')]).status).toBe('none');
  });

  it('run copies a matching expectation into results.json and the report shows it; without one, the report says so', async () => {
    const directory = temporaryDirectory('expectation-run');
    const file = studyIn(directory);
    const before = runCli(['run', file, '--out', join(directory, 'run-none'), '--quiet']);
    expect(before.status, before.stderr).toBe(0);
    const none = JSON.parse(readFileSync(join(directory, 'run-none', 'results.json'), 'utf8')) as Results;
    expect(none.expectation?.status).toBe('none');
    expect(readFileSync(join(directory, 'run-none', 'report.md'), 'utf8')).toContain(
      'No stored surrogate expectation matches this design',
    );

    await power([file, '--simulations', '2', '--write-expectation', '--quiet']);
    const after = runCli(['run', file, '--out', join(directory, 'run-matched'), '--seed', '77', '--quiet']);
    expect(after.status, after.stderr).toBe(0);
    const matched = JSON.parse(readFileSync(join(directory, 'run-matched', 'results.json'), 'utf8')) as Results;
    expect(matched.expectation?.status).toBe('matched');
    expect(matched.expectation?.source).toBe(join('expectations', 'tiny-expectation.json'));
    const expectedEnglish = matched.expectation?.expectation?.rows.find(
      (row) => row.hypothesis === 'H1' && row.label === 'en',
    );
    expect(expectedEnglish?.simulations).toBe(2);
    const report = readFileSync(join(directory, 'run-matched', 'report.md'), 'utf8');
    expect(report).toContain('Surrogate power');
    expect(report).toContain('surrogate\u2019s expectation');
  });
});
