import {
  deriveSeed,
  type ExpectationQuantiles,
  type HypothesisResult,
  hashCanonical,
  type Study,
  type SurrogateParameterOverrides,
  SurrogateParameterOverridesSchema,
  type TranscriptEvent,
  UserInputError,
  userInputErrorFromZod,
} from '../contracts/index.js';
import { analyseStudy } from '../analysis/index.js';
import { type RunSpec, simulateRun } from '../engine/index.js';
import { type RunToScore, scoreRuns } from '../metrics/index.js';
import { type ChatModel, SURROGATE_REF, surrogateVariantOf } from '../models/index.js';
import { tTestPower, tTestSampleSize } from '../stats/index.js';
import { type ExpectationKey, expectationKey, sampleQuantiles } from './expectation.js';
import { covariatesFor } from './pipeline.js';
import { planStudy } from './plan.js';
import type { ProgressReporter } from './simulate.js';
import type { LoadedStudy } from './study-file.js';

/**
 * Power of a study's planned tests, two ways:
 *  - analytic: the two-sample t test of every confirmatory `contrast` hypothesis, through the
 *    noncentral t (stats' `tTestPower` / `tTestSampleSize`, numerically R's `power.t.test`);
 *  - simulated: the whole design run many times on the surrogate, in memory, scored and analysed
 *    exactly as `run` does, counting how often each planned test rejects.
 * Simulated power is only as good as the surrogate's planted effects, which are assumptions.
 */

/** The paper's smaller effect (Study 1, Japanese: Hedges' g = +0.771), used as Cohen's d. */
export const PAPER_SMALLER_EFFECT = 0.771;

export const SIMULATED_POWER_CAVEAT =
  "Simulated power uses the surrogate's planted effects (the study's surrogate.parameters, plus any --plant " +
  'overrides). They are assumptions, not estimates of any LLM: the power is that of detecting these assumed effects.';

export const ANALYTIC_POWER_CAVEAT =
  'Analytic power assumes the effect size given (Cohen d); it is a planning assumption, not an estimate.';

// ---------------------------------------------------------------------------------------------
// Analytic power

export interface AnalyticPowerOptions {
  /** Cohen's d assumed for every contrast (default: the paper's smaller effect, 0.771). */
  effect?: number;
  /** Power the sample size is solved for (default 0.8). */
  targetPower?: number;
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
}

export interface AnalyticPowerAtLevel {
  alpha: number;
  /** Power at the study's replicates; null when a group has fewer than 2 runs. */
  power: number | null;
  /** Runs per dose group (the t test's n) needed for the target power (the smallest whole n). */
  requiredPerGroup: number;
  /** Replicates per cell giving that n (a group pools `cellsPerGroup` cells). */
  requiredReplicates: number;
  /** The power those replicates actually give. */
  powerAtRequired: number;
}

export interface AnalyticPowerRow {
  hypothesis: string;
  description: string;
  metric: string;
  high: number;
  low: number;
  by: 'language' | 'none';
  test: 'student' | 'welch';
  /** The rows this hypothesis tests (one per language, or "pooled"); all have the same n. */
  labels: string[];
  /** Cells pooled into one dose group of a test: models (x languages when pooled). */
  cellsPerGroup: number;
  replicates: number;
  /** Runs per dose group at the study's replicates (before exclusions). */
  perGroup: number;
  atAlpha: AnalyticPowerAtLevel;
  /** At the Bonferroni bound alpha / m: a conservative planning value under Holm or BH; null without correction. */
  atBonferroni: AnalyticPowerAtLevel | null;
  warnings: string[];
}

export interface AnalyticPowerReport {
  study: string;
  effect: { d: number; source: string };
  alpha: number;
  targetPower: number;
  alternative: 'two-sided';
  /** The formula used, for citation. */
  method: string;
  correction: Study['analysis']['correction'];
  /** Confirmatory tests in the multiplicity family (m). */
  familySize: number;
  /** True when m is a lower bound (a model hypothesis without `terms` adds an unknown number of tests). */
  familySizeIsLowerBound: boolean;
  bonferroniAlpha: number | null;
  correctionNote: string;
  rows: AnalyticPowerRow[];
  notes: string[];
  caveat: string;
}

