import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { type SurrogateParameterOverrides, UserInputError } from '../../contracts/index.js';
import {
  type AnalyticPowerReport,
  analyticPower,
  defaultExpectationFile,
  expectationFromPower,
  expectationWriteError,
  parsePlant,
  type SimulatedPowerReport,
  SIMULATED_POWER_CAVEAT,
  simulatedPower,
  simulatedPowerCost,
  writeExpectation,
} from '../../runner/index.js';
import { createStudyModels, type StudyModels } from '../model-factory.js';
import { parseInteger, parseNumber as parseNumberInRange } from '../options.js';
import { createProgressReporter } from '../progress.js';
import { installStopHandler, loadStudyWithOverrides } from '../stages.js';

/**
 * `backfire power <study>`: analytic power of the confirmatory contrasts (noncentral t) and, unless
 * --analytic-only, simulated power of every planned test on the surrogate with its planted effects.
 * Stdout holds the table (or JSON) only, with no wall-clock time, so the same seed gives the same
 * output; cost, progress and timing go to stderr.
 */

export interface PowerCommandOptions {
  analyticOnly?: boolean;
  effect?: number;
  targetPower?: number;
  alpha?: number;
  simulations: number;
  replicates?: number;
  seed?: number;
  plant?: string;
  json?: boolean;
  quiet?: boolean;
  /** Write the simulations as the design's surrogate expectation (true: the default file beside the study). */
  writeExpectation?: string | boolean;
}

export interface PowerOutput {
  analytic: AnalyticPowerReport;
  simulated: SimulatedPowerReport | null;
  caveat: string;
}

const DEFAULT_SIMULATIONS = 50;

export function registerPower(program: Command): void {
  program
    .command('power')
    .description(
      "power of a study's planned tests: analytic (noncentral t) for its contrasts, and simulated on the surrogate with its planted effects",
    )
    .argument('<study>', 'study file, e.g. studies/study1.yaml')
    .option('--analytic-only', 'skip the simulations')
    .option(
      '--effect <d>',
      "Cohen's d assumed for the analytic power (default 0.771, the paper's smaller effect)",
      parseNumber('--effect'),
    )
    .option(
      '--target-power <p>',
      'power to solve the replicates for (default 0.8)',
      parseNumberInRange('--target-power', 0, { exclusiveMinimum: true, maximum: 1 }),
    )
    .option(
      '--alpha <a>',
      'two-sided significance level (default 0.05)',
      parseNumberInRange('--alpha', 0, { exclusiveMinimum: true, maximum: 1 }),
    )
    .option(
      '--simulations <n>',
      'simulated replications of the whole study',
      parseInteger('--simulations', 1),
      DEFAULT_SIMULATIONS,
    )
    .option(
      '--replicates <r>',
      "replicates per cell (replaces the study's, for both analyses)",
      parseInteger('--replicates', 1),
    )
    .option(
      '--seed <s>',
      "base seed of the simulations (default: the study's seed)",
      parseInteger('--seed', 0, 2 ** 31 - 1),
    )
    .option('--plant <json>', "surrogate parameter overrides on top of the study's, as JSON or @file.json")
    .option(
      '--write-expectation [file]',
      "store the simulations as this design's surrogate expectation, which analyze shows beside each observed effect (default file: expectations/<study name>.json beside the study file)",
    )
    .option('--json', 'print JSON instead of tables')
    .option('--quiet', 'no progress output')
    .action(async (studyFile: string, options: PowerCommandOptions) => {
      const output = await runPower(studyFile, options);
      process.stdout.write(options.json === true ? `${JSON.stringify(output, null, 2)}\n` : renderPowerText(output));
      if (output.simulated?.stopped === true) process.exitCode = 130;
    });
}

