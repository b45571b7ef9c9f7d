import {
  type AgentFeatures,
  type CellSummary,
  type Hypothesis,
  type HypothesisResult,
  NotEstimableError,
  type RunFeatures,
  type StatisticRow,
  StatisticsError,
  type Study,
  UserInputError,
} from '../contracts/index.js';
import {
  adjustPValues,
  fitGlm,
  fitGlmm,
  fitLmm,
  fitOls,
  hedgesG,
  normalCdf,
  normalQuantile,
  pearsonCorrelation,
  tCdf,
  tQuantile,
  welchTTest,
} from '../stats/index.js';
import { agentTable, runMetricValue, runTable, type TableRow } from './tables.js';

/**
 * The analyze stage: a study's hypotheses turned into statistics calls over the stored features.
 * Confirmatory hypotheses form one family corrected for multiplicity (Holm by default); exploratory
 * ones are reported unadjusted and labelled. Every row records its estimator and warnings.
 *
 * Failing loudly: only statistical non-estimability (NotEstimableError from the engine: no
 * variance, too few runs, a response reproduced exactly, an aliased tested term) becomes a
 * not-estimable row. Any other statistics error (a one-level factor, a formula naming a column
 * the tables do not have) stops the analysis with a UserInputError naming the hypothesis; anything
 * else (a bug) propagates. A confirmatory test that could not be estimated stays in its correction
 * family with p = 1 and is listed in its hypothesis's `problems`.
 */

export interface AnalysisInput {
  study: Study;
  runs: readonly RunFeatures[];
  agents: readonly AgentFeatures[];
  covariates: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  /** Retries per run (from the call records), for the cell summaries. */
  retriesByRun?: ReadonlyMap<string, number>;
}

export interface AnalysisOutput {
  hypotheses: HypothesisResult[];
  cells: CellSummary[];
}

const METRICS = ['cpi', 'di', 'monologue_ratio', 'sexual_rate', 'protective_rate', 'conformity_rate'] as const;

export function analyseStudy(input: AnalysisInput): AnalysisOutput {
  const { study } = input;
  const included = input.runs.filter((run) => !run.excluded);
  const hypotheses = study.analysis.hypotheses.map((hypothesis, index) => {
    try {
      return analyseHypothesis(hypothesis, input, included);
    } catch (error) {
      if (!(error instanceof StatisticsError) || error instanceof NotEstimableError) throw error;
      throw new UserInputError(`hypothesis '${hypothesis.id}' cannot be analysed: ${error.message}`, {
        path: `analysis.hypotheses[${index}] (${hypothesis.id})`,
        fix: 'correct the hypothesis (formula, terms, level) or the design so that the model can be fitted; R would stop here too',
      });
    }
  });
  applyMultiplicityCorrection(hypotheses, study.analysis.correction, study.analysis.hypotheses);
  qualifyByFailedChecks(hypotheses, study);
  // Manipulation checks first: the report shows them before the hypotheses they qualify.
  const ordered = [
    ...hypotheses.filter((result) => result.kind === 'manipulation-check'),
    ...hypotheses.filter((result) => result.kind !== 'manipulation-check'),
  ];
  return { hypotheses: ordered, cells: summariseCells(input) };
}