export function analyticPower(study: Study, options: AnalyticPowerOptions = {}): AnalyticPowerReport {
  const effect = options.effect ?? PAPER_SMALLER_EFFECT;
  const targetPower = options.targetPower ?? 0.8;
  const alpha = options.alpha ?? 0.05;
  if (!(Number.isFinite(effect) && effect !== 0)) {
    throw new UserInputError(`the effect size is ${effect}`, {
      path: '--effect',
      fix: 'give a non-zero Cohen d, e.g. --effect 0.5',
    });
  }
  if (!(alpha > 0 && alpha < 1)) {
    throw new UserInputError(`alpha is ${alpha}`, {
      path: '--alpha',
      fix: 'give a significance level between 0 and 1, e.g. 0.05',
    });
  }
  if (!(targetPower > alpha && targetPower < 1)) {
    throw new UserInputError(`the target power is ${targetPower}`, {
      path: '--target-power',
      fix: `give a power above alpha (${alpha}) and below 1, e.g. 0.8`,
    });
  }
  const family = familySize(study);
  const correction = study.analysis.correction;
  const bonferroniAlpha = correction === 'none' ? null : alpha / Math.max(1, family.size);
  const rows: AnalyticPowerRow[] = [];
  const notes: string[] = [];
  for (const hypothesis of study.analysis.hypotheses) {
    if (hypothesis.kind !== 'contrast') continue;
    if (!hypothesis.confirmatory) {
      notes.push(`${hypothesis.id} is exploratory: not in the analytic table (it is in the simulated one).`);
      continue;
    }
    const cellsPerGroup = study.models.length * (hypothesis.by === 'language' ? 1 : study.languages.length);
    const perGroup = study.replicates * cellsPerGroup;
    const warnings: string[] = [];
    if (hypothesis.test === 'welch') {
      warnings.push(
        'the study uses Welch t; with equal group sizes and variances its power equals the Student t used here',
      );
    }
    rows.push({
      hypothesis: hypothesis.id,
      description: hypothesis.description ?? `${hypothesis.metric}: ${hypothesis.high} vs ${hypothesis.low}`,
      metric: hypothesis.metric,
      high: hypothesis.high,
      low: hypothesis.low,
      by: hypothesis.by,
      test: hypothesis.test,
      labels: hypothesis.by === 'language' ? [...study.languages] : ['pooled'],
      cellsPerGroup,
      replicates: study.replicates,
      perGroup,
      atAlpha: powerAtLevel(perGroup, cellsPerGroup, effect, alpha, targetPower),
      atBonferroni:
        bonferroniAlpha === null ? null : powerAtLevel(perGroup, cellsPerGroup, effect, bonferroniAlpha, targetPower),
      warnings,
    });
  }
  if (rows.length === 0)
    notes.push('The study has no confirmatory contrast hypothesis: there is no t test to size analytically.');
  notes.push(
    'Per test: the two-sample t test (pooled SD) of one row, high vs low dose; n per group = replicates x cells pooled into the group (before exclusions).',
  );
  if (study.analysis.hypotheses.some((hypothesis) => hypothesis.confirmatory && hypothesis.kind !== 'contrast')) {
    notes.push('Trend, model and correlation hypotheses have no t-test formula here: see the simulated power.');
  }
  return {
    study: study.name,
    effect: {
      d: effect,
      source:
        options.effect === undefined
          ? "the paper's smaller effect (Study 1, Japanese, g = +0.771) taken as Cohen's d (as d it would be 0.792, so this is slightly conservative)"
          : 'given with --effect',
    },
    alpha,
    targetPower,
    alternative: 'two-sided',
    method: 'noncentral t, as R power.t.test(type = "two.sample", alternative = "two.sided", strict = FALSE)',
    correction,
    familySize: family.size,
    familySizeIsLowerBound: family.lowerBound,
    bonferroniAlpha,
    correctionNote: correctionNote(correction, family.size, family.lowerBound, alpha),
    rows,
    notes,
    caveat: ANALYTIC_POWER_CAVEAT,
  };
}