export async function runPower(studyFile: string, options: PowerCommandOptions): Promise<PowerOutput> {
  const plant = options.plant === undefined ? undefined : readPlant(options.plant);
  const loaded = loadStudyWithOverrides(studyFile, {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.replicates === undefined ? {} : { replicates: options.replicates }),
  });
  const analytic = analyticPower(loaded.study, {
    ...(options.effect === undefined ? {} : { effect: options.effect }),
    ...(options.targetPower === undefined ? {} : { targetPower: options.targetPower }),
    ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
  });
  if (options.analyticOnly === true) {
    if (options.writeExpectation !== undefined) {
      throw new UserInputError('needs simulations', {
        path: '--write-expectation',
        fix: 'drop --analytic-only: an expectation is made from simulations (e.g. --simulations 50)',
      });
    }
    return { analytic, simulated: null, caveat: SIMULATED_POWER_CAVEAT };
  }

  const simulations = options.simulations;
  const quiet = options.quiet === true;
  const cost = simulatedPowerCost(loaded.study, simulations);
  if (!quiet) {
    process.stderr.write(
      `power: ${simulations} simulations x ${cost.runsPerSimulation} runs = ${(simulations * cost.runsPerSimulation).toLocaleString('en-US')} runs, ` +
        `${cost.agentTurns.toLocaleString('en-US')} simulated agent turns on the surrogate (in memory; nothing is written)\n`,
    );
  }
  const stop = installStopHandler();
  const started = performance.now();
  let built: StudyModels | undefined;
  try {
    const simulated = await simulatedPower(loaded, {
      // Asked only for surrogate refs: no network model, key or store is involved.
      createModels: async (surrogateStudy) => {
        built = await createStudyModels(surrogateStudy);
        return built.models;
      },
      simulations,
      ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
      ...(plant === undefined ? {} : { plant }),
      ...(quiet ? {} : { progress: createProgressReporter('power') }),
      shouldStop: stop.shouldStop,
    });
    if (!quiet) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `power: ${simulated.simulations} simulations, ${simulated.agentTurns.toLocaleString('en-US')} agent turns in ${seconds.toFixed(1)} s\n`,
      );
    }
    if (simulated.stopped) {
      process.stderr.write(`stopped: the simulated power covers the ${simulated.simulations} completed simulations\n`);
    }
    if (options.writeExpectation !== undefined && simulated.simulations > 0) {
      const file =
        typeof options.writeExpectation === 'string'
          ? options.writeExpectation
          : defaultExpectationFile(studyFile, loaded.study.name);
      try {
        writeExpectation(file, expectationFromPower(simulated));
      } catch (error) {
        throw expectationWriteError(file, error);
      }
      if (!quiet) {
        process.stderr.write(
          `power: wrote the surrogate expectation of this design (${simulated.simulations} simulations, key ${simulated.expectationKey.key.slice(0, 12)}) to ${file}\n`,
        );
      }
    }
    return { analytic, simulated, caveat: SIMULATED_POWER_CAVEAT };
  } finally {
    stop.dispose();
    await built?.close();
  }
}

function parseNumber(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new InvalidArgumentError(`${name} must be a number, got "${value}".`);
    return parsed;
  };
}