function analyseHypothesis(
  hypothesis: Hypothesis,
  input: AnalysisInput,
  included: readonly RunFeatures[],
): HypothesisResult {
  const { study } = input;
  const base = {
    id: hypothesis.id,
    kind: hypothesis.kind,
    metric: hypothesis.metric,
    description: hypothesis.description ?? describeHypothesis(hypothesis, study),
    confirmatory: hypothesis.confirmatory,
  };
  switch (hypothesis.kind) {
    case 'contrast': {
      const groups =
        hypothesis.by === 'language' ? study.languages.map((language) => [language] as const) : [[null] as const];
      const rows = groups.map(([language]) =>
        contrastRow(
          included,
          hypothesis.metric,
          hypothesis.high,
          hypothesis.low,
          language,
          hypothesis.test,
          study.analysis.ciLevel,
        ),
      );
      return { ...base, rows };
    }
    case 'trend': {
      const groups = hypothesis.by === 'language' ? study.languages : [null];
      const rows = groups.map((language) => trendRow(included, hypothesis.metric, language, study));
      return { ...base, rows };
    }
    case 'model':
      return { ...base, rows: modelRows(hypothesis, input, included) };
    case 'covariate-correlation': {
      const perLanguage = perLanguageEffects(included, hypothesis, study);
      const pairs = perLanguage
        .map((row) => ({ row, covariate: input.covariates[row.language ?? '']?.[hypothesis.covariate] ?? null }))
        .filter((pair) => pair.row.estimate !== null && pair.covariate !== null);
      const correlationRow = correlationWithCovariate(pairs, hypothesis.covariate, study.analysis.ciLevel);
      // Per-language effects are context for the correlation; only the correlation is the test.
      return {
        ...base,
        rows: [correlationRow, ...perLanguage.map((row) => ({ ...row, label: `${row.label} (effect)` }))],
      };
    }
    case 'manipulation-check':
      return manipulationCheck(hypothesis, base, input, included);
    case 'direction-count': {
      const perLanguage = perLanguageEffects(included, hypothesis, study);
      const estimates = perLanguage.filter((row) => row.estimate !== null);
      // The counts use each language's p, or p adjusted over this count's languages (the plan says
      // which; a language without a p counts as p = 1 in the adjustment).
      if (hypothesis.significance !== 'unadjusted') {
        const adjusted = adjustPValues(
          perLanguage.map((row) => (typeof row.p === 'number' && Number.isFinite(row.p) ? row.p : 1)),
          hypothesis.significance,
        ).adjusted;
        perLanguage.forEach((row, index) => {
          if (typeof row.p === 'number') row.pAdjusted = adjusted[index] ?? null;
        });
      }
      const decidingP = (row: StatisticRow) => (hypothesis.significance === 'unadjusted' ? row.p : row.pAdjusted);
      const significant = (row: StatisticRow) => {
        const p = decidingP(row);
        return p !== null && p !== undefined && p < 1 - study.analysis.ciLevel;
      };
      return {
        ...base,
        rows: perLanguage,
        summary: {
          languages: estimates.length,
          positive: estimates.filter((row) => row.estimate! > 0).length,
          negative: estimates.filter((row) => row.estimate! < 0).length,
          significantPositive: estimates.filter((row) => row.estimate! > 0 && significant(row)).length,
          significantNegative: estimates.filter((row) => row.estimate! < 0 && significant(row)).length,
          significance: hypothesis.significance,
        },
      };
    }
  }
}

/** Hedges' g (high vs low, Student t) in each language: the effects behind a correlation or a count. */
function perLanguageEffects(
  included: readonly RunFeatures[],
  hypothesis: { metric: string; high: number; low: number },
  study: Study,
): ReturnType<typeof contrastRow>[] {
  return study.languages.map((language) =>
    contrastRow(
      included,
      hypothesis.metric,
      hypothesis.high,
      hypothesis.low,
      language,
      'student',
      study.analysis.ciLevel,
    ),
  );
}