function powerAtLevel(
  perGroup: number,
  cellsPerGroup: number,
  effect: number,
  alpha: number,
  targetPower: number,
): AnalyticPowerAtLevel {
  const power = perGroup >= 2 ? tTestPower({ n: perGroup, delta: effect, sigLevel: alpha }).power : null;
  const size = tTestSampleSize({ delta: effect, power: targetPower, sigLevel: alpha });
  const requiredReplicates = Math.ceil(size.nRequired / cellsPerGroup);
  const achieved = Math.max(2, requiredReplicates * cellsPerGroup);
  return {
    alpha,
    power,
    requiredPerGroup: size.nRequired,
    requiredReplicates,
    powerAtRequired: tTestPower({ n: achieved, delta: effect, sigLevel: alpha }).power,
  };
}

/** The confirmatory tests the analysis corrects together (as `analyseStudy` forms its family). */
function familySize(study: Study): { size: number; lowerBound: boolean } {
  let size = 0;
  let lowerBound = false;
  for (const hypothesis of study.analysis.hypotheses) {
    if (!hypothesis.confirmatory) continue;
    switch (hypothesis.kind) {
      case 'contrast':
      case 'trend':
        size += hypothesis.by === 'language' ? study.languages.length : 1;
        break;
      case 'model':
        if (hypothesis.terms === undefined) lowerBound = true;
        size += hypothesis.terms?.length ?? 1;
        break;
      case 'covariate-correlation':
        size += 1;
        break;
      case 'direction-count':
        // A count is a summary, not a test: it is outside the family.
        break;
    }
  }
  return { size, lowerBound };
}

function correctionNote(
  correction: Study['analysis']['correction'],
  m: number,
  lowerBound: boolean,
  alpha: number,
): string {
  const family = `${lowerBound ? 'at least ' : ''}${m} confirmatory test${m === 1 ? '' : 's'}`;
  const bound = `alpha / m = ${formatLevel(alpha / Math.max(1, m))}`;
  switch (correction) {
    case 'holm':
      return `The study corrects ${family} by Holm. Holm's first step tests at ${bound} and later steps at larger levels, so power at ${bound} (Bonferroni) is a conservative planning value; power at alpha is the optimistic one.`;
    case 'bh':
      return `The study corrects ${family} by Benjamini-Hochberg (false discovery rate). Its strictest threshold is ${bound}, so power at ${bound} is a conservative planning value.`;
    case 'none':
      return `The study applies no multiplicity correction to its ${family}: each is tested at alpha = ${formatLevel(alpha)}.`;
  }
}

function formatLevel(level: number): string {
  return Number(level.toPrecision(3)).toString();
}

// ---------------------------------------------------------------------------------------------
// Simulated power

export interface SimulatedPowerOptions {
  /** Builds the models of a study (the CLI passes its model factory; surrogate refs only are asked for). */
  createModels: (loaded: LoadedStudy) => Promise<ReadonlyMap<string, ChatModel>>;
  /** Simulated replications of the whole study (default 50). */
  simulations?: number;
  /** Replicates per cell in each simulated study (default: the study's). */
  replicates?: number;
  /** Base seed of the simulations (default: the study's seed). */
  seed?: number;
  /** Surrogate parameter overrides on top of the study's (and of every variant's). */
  plant?: SurrogateParameterOverrides;
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
  progress?: ProgressReporter;
  /** Polled between turns: true stops, and the report covers the completed simulations. */
  shouldStop?: () => boolean;
}