function readPlant(text: string): SurrogateParameterOverrides {
  let json = text;
  if (text.startsWith('@')) {
    const file = text.slice(1);
    try {
      json = readFileSync(file, 'utf8');
    } catch {
      throw new UserInputError('cannot be read', {
        file,
        fix: 'give the path of a JSON file after @, e.g. --plant @plant.json',
      });
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new UserInputError(`is not valid JSON (${(error as Error).message})`, {
      path: '--plant',
      fix: 'quote the JSON for the shell, e.g. --plant \'{"languageProfiles":{"ja":{"alignmentMonologue":0}}}\'',
    });
  }
  return parsePlant(raw);
}

// ---------------------------------------------------------------------------------------------
// Text output

export function renderPowerText(output: PowerOutput): string {
  const lines: string[] = [];
  const { analytic, simulated } = output;
  lines.push(`backfire power: ${analytic.study}`, '');
  lines.push(
    `Analytic power: two-sample t, two-sided alpha = ${level(analytic.alpha)} (${analytic.method})`,
    `Assumed effect: d = ${analytic.effect.d}, ${analytic.effect.source}.`,
    `Multiplicity: ${analytic.correctionNote}`,
    '',
  );
  if (analytic.rows.length > 0) {
    const target = percent(analytic.targetPower);
    const header = ['hypothesis', 'rows', 'n/group', `power @${level(analytic.alpha)}`, `reps for ${target}`];
    if (analytic.bonferroniAlpha !== null) {
      header.push(`power @${level(analytic.bonferroniAlpha)}`, `reps for ${target}`);
    }
    const body = analytic.rows.map((row) => {
      const cells = [
        row.hypothesis,
        row.labels.join(', '),
        `${row.perGroup}`,
        fixed(row.atAlpha.power, 3),
        `${row.atAlpha.requiredReplicates}`,
      ];
      if (row.atBonferroni !== null)
        cells.push(fixed(row.atBonferroni.power, 3), `${row.atBonferroni.requiredReplicates}`);
      return cells;
    });
    lines.push(...table(header, body, [false, false, true, true, true, true, true]));
    lines.push(
      '',
      `n/group: runs per dose level in one test (replicates ${analytic.rows[0]?.replicates} x cells pooled); ` +
        `reps: replicates per cell for ${target} power.`,
    );
  }
  for (const note of analytic.notes) lines.push(`note: ${note}`);
  lines.push(`note: ${analytic.caveat}`);

  if (simulated !== null) {
    lines.push(
      '',
      `Simulated power: ${simulated.simulations} simulations of the whole design on the surrogate ` +
        `(seed ${simulated.seed}, ${simulated.replicates} replicates per cell, alpha = ${level(simulated.alpha)}, ${simulated.correction} correction)`,
      `Cost: ${simulated.simulations} x ${simulated.runsPerSimulation} runs x ${simulated.agentTurnsPerSimulation / simulated.runsPerSimulation} agent turns = ` +
        `${simulated.agentTurns.toLocaleString('en-US')} simulated agent turns (${simulated.modelCalls.toLocaleString('en-US')} surrogate calls)`,
    );
    if (simulated.plant !== null) lines.push(`Planted overrides (--plant): ${JSON.stringify(simulated.plant)}`);
    for (const standIn of simulated.standIns) {
      lines.push(`Model ${standIn.model} is simulated by ${standIn.surrogate} (no model effect is planted for it).`);
    }
    if (simulated.stopped)
      lines.push(`Stopped early: ${simulated.simulations} of ${simulated.requestedSimulations} simulations.`);
    lines.push('');
    const header = [
      'hypothesis',
      'row',
      'p',
      'power',
      '+-MCSE',
      'power, sign',
      'mean est.',
      '+-MCSE',
      'planted sign',
      'share',
    ];
    const body = simulated.rows.map((row) => [
      row.hypothesis,
      row.label,
      row.adjusted ? 'adj.' : 'raw',
      fixed(row.power, 2),
      fixed(row.powerMcse, 2),
      fixed(row.powerPlantedSign, 2),
      fixed(row.meanEstimate, 3),
      fixed(row.estimateMcse, 3),
      row.plantedSign === null ? '?' : row.plantedSign === 0 ? 'none' : row.plantedSign > 0 ? 'positive' : 'negative',
      fixed(row.plantedSignShare, 2),
    ]);
    lines.push(...table(header, body, [false, false, false, true, true, true, true, true, false, true]));
    const failures = simulated.rows.filter((row) => row.failed > 0);
    for (const row of failures) {
      lines.push(
        `note: ${row.hypothesis} ${row.label}: no p in ${row.failed} of ${row.simulations} simulations (counted as not rejecting)`,
      );
    }
    lines.push(
      '',
      'p: adj. = the multiplicity-adjusted p of a confirmatory test; raw = exploratory or context row.',
      'power: share of simulations with p < alpha; power, sign: rejecting with the planted sign.',
      'planted sign: the sign of the mean estimate when it is more than 2 MCSE from 0 (none otherwise); share: estimates with that sign.',
    );
  }
  lines.push('', `note: ${output.caveat}`, '');
  return lines.join('\n');
}

function table(
  header: readonly string[],
  body: readonly (readonly string[])[],
  rightAligned: readonly boolean[],
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((row) => (row[column] ?? '').length)),
  );
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        rightAligned[column] === true ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(format)];
}

function fixed(value: number | null, decimals: number): string {
  return value === null ? '-' : value.toFixed(decimals);
}

function level(alpha: number): string {
  return Number(alpha.toPrecision(3)).toString();
}

function percent(power: number): string {
  return `${Number((power * 100).toPrecision(3))}%`;
}
