import type { AgentFeatures, RunFeatures } from '../contracts/index.js';

/**
 * The tidy tables analyses read: one row per run (or per agent), one column per index plus the
 * design variables, named as they are in formulas (`cpi ~ k * language + (1 | language)`).
 */

export type TableRow = Record<string, number | string | null>;

/** The value of a named index for a run (null when it cannot be computed for that run). */
export function runMetricValue(
  run: Pick<RunFeatures, 'cpi' | 'di' | 'monologueRatio' | 'rates' | 'conformityRate'>,
  metric: string,
): number | null {
  switch (metric) {
    case 'cpi':
      return run.cpi;
    case 'di':
      return run.di;
    case 'monologue_ratio':
      return run.monologueRatio;
    case 'sexual_rate':
      return run.rates.sexual ?? null;
    case 'protective_rate':
      return run.rates.protective ?? null;
    case 'conformity_rate':
      return run.conformityRate;
    default:
      return null;
  }
}

export function agentMetricValue(agent: AgentFeatures, metric: string): number | null {
  switch (metric) {
    case 'di':
      return agent.di;
    case 'monologue_ratio':
      return agent.monologueRatio;
    case 'sexual_rate':
      return agent.rates.sexual ?? null;
    case 'protective_rate':
      return agent.rates.protective ?? null;
    case 'conformity_rate':
      return agent.conformityRate;
    default:
      return null;
  }
}

const RUN_METRICS = ['cpi', 'di', 'monologue_ratio', 'sexual_rate', 'protective_rate', 'conformity_rate'] as const;
const AGENT_METRICS = ['di', 'monologue_ratio', 'sexual_rate', 'protective_rate', 'conformity_rate'] as const;

/**
 * Covariates centred over the languages of the study (`pdi_c` = pdi minus the mean PDI of the
 * study's languages), so that a model's other coefficients are effects at the average covariate
 * rather than at a PDI of 0, which no language has.
 */
function centredCovariates(
  covariates: Readonly<Record<string, Readonly<Record<string, number | null>>>>,
  languages: readonly string[],
): Record<string, Record<string, number | null>> {
  const names = new Set(languages.flatMap((language) => Object.keys(covariates[language] ?? {})));
  const centred: Record<string, Record<string, number | null>> = Object.fromEntries(
    languages.map((language) => [language, {}]),
  );
  for (const name of names) {
    const values = languages
      .map((language) => covariates[language]?.[name])
      .filter((value): value is number => typeof value === 'number');
    const mean = values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
    for (const language of languages) {
      const value = covariates[language]?.[name];
      centred[language]![`${name}_c`] = typeof value === 'number' && mean !== null ? value - mean : null;
    }
  }
  return centred;
}

/**
 * Run table: metrics, the dose under its study name, language, model, run id, covariates (raw and
 * centred, `<name>_c`), and the hit counts binomial models use (`conformity_hits`,
 * `individuation_hits`: conformity and individuation registers of protective speech).
 */
export function runTable(
  runs: readonly RunFeatures[],
  doseVariable: string,
  covariates: Readonly<Record<string, Readonly<Record<string, number | null>>>>,
): TableRow[] {
  const centred = centredCovariates(covariates, [...new Set(runs.map((run) => run.language))]);
  return runs.map((run) => {
    const row: TableRow = {
      run: run.runId,
      language: run.language,
      model: run.model,
      replicate: run.replicate,
      [doseVariable]: run.dose,
    };
    for (const metric of RUN_METRICS) row[metric] = runMetricValue(run, metric);
    row.conformity_hits = run.hits.conformity ?? 0;
    row.individuation_hits = run.hits.individuation ?? 0;
    for (const [name, value] of Object.entries(covariates[run.language] ?? {})) row[name] = value;
    for (const [name, value] of Object.entries(centred[run.language] ?? {})) row[name] = value;
    return row;
  });
}

/**
 * Agent table: per-agent metrics, whether the agent received the dosed intervention (`instructed`,
 * 0/1), its condition (the interventions it received, joined with "+", or "none"), its run and its
 * persona (`persona`: the same personas recur in every run, so agent-level models can cross run
 * and persona effects), and its conformity and individuation hit counts.
 */
export function agentTable(
  agents: readonly AgentFeatures[],
  doseVariable: string,
  doseIntervention: string,
  models: ReadonlyMap<string, string>,
): TableRow[] {
  return agents.map((agent) => {
    const row: TableRow = {
      run: agent.runId,
      agent: agent.agent,
      language: agent.language,
      model: models.get(agent.runId) ?? '',
      [doseVariable]: agent.dose,
      instructed: agent.interventions.includes(doseIntervention) ? 1 : 0,
      condition: agent.interventions.length > 0 ? [...agent.interventions].sort().join('+') : 'none',
      persona: agent.agent,
      conformity_hits: agent.hits.conformity ?? 0,
      individuation_hits: agent.hits.individuation ?? 0,
    };
    for (const metric of AGENT_METRICS) row[metric] = agentMetricValue(agent, metric);
    return row;
  });
}
