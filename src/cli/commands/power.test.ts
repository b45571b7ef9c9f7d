import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserInputError } from '../../contracts/index.js';
import { temporaryDirectory } from '../../../test/support/cli.js';
import { type PowerOutput, registerPower } from './power.js';

const TINY_STUDY = `backfire: 1
name: tiny-power
title: Tiny power study
seed: 3
languages: [en, ja]
agents: 4
turns: 4
design:
  dose: { variable: k, intervention: alignment, levels: [0, 4] }
replicates: 6
surrogate:
  parameters:
    languageProfiles:
      en: { alignmentMonologue: 3 }
      ja: { alignmentMonologue: 3 }
analysis:
  correction: holm
  hypotheses:
    - { id: H1, kind: contrast, metric: monologue_ratio, high: 4, low: 0 }
    - { id: E1, kind: contrast, metric: cpi, high: 4, low: 0, by: none, confirmatory: false }
`;

function studyFile(): string {
  const file = join(temporaryDirectory('power'), 'study.yaml');
  writeFileSync(file, TINY_STUDY);
  return file;
}

/** Runs `backfire power ...` in-process and returns what it printed on stdout. */
async function power(args: readonly string[]): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  registerPower(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['power', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return stdout;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('backfire power', () => {
  it('--analytic-only --json: the analytic table of the contrasts, with the default effect and the Holm bound', async () => {
    const output = JSON.parse(await power([studyFile(), '--analytic-only', '--json'])) as PowerOutput;
    expect(output.simulated).toBeNull();
    expect(output.caveat).toMatch(/planted effects.*assumptions, not estimates/);
    expect(output.analytic.effect.d).toBe(0.771);
    expect(output.analytic.familySize).toBe(2);
    expect(output.analytic.bonferroniAlpha).toBe(0.025);
    expect(output.analytic.rows).toHaveLength(1);
    // n = 6 per group, d = 0.771: the noncentral t power (checked against R in runner/power.test.ts).
    expect(output.analytic.rows[0]!.perGroup).toBe(6);
    expect(output.analytic.rows[0]!.atAlpha.power).toBeGreaterThan(0.2);
    expect(output.analytic.rows[0]!.atAlpha.power).toBeLessThan(0.3);
  });

  it('prints both tables and says that simulated power rests on planted assumptions; the same seed prints the same', async () => {
    const file = studyFile();
    const args = [file, '--simulations', '2', '--replicates', '3', '--seed', '4', '--effect', '0.5', '--quiet'];
    const text = await power(args);
    expect(text).toMatch(/Analytic power: two-sample t, two-sided alpha = 0\.05/);
    expect(text).toMatch(/Assumed effect: d = 0\.5, given with --effect/);
    expect(text).toMatch(/H1 +en, ja +3 /);
    expect(text).toMatch(
      /Simulated power: 2 simulations of the whole design on the surrogate \(seed 4, 3 replicates per cell/,
    );
    expect(text).toMatch(/Cost: 2 x 12 runs x 16 agent turns = 384 simulated agent turns/);
    expect(text).toMatch(/^H1 +en +adj\./m);
    expect(text).toMatch(/^E1 +pooled +raw/m);
    expect(text).toMatch(/note: Simulated power uses the surrogate's planted effects.*assumptions, not estimates/);
    expect(await power(args)).toBe(text);
  });

  it('--plant is written over the study and shown; bad JSON is one clear error', async () => {
    const file = studyFile();
    const plant = '{"languageProfiles":{"en":{"alignmentMonologue":0}}}';
    const output = JSON.parse(
      await power([file, '--simulations', '1', '--replicates', '2', '--plant', plant, '--json', '--quiet']),
    ) as PowerOutput;
    expect(output.simulated!.plant).toEqual(JSON.parse(plant));
    await expect(power([file, '--simulations', '1', '--plant', '{nope', '--quiet'])).rejects.toThrow(UserInputError);
    await expect(power([file, '--simulations', '1', '--plant', '{"channel":{"nope":1}}', '--quiet'])).rejects.toThrow(
      /unknown key|nope/,
    );
  });

  it('refuses a non-numeric effect as a flag error', async () => {
    await expect(power([studyFile(), '--analytic-only', '--effect', 'big'])).rejects.toThrow(
      /--effect must be a number/,
    );
  });
});