function describeHypothesis(hypothesis: Hypothesis, study: Study): string {
  const dose = study.design.dose.variable;
  switch (hypothesis.kind) {
    case 'contrast':
      return `${hypothesis.metric}: ${dose} = ${hypothesis.high} vs ${hypothesis.low}${hypothesis.by === 'language' ? ', per language' : ''} (Hedges' g, ${hypothesis.test === 'welch' ? 'Welch' : 'Student'} t)`;
    case 'trend':
      return `${hypothesis.metric}: linear trend over ${dose}${hypothesis.by === 'language' ? ', per language' : ''} (OLS slope)`;
    case 'model':
      return `${hypothesis.formula} (${hypothesis.estimator.toUpperCase()}${hypothesis.family === undefined ? '' : ` ${hypothesis.family}`}, ${hypothesis.level} level${hypothesis.runs === 'mixed' ? ', mixed runs' : ''})`;
    case 'covariate-correlation':
      return `Pearson r between per-language ${hypothesis.metric} effects (${dose} ${hypothesis.high} vs ${hypothesis.low}) and ${hypothesis.covariate.toUpperCase()}`;
    case 'direction-count':
      return `Number of languages in which ${hypothesis.metric} rises or falls from ${dose} = ${hypothesis.low} to ${hypothesis.high}`;
    case 'manipulation-check':
      return `Manipulation check: ${hypothesis.metric} of instructed agents ${hypothesis.direction === 'greater' ? 'above' : 'below'} the other agents of the same runs (mixed runs, LMM with a run effect)`;
  }
}

function valuesAt(runs: readonly RunFeatures[], metric: string, dose: number, language: string | null): number[] {
  const values: number[] = [];
  for (const run of runs) {
    if (run.dose !== dose || (language !== null && run.language !== language)) continue;
    const value = runMetricValue(run, metric);
    if (value !== null && Number.isFinite(value)) values.push(value);
  }
  return values;
}

function contrastRow(
  runs: readonly RunFeatures[],
  metric: string,
  high: number,
  low: number,
  language: string | null,
  test: 'student' | 'welch',
  ciLevel: number,
): StatisticRow & { language?: string } {
  const highValues = valuesAt(runs, metric, high, language);
  const lowValues = valuesAt(runs, metric, low, language);
  const label = language ?? 'pooled';
  const n = { [String(high)]: highValues.length, [String(low)]: lowValues.length };
  const estimatorArgs = { metric, high, low, language, test, ciLevel };
  const undefinedEffect = (warning: string): StatisticRow & { language?: string } => ({
    label,
    ...(language === null ? {} : { language }),
    quantity: 'hedges-g',
    estimate: null,
    ci: null,
    p: null,
    n,
    estimator: { name: 'hedges-g', version: '1.0.0', args: estimatorArgs },
    warnings: [warning],
  });
  if (highValues.length < 2 || lowValues.length < 2) {
    return undefinedEffect(
      `fewer than 2 usable runs in a group (${high}: ${highValues.length}, ${low}: ${lowValues.length})`,
    );
  }
  let effect: ReturnType<typeof hedgesG>;
  try {
    effect = hedgesG(highValues, lowValues, { ciLevel });
  } catch (error) {
    // E.g. no variance at all: the effect is undefined, which is a result, not a crash.
    if (!(error instanceof NotEstimableError)) throw error;
    return undefinedEffect(error.message);
  }
  const warnings = [...effect.warnings];
  let statistic = effect.t;
  let df = effect.df;
  let p = effect.p;
  if (test === 'welch') {
    const welch = welchTTest(highValues, lowValues, { ciLevel });
    statistic = welch.statistic;
    df = welch.df;
    p = welch.p;
    warnings.push(...welch.warnings);
  }
  return {
    label,
    ...(language === null ? {} : { language }),
    quantity: 'hedges-g',
    estimate: effect.g,
    ci: finiteInterval(effect.ciG),
    // The row states its test: Welch or Student t (estimator.args.test says the same).
    statistic: test === 'welch' ? 'Welch t' : 'Student t',
    statisticValue: statistic,
    df,
    p,
    n,
    estimator: { ...effect.estimator, args: { ...effect.estimator.args, ...estimatorArgs } },
    warnings,
  };
}

