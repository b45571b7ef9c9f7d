import type {
  ActionFeatures,
  AgentFeatures,
  LanguagePack,
  PhaseFeatures,
  RunFeatures,
  TurnFeatures,
} from '../contracts/index.js';
import { computeCpi, computeDi, type IndexComponents, type IndexScales, poolScales } from './indices.js';
import { createRunScorer, type RunScore, type RunToScore, type ScoringSettings } from './run-scoring.js';

/**
 * The score stage: transcripts in, features out. Lexicon hits per action; monologue ratio, hit rates
 * and conformity rate per agent and per run; then CPI and DI over the pooled non-excluded runs (and
 * DI over the pooled agents). Pure: the same events give the same features. The per-run part is
 * run-scoring.ts (what a scoring thread runs); the indices are set here, over the pooled runs.
 */

export interface ScoredStudy {
  actions: ActionFeatures[];
  agents: AgentFeatures[];
  runs: RunFeatures[];
  /** Per run, each ended turn and each scenario phase (segments.ts). */
  turns: TurnFeatures[];
  phases: PhaseFeatures[];
  /** The lexicon version that scored each language. */
  lexiconVersions: Record<string, string>;
  warnings: string[];
}

export function scoreRuns(
  runs: readonly RunToScore[],
  packs: ReadonlyMap<string, LanguagePack>,
  settings: ScoringSettings,
): ScoredStudy {
  const scorer = createRunScorer(packs, settings);
  return poolRunScores(
    runs.map((run) => scorer.score(run)),
    settings,
  );
}

/**
 * The study-relative part of the score stage: the runs' scores (run-scoring.ts), in run order, put
 * together, and CPI and DI set on the non-excluded runs, their agents, turns and phases. `Action`
 * passes through untouched (the threaded stage hands serialised rows).
 */
export function poolRunScores<Action>(
  scores: readonly RunScore<Action>[],
  settings: ScoringSettings,
): Omit<ScoredStudy, 'actions'> & { actions: Action[] } {
  const actions: Action[] = [];
  const agents: AgentFeatures[] = [];
  const runFeatures: RunFeatures[] = [];
  const turns: TurnFeatures[] = [];
  const phases: PhaseFeatures[] = [];
  const lexiconVersions: Record<string, string> = {};
  const warnings: string[] = [];
  for (const score of scores) {
    for (const action of score.actions) actions.push(action);
    for (const agent of score.agents) agents.push(agent);
    runFeatures.push(score.run);
    for (const turn of score.turns) turns.push(turn);
    for (const phase of score.phases) phases.push(phase);
    lexiconVersions[score.run.language] ??= score.lexiconVersion;
  }

  // Indices: z-scores over the pooled, non-excluded data of the study (the paper's choice), or
  // over a reference arm's runs, or on stored norms (study.indices.reference).
  const included = runFeatures.filter((run) => !run.excluded);
  const excludedRuns = new Set(runFeatures.filter((run) => run.excluded).map((run) => run.runId));
  const includedAgents = agents.filter((agent) => !excludedRuns.has(agent.runId));
  const reference = settings.indices?.reference ?? 'pooled';
  let runScales: IndexScales;
  let agentScales: IndexScales;
  if (reference === 'pooled') {
    runScales = poolScales(included.map(componentsOf));
    agentScales = poolScales(includedAgents.map(componentsOf));
  } else if ('norms' in reference) {
    runScales = reference.norms;
    agentScales = reference.norms;
  } else {
    const { arm } = reference;
    const armRuns = included.filter(
      (run) =>
        run.dose === arm.dose &&
        (arm.language === undefined || run.language === arm.language) &&
        (arm.model === undefined || run.model === arm.model),
    );
    if (armRuns.length < 2) {
      warnings.push(
        `the reference arm of the indices (dose ${arm.dose}${arm.language === undefined ? '' : `, ${arm.language}`}${arm.model === undefined ? '' : `, ${arm.model}`}) has ${armRuns.length} analysed run(s); CPI and DI need at least 2 to have a scale`,
      );
    }
    const armIds = new Set(armRuns.map((run) => run.runId));
    runScales = poolScales(armRuns.map(componentsOf));
    agentScales = poolScales(includedAgents.filter((agent) => armIds.has(agent.runId)).map(componentsOf));
  }
  for (const run of included) {
    run.cpi = computeCpi(componentsOf(run), runScales);
    run.di = computeDi(componentsOf(run), runScales);
  }
  for (const agent of includedAgents) agent.di = computeDi(componentsOf(agent), agentScales);
  for (const [name, scale] of Object.entries(runScales)) {
    if (included.length > 1 && scale.sd === 0)
      warnings.push(`index component ${name} has no variance across runs; it contributes 0 to CPI and DI`);
  }
  // A stretch of a run is indexed on the run-level scales when its run is (segments.ts).
  if (settings.metrics.normalization === 'per-action') {
    const indexed = new Set(included.map((run) => run.runId));
    for (const segment of [...turns, ...phases]) {
      if (!indexed.has(segment.runId)) continue;
      segment.cpi = computeCpi(componentsOf(segment), runScales);
      segment.di = computeDi(componentsOf(segment), runScales);
    }
  }
  return { actions, agents, runs: runFeatures, turns, phases, lexiconVersions, warnings };
}

function componentsOf(row: { monologueRatio: number | null; rates: Record<string, number> }): IndexComponents {
  return {
    monologueRatio: row.monologueRatio,
    sexual: row.rates.sexual ?? 0,
    protective: row.rates.protective ?? 0,
  };
}
