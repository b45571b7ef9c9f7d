import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { hashCanonical, UserInputError } from '../../contracts/index.js';
import {
  analyticPower,
  createLock,
  LOCK_FILE,
  PREREGISTRATION_DOCUMENT,
  preregContent,
  readLock,
  renderPreregistrationDocument,
  serializeLock,
  type SimulatedPowerReport,
  simulatedPower,
  writeFileAtomic,
} from '../../runner/index.js';
import { createStudyModels, type StudyModels } from '../model-factory.js';
import { collect, parseInteger, parseNumber as parseNumberInRange } from '../options.js';
import { installStopHandler, loadStudyWithOverrides } from '../stages.js';

/**
 * `backfire prereg <study> --out <folder>`: freezes the resolved study, its packs and lexicons, the
 * index and estimator versions and every run's seed into a hash-locked `prereg.lock.json`, and
 * writes the human-readable `preregistration.md` beside it (with the analytic power of the planned
 * contrasts, and the simulated power when asked). Makes no model call. A lock is never overwritten.
 */

interface PreregOptions {
  out: string;
  seed?: number;
  model?: string[];
  replicates?: number;
  effect?: number;
  alpha?: number;
  targetPower?: number;
  simulations: number;
  quiet?: boolean;
}

function parseNumber(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new InvalidArgumentError(`${name} must be a number, got "${value}".`);
    return parsed;
  };
}

export function registerPrereg(program: Command): void {
  program
    .command('prereg')
    .description(
      'freeze a study, its packs, lexicons, estimators and seeds into a hash-locked preregistration (no model call)',
    )
    .argument('<study>', 'study file, e.g. studies/study1.yaml')
    .requiredOption('--out <folder>', `folder for ${LOCK_FILE} and ${PREREGISTRATION_DOCUMENT}`)
    .option('--seed <n>', "override the study's seed (as `run --seed` would)", parseInteger('--seed', 0, 2 ** 31 - 1))
    .option('--model <ref>', "model reference (repeatable); overrides the study's models", collect)
    .option('--replicates <n>', 'override replicates per cell', parseInteger('--replicates', 1, 10_000))
    .option('--effect <d>', "Cohen's d assumed for the analytic power (default 0.771)", parseNumber('--effect'))
    .option(
      '--alpha <a>',
      'significance level of the power analysis (default 0.05)',
      parseNumberInRange('--alpha', 0, { exclusiveMinimum: true, maximum: 1 }),
    )
    .option(
      '--target-power <p>',
      'power to solve the replicates for (default 0.8)',
      parseNumberInRange('--target-power', 0, { exclusiveMinimum: true, maximum: 1 }),
    )
    .option(
      '--simulations <n>',
      'also simulate the power of every planned test on the surrogate (n replications; default 0: analytic only)',
      parseInteger('--simulations', 0),
      0,
    )
    .option('--quiet', 'no progress output')
    .action(async (studyFile: string, options: PreregOptions) => {
      const loaded = loadStudyWithOverrides(studyFile, options);
      const lockPath = join(options.out, LOCK_FILE);
      if (existsSync(lockPath)) {
        const existing = readLock(lockPath);
        if (existing.hash === hashCanonical(preregContent(loaded))) {
          process.stdout.write(`${lockPath} already locks this study (lock ${existing.hash}); nothing written\n`);
          return;
        }
        throw new UserInputError(`already holds a different preregistration (lock ${existing.hash.slice(0, 12)})`, {
          file: lockPath,
          fix: 'a lock is never overwritten: choose another --out folder (a changed plan is run with --deviation against the original lock)',
        });
      }
      const power = analyticPower(loaded.study, {
        ...(options.effect === undefined ? {} : { effect: options.effect }),
        ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
        ...(options.targetPower === undefined ? {} : { targetPower: options.targetPower }),
      });
      const simulated = options.simulations > 0 ? await simulate(loaded, options) : null;
      const lock = createLock(loaded);
      const document = renderPreregistrationDocument({ loaded, lock, analyticPower: power, simulatedPower: simulated });
      mkdirSync(options.out, { recursive: true });
      writeFileAtomic(join(options.out, PREREGISTRATION_DOCUMENT), document);
      // The lock goes last: a folder with a lock always has its document.
      writeFileAtomic(lockPath, serializeLock(lock));
      process.stdout.write(
        `preregistered ${loaded.study.name}: lock ${lock.hash}\n  ${lockPath}\n  ${join(options.out, PREREGISTRATION_DOCUMENT)}\n` +
          `run it with: backfire run ${studyFile} --prereg ${lockPath}\n`,
      );
    });
}

async function simulate(
  loaded: ReturnType<typeof loadStudyWithOverrides>,
  options: PreregOptions,
): Promise<SimulatedPowerReport> {
  const stop = installStopHandler();
  let built: StudyModels | undefined;
  try {
    if (options.quiet !== true) process.stderr.write(`prereg: simulating power (${options.simulations} simulations)\n`);
    const report = await simulatedPower(loaded, {
      createModels: async (surrogateStudy) => {
        built = await createStudyModels(surrogateStudy);
        return built.models;
      },
      simulations: options.simulations,
      ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
      shouldStop: stop.shouldStop,
    });
    if (report.stopped) {
      throw new UserInputError('the power simulation was interrupted; nothing was written', {
        path: '--simulations',
        fix: 'run prereg again (fewer --simulations make it quicker)',
      });
    }
    return report;
  } finally {
    stop.dispose();
    await built?.close();
  }
}