export interface SimulatedPowerRow {
  hypothesis: string;
  kind: string;
  metric: string;
  confirmatory: boolean;
  label: string;
  language?: string;
  term?: string;
  quantity: string;
  /** True when the row's p is adjusted for multiplicity (a confirmatory test); false: raw p (exploratory or context). */
  adjusted: boolean;
  simulations: number;
  /** Simulations where the test gave no p (too few runs, a failed fit): counted as not rejecting. */
  failed: number;
  rejections: number;
  /** Share of simulations with (adjusted) p < alpha. */
  power: number;
  /** Monte-Carlo standard error of that share. */
  powerMcse: number;
  /** Share rejecting with the estimate's sign equal to the planted direction (null when no direction). */
  powerPlantedSign: number | null;
  meanEstimate: number | null;
  /** Monte-Carlo standard error of the mean estimate (SD of the estimates / sqrt(simulations)). */
  estimateMcse: number | null;
  sdEstimate: number | null;
  /** 5%, 25%, 50%, 75% and 95% quantiles of the estimates (null when there are none). */
  quantiles: ExpectationQuantiles | null;
  /**
   * The planted direction as the simulations reveal it: the sign of the mean estimate when it is
   * more than 2 Monte-Carlo SEs from 0, else 0 (no detectable direction).
   */
  plantedSign: -1 | 0 | 1 | null;
  /** Share of simulations whose estimate has the planted sign (null when it is 0 or unknown). */
  plantedSignShare: number | null;
}

export interface SimulatedPowerReport {
  study: string;
  /** Hash of the simulated design (replicates and planted parameters included). */
  designHash: string;
  /** The key an expectation made from this report is stored under (see expectation.ts). */
  expectationKey: ExpectationKey;
  simulations: number;
  requestedSimulations: number;
  stopped: boolean;
  seed: number;
  replicates: number;
  alpha: number;
  correction: Study['analysis']['correction'];
  runsPerSimulation: number;
  agentTurnsPerSimulation: number;
  /** Agent turns actually simulated (every one a surrogate call). */
  agentTurns: number;
  modelCalls: number;
  plant: SurrogateParameterOverrides | null;
  /** Models of the study that are not the surrogate, each simulated by this surrogate ref. */
  standIns: { model: string; surrogate: string }[];
  rows: SimulatedPowerRow[];
  caveat: string;
}

/** What simulating a study costs before it starts (so the CLI can say it). */
export function simulatedPowerCost(study: Study, simulations: number, replicates = study.replicates) {
  const plan = planStudy({ ...study, replicates });
  return {
    runsPerSimulation: plan.runs.length,
    agentTurnsPerSimulation: plan.agentTurns,
    agentTurns: plan.agentTurns * simulations,
  };
}