function trendRow(runs: readonly RunFeatures[], metric: string, language: string | null, study: Study): StatisticRow {
  const dose = study.design.dose.variable;
  const rows = runs
    .filter((run) => language === null || run.language === language)
    .map((run) => ({ [metric]: runMetricValue(run, metric), [dose]: run.dose }))
    .filter((row) => row[metric] !== null);
  const label = language ?? 'pooled';
  const formula = `${metric} ~ ${dose}`;
  try {
    const fit = fitOls({ formula, data: rows });
    const slope = fit.coefficients.find((coefficient) => coefficient.term === dose);
    if (slope === undefined) {
      throw new NotEstimableError(`the ${dose} slope is aliased (${dose} does not vary in these runs)`);
    }
    const margin = tQuantile(1 - (1 - study.analysis.ciLevel) / 2, slope.df) * slope.se;
    return {
      label,
      ...(language === null ? {} : { language }),
      term: dose,
      quantity: 'slope',
      estimate: slope.estimate,
      se: slope.se,
      ci: [slope.estimate - margin, slope.estimate + margin],
      statistic: 't',
      statisticValue: slope.t,
      df: slope.df,
      p: slope.p,
      n: { runs: fit.nobs },
      estimator: { ...fit.estimator, args: { ...fit.estimator.args, formula, language } },
      warnings: fit.warnings,
    };
  } catch (error) {
    if (!(error instanceof NotEstimableError)) throw error;
    return {
      label,
      ...(language === null ? {} : { language }),
      term: dose,
      quantity: 'slope',
      estimate: null,
      estimator: { name: 'ols', version: '1.0.0', args: { formula, language } },
      warnings: [`not estimable: ${error.message}`],
    };
  }
}

/** The table a model hypothesis reads: runs or agents, all runs or only mixed ones. */
function modelTable(
  hypothesis: { level: 'run' | 'agent'; runs: 'all' | 'mixed' },
  input: AnalysisInput,
  included: readonly RunFeatures[],
): TableRow[] {
  const { study } = input;
  const dose = study.design.dose.variable;
  // Mixed runs: both instructed and uninstructed agents share the conversation (0 < dose < N), so
  // an agent-level contrast is not confounded with the dose (at 0 and N every agent is alike).
  const runs =
    hypothesis.runs === 'mixed' ? included.filter((run) => run.dose > 0 && run.dose < study.agents) : included;
  if (hypothesis.level === 'run') return runTable(runs, dose, input.covariates);
  const includedIds = new Set(runs.map((run) => run.runId));
  const models = new Map(runs.map((run) => [run.runId, run.model]));
  return agentTable(
    input.agents.filter((agent) => includedIds.has(agent.runId)),
    dose,
    study.design.dose.intervention,
    models,
  );
}

interface FittedCoefficient {
  term: string;
  estimate: number;
  se: number;
  df: number | null;
  statistic: number;
  p: number | null;
}

interface FittedModel {
  coefficients: FittedCoefficient[];
  aliased: string[];
  nobs: number;
  warnings: string[];
  estimator: StatisticRow['estimator'];
  /** z (GLM, GLMM) or t (OLS, LMM) tests. */
  distribution: 'z' | 't';
  link: 'identity' | 'logit' | 'log';
}

function fitModel(hypothesis: Extract<Hypothesis, { kind: 'model' }>, data: TableRow[]): FittedModel {
  const formula = hypothesis.formula;
  if (hypothesis.estimator === 'glm' || hypothesis.estimator === 'glmm') {
    const family = hypothesis.family ?? 'binomial';
    const fit =
      hypothesis.estimator === 'glmm'
        ? fitGlmm({ formula, data, family, nAGQ: hypothesis.nAGQ })
        : fitGlm({ formula, data, family });
    return {
      coefficients: fit.fixed.map((row) => ({ ...row, df: null, statistic: row.z })),
      aliased: fit.aliased,
      nobs: fit.nobs,
      warnings: fit.warnings,
      estimator: fit.estimator,
      distribution: 'z',
      link: fit.link,
    };
  }
  const fit =
    hypothesis.estimator === 'ols' ? fitOls({ formula, data }) : fitLmm({ formula, data, reml: hypothesis.reml });
  const coefficients = 'fixed' in fit ? fit.fixed : fit.coefficients;
  return {
    coefficients: coefficients.map((row) => ({ ...row, statistic: row.t })),
    aliased: fit.aliased,
    nobs: fit.nobs,
    warnings: fit.warnings,
    estimator: fit.estimator,
    distribution: 't',
    link: 'identity',
  };
}

