import type { Command } from 'commander';
import { type LoadedStudy, loadStudyFile, type StudyOverrides } from '../runner/study-entry.js';
import { collect, parseInteger, parseNumber } from './options.js';

export interface StudyCommandOptions {
  out?: string;
  seed?: number;
  model?: string[];
  replicates?: number;
  concurrency?: number;
  quiet?: boolean;
  budget?: number;
  /** commander's negatable --no-cache: false when given. */
  cache?: boolean;
  replay?: string;
  prereg?: string;
  deviation?: string;
  /** `run --queue <redis url>`: coordinate queue workers instead of simulating here. */
  queue?: string;
}

/** Loads a study file with the command line's overrides (light: no stage of the pipeline is loaded). */
export function loadStudyWithOverrides(file: string, options: StudyCommandOptions): LoadedStudy {
  const overrides: StudyOverrides = {
    seed: options.seed,
    models: options.model,
    replicates: options.replicates,
    budgetUsd: options.budget,
  };
  return loadStudyFile(file, overrides);
}

/** The flags every command that runs a study shares, declared once so they cannot drift apart. */
export function addStudyRunOptions(command: Command): Command {
  return command
    .option('--out <dir>', 'run folder (default: runs/<study>-<hash of the resolved study>)')
    .option('--seed <n>', "override the study's seed", parseInteger('--seed', 0, 2 ** 31 - 1))
    .option('--model <ref>', "model reference (repeatable); overrides the study's models", collect)
    .option('--replicates <n>', 'override replicates per cell', parseInteger('--replicates', 1, 10_000))
    .option(
      '--budget <usd>',
      'refuse to start when the projected cost exceeds it, stop cleanly when spend reaches it',
      parseNumber('--budget', 0, { exclusiveMinimum: true }),
    )
    .option('--no-cache', 'neither read nor write the response cache')
    .option(
      '--replay <run-folder-or-bundle>',
      'answer every call from the recorded calls of another run folder or a bundle (no network)',
    )
    .option(
      '--concurrency <n>',
      'runs in flight at once (default: enough to fill every request slot)',
      parseInteger('--concurrency', 1),
    )
    .option('--prereg <lock>', 'check the run against this preregistration lock before the first model call')
    .option('--deviation <reason>', 'state why the run differs from its preregistration (recorded with the data)')
    .option('--quiet', 'no progress output');
}