export async function simulatedPower(
  loaded: LoadedStudy,
  options: SimulatedPowerOptions,
): Promise<SimulatedPowerReport> {
  const requested = options.simulations ?? 50;
  const alpha = options.alpha ?? 0.05;
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw new UserInputError(`simulations is ${requested}`, {
      path: '--simulations',
      fix: 'give a whole number of simulations, at least 1',
    });
  }
  if (!(alpha > 0 && alpha < 1)) {
    throw new UserInputError(`alpha is ${alpha}`, {
      path: '--alpha',
      fix: 'give a significance level between 0 and 1, e.g. 0.05',
    });
  }
  const design = powerDesign(loaded, options);
  const { study } = design.loaded;
  const seed = options.seed ?? study.seed;
  const covariates = covariatesFor(design.loaded);
  const surrogateModels = await options.createModels(design.surrogateStudy);
  const models = new Map<string, ChatModel>();
  for (const ref of study.models) {
    const model = surrogateModels.get(design.surrogateRefOf.get(ref) ?? ref);
    if (model === undefined || !model.surrogate) throw new Error(`power: no surrogate model was built for ${ref}`);
    models.set(ref, model);
  }

  const cost = simulatedPowerCost(study, requested);
  options.progress?.start(cost.agentTurns, 0);
  const results: HypothesisResult[][] = [];
  let agentTurns = 0;
  let modelCalls = 0;
  let stopped = false;
  try {
    for (let simulation = 0; simulation < requested && !stopped; simulation += 1) {
      const simulated = { ...study, seed: deriveSeed(seed, 'power-simulation', simulation) };
      const plan = planStudy(simulated);
      const toScore: RunToScore[] = [];
      for (const run of plan.runs) {
        const pack = design.loaded.packs.get(run.cell.language);
        const model = models.get(run.cell.model);
        if (pack === undefined || model === undefined) throw new Error(`power: nothing prepared for ${run.id}`);
        // The surrogate derives its per-run and per-agent latent effects from the run id, so each
        // simulation needs its own ids: with the plan's ids every simulation would share them.
        const runId = `sim${String(simulation).padStart(4, '0')}.${run.id}`;
        const spec: RunSpec = {
          runId,
          cellId: run.cell.id,
          pack,
          modelRef: run.cell.model,
          model,
          agents: simulated.agents,
          turns: simulated.turns,
          dose: run.cell.dose,
          doseIntervention: simulated.design.dose.intervention,
          background: simulated.design.background,
          placement: simulated.design.placement,
          seed: run.seed,
          replicate: run.replicate,
          sampling: simulated.sampling,
          memoryWindow: simulated.memory.window,
          turnPolicy: simulated.turnPolicy,
        };
        const events: TranscriptEvent[] = [];
        const outcome = await simulateRun(spec, { commitTurn: (batch) => events.push(...batch.events) }, [], {
          onTurn: (_turn, calls) => {
            agentTurns += simulated.agents;
            modelCalls += calls;
            options.progress?.advance(simulated.agents);
          },
          shouldStop: () => options.shouldStop?.() === true,
        });
        if (outcome.status === 'stopped') {
          stopped = true;
          break;
        }
        toScore.push({
          runId,
          cellId: run.cell.id,
          language: run.cell.language,
          model: run.cell.model,
          dose: run.cell.dose,
          replicate: run.replicate,
          complete: events.some((event) => event.type === 'run-end'),
          events,
        });
      }
      if (stopped) break;
      const scored = scoreRuns(toScore, design.loaded.packs, simulated);
      results.push(analyseStudy({ study: simulated, runs: scored.runs, agents: scored.agents, covariates }).hypotheses);
    }
  } finally {
    options.progress?.stop();
  }

  return {
    study: study.name,
    designHash: design.loaded.hash,
    expectationKey: expectationKey(design.loaded),
    simulations: results.length,
    requestedSimulations: requested,
    stopped,
    seed,
    replicates: study.replicates,
    alpha,
    correction: study.analysis.correction,
    runsPerSimulation: cost.runsPerSimulation,
    agentTurnsPerSimulation: cost.agentTurnsPerSimulation,
    agentTurns,
    modelCalls,
    plant: design.plant ?? null,
    standIns: [...design.surrogateRefOf]
      .filter(([model, surrogate]) => model !== surrogate)
      .map(([model, surrogate]) => ({ model, surrogate })),
    rows: summariseSimulations(results, alpha),
    caveat: SIMULATED_POWER_CAVEAT,
  };
}

interface PowerDesign {
  /** The study as simulated: replicates replaced, planted overrides applied. */
  loaded: LoadedStudy;
  /** The same study with only surrogate models, for the model factory. */
  surrogateStudy: LoadedStudy;
  /** Each model of the study -> the surrogate ref that plays it. */
  surrogateRefOf: Map<string, string>;
  plant: SurrogateParameterOverrides | undefined;
}