function modelRows(
  hypothesis: Extract<Hypothesis, { kind: 'model' }>,
  input: AnalysisInput,
  included: readonly RunFeatures[],
): StatisticRow[] {
  const { study } = input;
  const table = modelTable(hypothesis, input, included);
  const parsedResponse = hypothesis.formula.split('~')[0]?.trim() ?? hypothesis.metric;
  const responses = /^cbind\s*\(/.test(parsedResponse)
    ? parsedResponse
        .replace(/^cbind\s*\(|\)\s*$/g, '')
        .split(',')
        .map((name) => name.trim())
    : [parsedResponse];
  const data = table.filter((row) => responses.every((name) => row[name] !== null && row[name] !== undefined));
  const ciLevel = study.analysis.ciLevel;
  const wanted = (term: string) => hypothesis.terms === undefined || hypothesis.terms.includes(term);
  let fit: FittedModel;
  try {
    fit = fitModel(hypothesis, data);
  } catch (error) {
    if (!(error instanceof NotEstimableError)) throw error;
    return (hypothesis.terms ?? [hypothesis.formula]).map((term) => ({
      label: term,
      ...(hypothesis.terms === undefined ? {} : { term }),
      quantity: 'beta',
      estimate: null,
      estimator: { name: hypothesis.estimator, version: '1.0.0', args: { formula: hypothesis.formula } },
      warnings: [`not estimable: ${error.message}`],
    }));
  }
  const coefficients = fit.coefficients;
  for (const term of hypothesis.terms ?? []) {
    if (!coefficients.some((coefficient) => coefficient.term === term) && !fit.aliased.includes(term)) {
      throw new StatisticsError(
        `the plan tests term '${term}', which '${hypothesis.formula}' does not have (terms: ${coefficients.map((coefficient) => coefficient.term).join(', ')})`,
      );
    }
  }
  const rows = coefficients
    .filter((coefficient) => wanted(coefficient.term))
    .map((coefficient) => coefficientRow(coefficient, fit, hypothesis, ciLevel));
  // A tested term that the data cannot separate from the others (aliased, R prints NA) is named.
  for (const term of (hypothesis.terms ?? []).filter((name) => fit.aliased.includes(name))) {
    rows.push({
      label: term,
      term,
      quantity: 'beta',
      estimate: null,
      estimator: fit.estimator,
      warnings: [
        `not estimable: '${term}' is aliased with other terms of ${hypothesis.formula} (rank-deficient design)`,
        ...fit.warnings,
      ],
    });
  }
  return rows;
}

const INVERSE_LINK = {
  identity: (value: number) => value,
  logit: (value: number) => 1 / (1 + Math.exp(-value)),
  log: (value: number) => Math.exp(value),
};
const LINK = {
  identity: (value: number) => value,
  logit: (value: number) => Math.log(value / (1 - value)),
  log: (value: number) => Math.log(value),
};

/**
 * One coefficient as a result row. Tested against 0 (or `against`, two-sided or one-sided). For a
 * GLM(M) level test (`against` given) the row reports the level on the response scale (e.g. a rate
 * with its interval), the test being done on the link scale.
 */
function coefficientRow(
  coefficient: FittedCoefficient,
  fit: FittedModel,
  hypothesis: Extract<Hypothesis, { kind: 'model' }>,
  ciLevel: number,
): StatisticRow {
  const nullValue = hypothesis.against === undefined ? 0 : LINK[fit.link](hypothesis.against);
  if (!Number.isFinite(nullValue)) {
    throw new StatisticsError(`'against: ${hypothesis.against}' has no value on the ${fit.link} scale`);
  }
  const statistic = (coefficient.estimate - nullValue) / coefficient.se;
  const quantile =
    fit.distribution === 'z'
      ? normalQuantile(1 - (1 - ciLevel) / 2)
      : coefficient.df === null
        ? null
        : tQuantile(1 - (1 - ciLevel) / 2, coefficient.df);
  const upperTail = (value: number) =>
    fit.distribution === 'z' ? normalCdf(value, 'upper') : tCdf(value, coefficient.df ?? Number.NaN, 'upper');
  let p: number | null;
  if (fit.distribution === 't' && coefficient.df === null) p = null;
  else if (hypothesis.alternative === 'greater') p = upperTail(statistic);
  else if (hypothesis.alternative === 'less') p = upperTail(-statistic);
  else
    p = hypothesis.against === undefined && coefficient.p !== null ? coefficient.p : 2 * upperTail(Math.abs(statistic));
  const margin = quantile === null ? null : quantile * coefficient.se;
  const levelTest = hypothesis.against !== undefined && fit.link !== 'identity';
  const transform = levelTest ? INVERSE_LINK[fit.link] : (value: number) => value;
  return {
    label:
      hypothesis.against === undefined
        ? coefficient.term
        : `${coefficient.term} ${hypothesis.alternative === 'greater' ? '>' : hypothesis.alternative === 'less' ? '<' : '≠'} ${hypothesis.against}`,
    term: coefficient.term,
    quantity: levelTest ? (fit.link === 'logit' ? 'rate' : 'mean') : 'beta',
    estimate: transform(coefficient.estimate),
    se: levelTest ? null : coefficient.se,
    ci: margin === null ? null : [transform(coefficient.estimate - margin), transform(coefficient.estimate + margin)],
    statistic: fit.distribution,
    statisticValue: statistic,
    df: coefficient.df,
    p,
    n: { rows: fit.nobs },
    estimator: {
      ...fit.estimator,
      args: {
        ...fit.estimator.args,
        ...(hypothesis.against === undefined ? {} : { against: hypothesis.against, scale: fit.link }),
        alternative: hypothesis.alternative,
        runs: hypothesis.runs,
      },
    },
    warnings: fit.warnings,
  };
}

/**
 * A manipulation check: instructed minus uninstructed agents on an agent-level metric within mixed
 * runs, `metric ~ instructed + (1 | run)` (LMM, REML, Satterthwaite df), one-sided in the declared
 * direction at the study's alpha. Passed, failed, or not estimable (then it qualifies nothing).
 */
function manipulationCheck(
  hypothesis: Extract<Hypothesis, { kind: 'manipulation-check' }>,
  base: Pick<HypothesisResult, 'id' | 'kind' | 'metric' | 'description' | 'confirmatory'>,
  input: AnalysisInput,
  included: readonly RunFeatures[],
): HypothesisResult {
  const alpha = 1 - input.study.analysis.ciLevel;
  const model = {
    kind: 'model' as const,
    id: hypothesis.id,
    metric: hypothesis.metric,
    confirmatory: false,
    formula: `${hypothesis.metric} ~ instructed + (1 | run)`,
    estimator: 'lmm' as const,
    nAGQ: 1,
    terms: ['instructed'],
    level: 'agent' as const,
    runs: 'mixed' as const,
    reml: true,
    alternative: hypothesis.direction,
  };
  const rows = modelRows(model, input, included);
  const row = rows[0]!;
  const passed = row.p === null || row.p === undefined ? null : row.p < alpha;
  return {
    ...base,
    rows,
    summary: { passed: passed === null ? null : passed ? 1 : 0, alpha },
    ...(passed === false
      ? {
          problems: [
            `manipulation check failed: instructed agents are not ${hypothesis.direction === 'greater' ? 'above' : 'below'} the others on ${hypothesis.metric} (one-sided p = ${row.p}); the results it qualifies are flagged`,
          ],
        }
      : passed === null
        ? { problems: ['manipulation check could not be estimated (no mixed runs, or no variance)'] }
        : {}),
  };
}

/** Every result a failed manipulation check qualifies names it in `qualifiedBy`. */
function qualifyByFailedChecks(results: HypothesisResult[], study: Study): void {
  for (const check of study.analysis.hypotheses) {
    if (check.kind !== 'manipulation-check') continue;
    const result = results.find((entry) => entry.id === check.id);
    if (result?.summary?.passed !== 0) continue;
    for (const target of results) {
      if (target.kind === 'manipulation-check') continue;
      if (check.qualifies !== undefined && !check.qualifies.includes(target.id)) continue;
      target.qualifiedBy = [...(target.qualifiedBy ?? []), check.id];
    }
  }
}

function correlationWithCovariate(
  pairs: readonly { row: StatisticRow; covariate: number | null }[],
  covariate: string,
  ciLevel: number,
): StatisticRow {
  const label = `r with ${covariate.toUpperCase()}`;
  if (pairs.length < 3) {
    return {
      label,
      quantity: 'pearson-r',
      estimate: null,
      n: { languages: pairs.length },
      estimator: { name: 'pearson', version: '1.0.0', args: { covariate } },
      warnings: [`only ${pairs.length} languages have both an effect and a ${covariate} value`],
    };
  }
  let result: ReturnType<typeof pearsonCorrelation>;
  try {
    result = pearsonCorrelation(
      pairs.map((pair) => pair.row.estimate!),
      pairs.map((pair) => pair.covariate!),
      { ciLevel },
    );
  } catch (error) {
    if (!(error instanceof NotEstimableError)) throw error;
    return {
      label,
      quantity: 'pearson-r',
      estimate: null,
      n: { languages: pairs.length },
      estimator: { name: 'pearson', version: '1.0.0', args: { covariate } },
      warnings: [error.message],
    };
  }
  return {
    label,
    quantity: 'pearson-r',
    estimate: result.estimate,
    ci: result.ci,
    statistic: 't',
    statisticValue: result.statistic,
    df: result.df,
    p: result.p,
    n: { languages: pairs.length },
    estimator: { ...result.estimator, args: { ...result.estimator.args, covariate } },
    warnings: result.warnings,
  };
}

/**
 * Rows that are tests of a hypothesis: not context rows (per-language effects behind an r) and
 * never a model's intercept unless the plan names it in `terms` (a level test, e.g. a rate
 * against 0.84).
 */
function testRows(result: HypothesisResult, spec: Hypothesis | undefined): StatisticRow[] {
  if (result.kind === 'covariate-correlation') return result.rows.slice(0, 1);
  if (result.kind === 'direction-count' || result.kind === 'manipulation-check') return [];
  if (result.kind === 'model') {
    const named = spec?.kind === 'model' && spec.terms?.includes('(Intercept)') === true;
    return named ? result.rows : result.rows.filter((row) => row.term !== '(Intercept)');
  }
  return result.rows;
}

/**
 * Holm (or BH) over every confirmatory test row. A row that could not be estimated stays in the
 * family with p = 1 (dropping it would make the family smaller and every other adjusted p smaller
 * than the plan allows); its own adjusted p stays null and its hypothesis lists the problem.
 */
function applyMultiplicityCorrection(
  results: readonly HypothesisResult[],
  method: Study['analysis']['correction'],
  specs: readonly Hypothesis[],
): void {
  const family: { row: StatisticRow; p: number }[] = [];
  for (const result of results.filter((entry) => entry.confirmatory)) {
    const spec = specs.find((entry) => entry.id === result.id);
    for (const row of testRows(result, spec)) {
      const estimable = typeof row.p === 'number' && Number.isFinite(row.p);
      family.push({ row, p: estimable ? (row.p as number) : 1 });
      if (!estimable) {
        const reason = row.warnings.find((warning) => warning.length > 0) ?? 'no p-value';
        result.problems = [
          ...(result.problems ?? []),
          `confirmatory test '${row.label}' could not be estimated (${reason}); it stays in the ${method === 'none' ? 'family' : `${method} family`} with p = 1`,
        ];
      }
    }
  }
  const adjusted =
    method === 'none'
      ? family.map((entry) => entry.p)
      : adjustPValues(
          family.map((entry) => entry.p),
          method,
        ).adjusted;
  family.forEach((entry, index) => {
    const estimable = typeof entry.row.p === 'number' && Number.isFinite(entry.row.p);
    entry.row.pAdjusted = estimable ? (adjusted[index] ?? null) : null;
  });
}

function finiteInterval(interval: readonly [number, number]): [number, number] | null {
  return Number.isFinite(interval[0]) && Number.isFinite(interval[1]) ? [interval[0], interval[1]] : null;
}

function summariseCells(input: AnalysisInput): CellSummary[] {
  const { study } = input;
  const byCell = new Map<string, RunFeatures[]>();
  for (const run of input.runs) {
    const list = byCell.get(run.cellId);
    if (list === undefined) byCell.set(run.cellId, [run]);
    else list.push(run);
  }
  const cells: CellSummary[] = [];
  for (const [cellId, runs] of byCell) {
    const first = runs[0]!;
    const included = runs.filter((run) => !run.excluded);
    const completed = runs.filter((run) => run.exclusionReason !== 'incomplete run');
    const attempted = runs.reduce((total, run) => total + run.attempted, 0);
    const means: Record<string, number | null> = {};
    const sds: Record<string, number | null> = {};
    for (const metric of METRICS) {
      const values = included
        .map((run) => runMetricValue(run, metric))
        .filter((value): value is number => value !== null);
      const mean = values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
      means[metric] = mean;
      sds[metric] =
        values.length > 1 && mean !== null
          ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1))
          : null;
    }
    cells.push({
      cellId,
      language: first.language,
      model: first.model,
      dose: first.dose,
      runs: study.replicates,
      completedRuns: completed.length,
      // Completed runs the exclusion rules removed (incomplete runs are already not completed).
      excludedRuns: completed.filter((run) => run.excluded).length,
      attemptedActions: attempted,
      parseErrorRate: attempted > 0 ? runs.reduce((total, run) => total + run.parseErrors, 0) / attempted : null,
      callErrorRate: attempted > 0 ? runs.reduce((total, run) => total + run.callErrors, 0) / attempted : null,
      retries: runs.reduce((total, run) => total + (input.retriesByRun?.get(run.runId) ?? 0), 0),
      intendedLanguageShare: meanOf(
        runs.map((run) => run.intendedLanguageShare).filter((share): share is number => share !== null),
      ),
      means,
      sds,
      analysedRuns: included.length,
      intervals: Object.fromEntries(
        METRICS.map((metric) => [
          metric,
          meanInterval(means[metric] ?? null, sds[metric] ?? null, included.length, study.analysis.ciLevel),
        ]),
      ),
      ciLevel: study.analysis.ciLevel,
    });
  }
  const order = new Map(study.languages.map((language, index) => [language, index]));
  cells.sort(
    (a, b) =>
      compareText(a.model, b.model) || (order.get(a.language) ?? 0) - (order.get(b.language) ?? 0) || a.dose - b.dose,
  );
  return cells;
}

/** Code-point order: locale-independent, so results are byte-identical on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The t interval of a mean from its SD and n (null when n < 2 or the SD is unknown). */
function meanInterval(mean: number | null, sd: number | null, n: number, level: number): [number, number] | null {
  if (mean === null || sd === null || n < 2 || !Number.isFinite(sd)) return null;
  const halfWidth = (tQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
  return [mean - halfWidth, mean + halfWidth];
}

function meanOf(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}
