import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import {
  EXPECTATION_LABEL,
  type ExpectationQuantiles,
  type ExpectationRow,
  hashCanonical,
  type ResultsExpectation,
  type SurrogateExpectation,
  SurrogateExpectationSchema,
  UserInputError,
} from '../contracts/index.js';
import { INDEX_DEFINITIONS } from '../metrics/index.js';
import { DEFAULT_SURROGATE_PARAMETERS } from '../models/index.js';
import { packageRoot, writeFileAtomic } from './manifest.js';
import type { LoadedStudy } from './study-file.js';

/**
 * The surrogate's expectation for a design, stored once and looked up by key at `analyze` time, so a
 * report can show beside each observed effect what the surrogate gives on average and the design's
 * power, without simulating anything during `run`.
 *
 * The key is a hash of everything that changes what the simulations give: the resolved study
 * without its seed (the expectation is over seeds) and without its title, description and budget
 * (words and money); the surrogate's default parameters in full (their `version` included; the
 * study's own overrides and variants are part of the study); each language pack's content hash (as
 * the manifest records it: phrase banks, scenario and lexicon, so a lexicon edited without a version
 * bump does not pass for the one simulated), with its pack and lexicon versions for the reader; and
 * the version of every index definition. Anything else that changes, changes the key, and the report then says no expectation
 * matches and how to make one.
 */

/** Folder, beside a study file (and under the package's `studies/`), holding expectation files. */
export const EXPECTATIONS_DIRECTORY = 'expectations';

export interface ExpectationKey {
  key: string;
  inputs: SurrogateExpectation['keyInputs'];
}

export function expectationKey(loaded: LoadedStudy): ExpectationKey {
  const { seed: _seed, title: _title, description: _description, budget: _budget, ...design } = loaded.study;
  const languages = [...loaded.study.languages].sort();
  const packVersions: Record<string, string> = {};
  const lexiconVersions: Record<string, string> = {};
  const packHashes: Record<string, string> = {};
  for (const language of languages) {
    const pack = loaded.packs.get(language);
    packVersions[language] = pack?.meta.version ?? 'missing';
    lexiconVersions[language] = pack?.lexicon.version ?? 'missing';
    packHashes[language] = pack === undefined ? 'missing' : hashCanonical(pack);
  }
  const indexVersions = Object.fromEntries(
    Object.values(INDEX_DEFINITIONS).map((definition) => [definition.name, definition.version]),
  );
  const key = hashCanonical({
    design,
    surrogateDefaults: DEFAULT_SURROGATE_PARAMETERS,
    packHashes,
    indexVersions,
  });
  return {
    key,
    inputs: {
      study: loaded.study.name,
      replicates: loaded.study.replicates,
      surrogateParametersVersion: DEFAULT_SURROGATE_PARAMETERS.version,
      lexiconVersions,
      packVersions,
      packHashes,
      indexVersions,
    },
  };
}

/**
 * What an expectation is made from: a finished simulated-power report (power.ts's
 * `SimulatedPowerReport` has this shape; named here so this module does not import power.ts,
 * which imports it).
 */
export interface ExpectationSource {
  expectationKey: ExpectationKey;
  simulations: number;
  seed: number;
  alpha: number;
  correction: string;
  rows: readonly ExpectationRow[];
}

/** The expectation a finished simulated-power report amounts to (its rows, keyed by its design). */
export function expectationFromPower(report: ExpectationSource): SurrogateExpectation {
  return SurrogateExpectationSchema.parse({
    formatVersion: 1,
    label: EXPECTATION_LABEL,
    key: report.expectationKey.key,
    keyInputs: report.expectationKey.inputs,
    simulations: report.simulations,
    seed: report.seed,
    alpha: report.alpha,
    correction: report.correction,
    rows: report.rows.map((row) => ({
      hypothesis: row.hypothesis,
      label: row.label,
      quantity: row.quantity,
      adjusted: row.adjusted,
      simulations: row.simulations,
      failed: row.failed,
      meanEstimate: row.meanEstimate,
      sdEstimate: row.sdEstimate,
      estimateMcse: row.estimateMcse,
      quantiles: row.quantiles,
      power: row.power,
      powerMcse: row.powerMcse,
    })),
  });
}

/** Where `power --write-expectation` writes by default: `expectations/<study name>.json` beside the study file. */
export function defaultExpectationFile(studyFile: string, studyName: string): string {
  return join(dirname(studyFile), EXPECTATIONS_DIRECTORY, `${studyName}.json`);
}

export function writeExpectation(file: string, expectation: SurrogateExpectation): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify(expectation, null, 2)}\n`);
}

/**
 * The folders searched for an expectation: `expectations/` beside the study file the run was made
 * from, then the package's shipped `studies/expectations/` (the calibrated expectations of the
 * paper's four studies).
 */
export function expectationDirectories(studyFile: string | undefined): string[] {
  const directories = [join(packageRoot(), 'studies', EXPECTATIONS_DIRECTORY)];
  if (studyFile !== undefined && studyFile !== '')
    directories.unshift(join(dirname(studyFile), EXPECTATIONS_DIRECTORY));
  return [...new Set(directories)];
}

/**
 * Looks up the expectation whose key is the design's. A file that is not a valid expectation is
 * skipped (it cannot match anything); the first match wins.
 */
export function findExpectation(
  loaded: LoadedStudy,
  directories: readonly string[] = expectationDirectories(loaded.file),
): ResultsExpectation {
  const { key } = expectationKey(loaded);
  for (const directory of directories) {
    if (!existsSync(directory)) continue;
    for (const name of readdirSync(directory)
      .filter((entry) => entry.endsWith('.json'))
      .sort()) {
      const file = join(directory, name);
      const expectation = readExpectationFile(file);
      if (expectation === undefined || expectation.key !== key) continue;
      return {
        status: 'matched',
        key,
        source: relative(dirname(directory), file),
        expectation,
        message:
          `Surrogate expectation from ${expectation.simulations} seeded simulations of this design ` +
          `(surrogate parameters ${expectation.keyInputs.surrogateParametersVersion}; ${basename(file)}).`,
      };
    }
  }
  return {
    status: 'none',
    key,
    source: null,
    expectation: null,
    message:
      'No stored surrogate expectation matches this design (study, surrogate parameters, language packs, index versions); ' +
      `to show the surrogate's expected values and the design's power, run \`backfire power <study file> --simulations 50 --write-expectation\` and analyze again.`,
  };
}

function readExpectationFile(file: string): SurrogateExpectation | undefined {
  try {
    const parsed = SurrogateExpectationSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Empirical quantiles (R's type 7, the default of `quantile()`) of a sample; null when it is empty. */
export function sampleQuantiles(values: readonly number[]): ExpectationQuantiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const at = (probability: number): number => {
    const position = (sorted.length - 1) * probability;
    const lower = Math.floor(position);
    const upper = Math.min(sorted.length - 1, lower + 1);
    return sorted[lower]! + (position - lower) * (sorted[upper]! - sorted[lower]!);
  };
  return { q05: at(0.05), q25: at(0.25), q50: at(0.5), q75: at(0.75), q95: at(0.95) };
}

/** A user error for an expectation file that cannot be written (the path is a folder, no permission). */
export function expectationWriteError(file: string, error: unknown): UserInputError {
  return new UserInputError(`cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
    file,
    fix: 'give a writable file path after --write-expectation, e.g. --write-expectation my-study.expectation.json',
  });
}