function powerDesign(loaded: LoadedStudy, options: SimulatedPowerOptions): PowerDesign {
  let plant: SurrogateParameterOverrides | undefined;
  if (options.plant !== undefined) {
    const parsed = SurrogateParameterOverridesSchema.safeParse(options.plant);
    if (!parsed.success)
      throw userInputErrorFromZod(parsed.error, '--plant', 'see surrogate.parameters in schema/study.schema.json');
    plant = parsed.data;
  }
  const replicates = options.replicates ?? loaded.study.replicates;
  if (!(Number.isInteger(replicates) && replicates >= 1 && replicates <= 10_000)) {
    throw new UserInputError(`replicates is ${replicates}`, {
      path: '--replicates',
      fix: 'give a whole number from 1 to 10000',
    });
  }
  const surrogate = loaded.study.surrogate;
  // The plant goes on top of the study's parameters and of every variant, so it is the final word
  // for every model.
  const variants = Object.fromEntries(
    Object.entries(surrogate.variants).map(([name, overrides]) => [name, mergeOverrides(overrides, plant)]),
  );
  const study: Study = {
    ...loaded.study,
    replicates,
    surrogate: { parameters: mergeOverrides(surrogate.parameters, plant), variants },
  };
  const surrogateRefOf = new Map<string, string>();
  for (const ref of study.models) surrogateRefOf.set(ref, surrogateVariantOf(ref) === undefined ? SURROGATE_REF : ref);
  const surrogateStudy: Study = { ...study, models: [...new Set(surrogateRefOf.values())] };
  return {
    loaded: { ...loaded, study, hash: hashCanonical(study) },
    surrogateStudy: { ...loaded, study: surrogateStudy, hash: hashCanonical(surrogateStudy) },
    surrogateRefOf,
    plant,
  };
}

/** Validates planted overrides (`--plant`): the shape of a study's `surrogate.parameters`. */
export function parsePlant(raw: unknown): SurrogateParameterOverrides {
  const parsed = SurrogateParameterOverridesSchema.safeParse(raw);
  if (!parsed.success) {
    throw userInputErrorFromZod(
      parsed.error,
      '--plant',
      'give surrogate parameter overrides as under surrogate.parameters in a study file (schema/study.schema.json)',
    );
  }
  return parsed.data;
}

/** `extra` written over `base`, as the surrogate applies overrides (one level deep in each group). */
export function mergeOverrides(
  base: SurrogateParameterOverrides,
  extra: SurrogateParameterOverrides | undefined,
): SurrogateParameterOverrides {
  if (extra === undefined) return base;
  const merged: SurrogateParameterOverrides = { ...base };
  if (extra.channel !== undefined) merged.channel = { ...base.channel, ...extra.channel };
  if (extra.register !== undefined) {
    const register = { ...base.register, ...extra.register };
    if (base.register?.pressureByPhase !== undefined || extra.register.pressureByPhase !== undefined) {
      register.pressureByPhase = { ...base.register?.pressureByPhase, ...extra.register.pressureByPhase };
    }
    if (base.register?.echoByPhase !== undefined || extra.register.echoByPhase !== undefined) {
      register.echoByPhase = { ...base.register?.echoByPhase, ...extra.register.echoByPhase };
    }
    merged.register = register;
  }
  if (extra.variability !== undefined) merged.variability = { ...base.variability, ...extra.variability };
  if (extra.defaultProfile !== undefined) merged.defaultProfile = { ...base.defaultProfile, ...extra.defaultProfile };
  if (extra.languageProfiles !== undefined) {
    const profiles = { ...base.languageProfiles };
    for (const [tag, profile] of Object.entries(extra.languageProfiles))
      profiles[tag] = { ...profiles[tag], ...profile };
    merged.languageProfiles = profiles;
  }
  if (extra.covariateModulation !== undefined) merged.covariateModulation = extra.covariateModulation;
  if (extra.phrasesPerAction !== undefined) merged.phrasesPerAction = extra.phrasesPerAction;
  return merged;
}

/**
 * Rows that are tests (and so carry an adjusted p when confirmatory); the rule of `analyseStudy`:
 * a correlation's per-language effects and a direction count's rows are context.
 */
function isTestRow(kind: string, index: number): boolean {
  if (kind === 'direction-count') return false;
  return kind !== 'covariate-correlation' || index === 0;
}

interface RowTally {
  row: Omit<
    SimulatedPowerRow,
    | 'simulations'
    | 'failed'
    | 'rejections'
    | 'power'
    | 'powerMcse'
    | 'powerPlantedSign'
    | 'meanEstimate'
    | 'estimateMcse'
    | 'sdEstimate'
    | 'quantiles'
    | 'plantedSign'
    | 'plantedSignShare'
  >;
  /** Per simulation: the estimate (null when none) and whether the test rejected. */
  outcomes: { estimate: number | null; rejected: boolean; failed: boolean }[];
}

function summariseSimulations(results: readonly HypothesisResult[][], alpha: number): SimulatedPowerRow[] {
  const tallies = new Map<string, RowTally>();
  for (const hypotheses of results) {
    for (const hypothesis of hypotheses) {
      hypothesis.rows.forEach((row, index) => {
        const key = `${hypothesis.id}\u0000${row.label}`;
        let tally = tallies.get(key);
        if (tally === undefined) {
          tally = {
            row: {
              hypothesis: hypothesis.id,
              kind: hypothesis.kind,
              metric: hypothesis.metric,
              confirmatory: hypothesis.confirmatory,
              label: row.label,
              ...(row.language === undefined ? {} : { language: row.language }),
              ...(row.term === undefined ? {} : { term: row.term }),
              quantity: row.quantity,
              adjusted: hypothesis.confirmatory && isTestRow(hypothesis.kind, index),
            },
            outcomes: [],
          };
          tallies.set(key, tally);
        }
        const p = tally.row.adjusted ? row.pAdjusted : row.p;
        const failed = typeof p !== 'number' || !Number.isFinite(p);
        const estimate = typeof row.estimate === 'number' && Number.isFinite(row.estimate) ? row.estimate : null;
        tally.outcomes.push({ estimate, rejected: !failed && (p as number) < alpha, failed });
      });
    }
  }
  const simulations = results.length;
  return [...tallies.values()].map(({ row, outcomes }) => {
    // A row missing from a simulation (it can be, when a model fit fails) neither rejected nor estimated.
    const failed = outcomes.filter((outcome) => outcome.failed).length + (simulations - outcomes.length);
    const rejections = outcomes.filter((outcome) => outcome.rejected).length;
    const power = simulations > 0 ? rejections / simulations : 0;
    const estimates = outcomes
      .map((outcome) => outcome.estimate)
      .filter((estimate): estimate is number => estimate !== null);
    const mean = estimates.length > 0 ? estimates.reduce((sum, value) => sum + value, 0) / estimates.length : null;
    const sd =
      mean !== null && estimates.length > 1
        ? Math.sqrt(estimates.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (estimates.length - 1))
        : null;
    const mcse = sd === null ? null : sd / Math.sqrt(estimates.length);
    let plantedSign: -1 | 0 | 1 | null = null;
    if (mean !== null && mcse !== null) plantedSign = Math.abs(mean) > 2 * mcse ? (mean > 0 ? 1 : -1) : 0;
    const withSign = (outcome: { estimate: number | null }) =>
      outcome.estimate !== null &&
      plantedSign !== null &&
      plantedSign !== 0 &&
      Math.sign(outcome.estimate) === plantedSign;
    const signKnown = plantedSign !== null && plantedSign !== 0 && simulations > 0;
    return {
      ...row,
      simulations,
      failed,
      rejections,
      power,
      powerMcse: simulations > 0 ? Math.sqrt((power * (1 - power)) / simulations) : 0,
      powerPlantedSign: signKnown
        ? outcomes.filter((outcome) => outcome.rejected && withSign(outcome)).length / simulations
        : null,
      meanEstimate: mean,
      estimateMcse: mcse,
      sdEstimate: sd,
      quantiles: sampleQuantiles(estimates),
      plantedSign,
      plantedSignShare: signKnown ? outcomes.filter(withSign).length / simulations : null,
    };
  });
}
