import { z } from 'zod';
import { ResultsExpectationSchema } from './expectation.js';
import { IndexDefinitionSchema } from './features.js';
import { PhaseNameSchema } from './scenario-phases.js';
import { PreregistrationResultsSchema } from './preregistration.js';

/**
 * Analysis results. Every statistic records the estimator that produced it (name, version and
 * arguments) and its warnings, so a reader can re-derive it. `results.json` holds no wall-clock time:
 * two runs with the same seeds give byte-identical files.
 */

export const EstimatorRecordSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    args: z.record(z.string(), z.unknown()),
  })
  .strict();
export type EstimatorRecord = z.infer<typeof EstimatorRecordSchema>;

export const StatisticRowSchema = z
  .object({
    /** What this row is about: a language, a model term, "pooled". */
    label: z.string(),
    language: z.string().optional(),
    term: z.string().optional(),
    /** The quantity estimated: hedges-g, slope, beta, pearson-r. */
    quantity: z.string(),
    estimate: z.number().nullable(),
    se: z.number().nullable().optional(),
    ci: z.tuple([z.number(), z.number()]).nullable().optional(),
    statistic: z.string().optional(),
    statisticValue: z.number().nullable().optional(),
    df: z.number().nullable().optional(),
    p: z.number().nullable().optional(),
    pAdjusted: z.number().nullable().optional(),
    n: z.record(z.string(), z.number()).optional(),
    estimator: EstimatorRecordSchema,
    warnings: z.array(z.string()),
  })
  .strict();
export type StatisticRow = z.infer<typeof StatisticRowSchema>;

export const HypothesisResultSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    metric: z.string(),
    description: z.string(),
    confirmatory: z.boolean(),
    rows: z.array(StatisticRowSchema),
    /** Extra named values (e.g. counts of languages by direction). */
    summary: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).optional(),
    /**
     * Problems the report lists: e.g. a confirmatory test that could not be estimated (it stays in
     * the correction family, counted with p = 1).
     */
    problems: z.array(z.string()).optional(),
    /** Ids of failed manipulation checks that qualify this result (the report flags it). */
    qualifiedBy: z.array(z.string()).optional(),
  })
  .strict();
export type HypothesisResult = z.infer<typeof HypothesisResultSchema>;

export const CellSummarySchema = z
  .object({
    cellId: z.string(),
    language: z.string(),
    model: z.string(),
    dose: z.number().int(),
    runs: z.number().int(),
    completedRuns: z.number().int(),
    excludedRuns: z.number().int(),
    attemptedActions: z.number().int(),
    parseErrorRate: z.number().nullable(),
    callErrorRate: z.number().nullable(),
    retries: z.number().int(),
    /** Mean over the cell's runs of the share of actions detected in the intended language. */
    intendedLanguageShare: z.number().nullable(),
    means: z.record(z.string(), z.number().nullable()),
    sds: z.record(z.string(), z.number().nullable()),
    /** Runs the cell's statistics use: completed and not excluded. */
    analysedRuns: z.number().int().optional(),
    /** t interval of each metric's mean over the analysed runs, at the study's ciLevel (null: n < 2). */
    intervals: z.record(z.string(), z.tuple([z.number(), z.number()]).nullable()).optional(),
    ciLevel: z.number().optional(),
  })
  .strict();
export type CellSummary = z.infer<typeof CellSummarySchema>;

/** One language's measurement instrument, for the parity table (see src/metrics/parity.ts). */
export const InstrumentRowSchema = z
  .object({
    language: z.string(),
    englishName: z.string(),
    nativeName: z.string(),
    script: z.string(),
    direction: z.enum(['ltr', 'rtl']),
    segmentation: z.string(),
    packVersion: z.string(),
    reviewStatus: z.string(),
    lexiconVersion: z.string(),
    lexiconTerms: z.record(z.string(), z.number().int()),
    scenarioCharacters: z.number().int(),
    scenarioWords: z.number().int(),
    scenarioTokens: z.number().int(),
    validationItems: z.number().int(),
    validation: z.record(
      z.string(),
      z.object({ precision: z.number().nullable(), recall: z.number().nullable() }).strict(),
    ),
    minimumValidationScore: z.number().nullable(),
    hofstede: z.record(z.string(), z.number().nullable()),
    covariateCountry: z.string(),
  })
  .strict();
export type InstrumentRow = z.infer<typeof InstrumentRowSchema>;

/** Mean, SD (n - 1) and count over a cell's included runs of one metric at one turn or phase. */
const TrajectoryValuesSchema = z
  .object({
    /** Included runs that reached this turn or phase. */
    n: z.number().int().min(0),
    means: z.record(z.string(), z.number().nullable()),
    sds: z.record(z.string(), z.number().nullable()),
  })
  .strict();

export const TrajectoryPointSchema = z
  .object({ turn: z.number().int().min(1), phase: PhaseNameSchema, ...TrajectoryValuesSchema.shape })
  .strict();
export type TrajectoryPoint = z.infer<typeof TrajectoryPointSchema>;

export const PhasePointSchema = z
  .object({
    phase: PhaseNameSchema,
    firstTurn: z.number().int().min(1),
    lastTurn: z.number().int().min(1),
    ...TrajectoryValuesSchema.shape,
  })
  .strict();
export type PhasePoint = z.infer<typeof PhasePointSchema>;

/** Per-turn and per-phase aggregates of the indices, per design cell, with the injected events. */
export const TrajectoriesSchema = z
  .object({
    metrics: z.array(z.string()),
    /** Per language, the phase of the event injected at each turn (the scenario's script). */
    events: z.record(z.string(), z.array(z.object({ turn: z.number().int().min(1), phase: PhaseNameSchema }).strict())),
    cells: z.array(
      z
        .object({
          cellId: z.string(),
          language: z.string(),
          model: z.string(),
          dose: z.number().int(),
          turns: z.array(TrajectoryPointSchema),
          phases: z.array(PhasePointSchema),
        })
        .strict(),
    ),
  })
  .strict();
export type Trajectories = z.infer<typeof TrajectoriesSchema>;

const MeasurementLanguageSchema = z
  .object({
    language: z.string(),
    lexiconVersion: z.string(),
    /** current: figures computed with exactly this lexicon; stale: with another version; none: never scored. */
    status: z.enum(['current', 'stale', 'none']),
    /** Held-out precision and recall per category on the language's test part (null unless current). */
    heldOut: z
      .record(z.string(), z.object({ precision: z.number().nullable(), recall: z.number().nullable() }).strict())
      .nullable(),
    /** Recall per category on the parallel set (the same meanings in every language). */
    parallelRecall: z.record(z.string(), z.number().nullable()).nullable(),
  })
  .strict();

export const MeasurementWarningSchema = z
  .object({
    hypothesis: z.string().nullable(),
    metric: z.string().nullable(),
    category: z.string().nullable(),
    message: z.string(),
  })
  .strict();
export type MeasurementWarning = z.infer<typeof MeasurementWarningSchema>;

/**
 * Whether the recall differences across languages on a parallel set exceed sampling noise, for one
 * category (src/stats/recall-invariance.ts): Cochran's Q of equal recall with the meanings as blocks,
 * and the spread a perfectly invariant instrument would show with the same meanings (a seeded
 * permutation distribution: each meaning's outcomes shuffled across the languages).
 */
export const EqualRecallSchema = z
  .object({
    meanings: z.number().int(),
    languages: z.number().int(),
    cochranQ: z
      .object({ statistic: z.number().nullable(), degreesOfFreedom: z.number().int(), pValue: z.number().nullable() })
      .strict(),
    spreadUnderInvariance: z
      .object({
        permutations: z.number().int(),
        seed: z.number().int(),
        median: z.number(),
        quantile95: z.number(),
        pValue: z.number(),
      })
      .strict(),
  })
  .strict();
export type EqualRecall = z.infer<typeof EqualRecallSchema>;

export const MeasurementSchema = z
  .object({
    goldLock: z.string().nullable(),
    scoredAt: z.string().nullable(),
    /** Largest tolerated difference in parallel-set recall between compared languages. */
    tolerance: z.number(),
    languages: z.array(MeasurementLanguageSchema),
    invariance: z.array(
      z
        .object({
          category: z.string(),
          lowest: z.object({ language: z.string(), recall: z.number() }).strict().nullable(),
          highest: z.object({ language: z.string(), recall: z.number() }).strict().nullable(),
          spread: z.number().nullable(),
          /** For the study's languages, when each has current held-out figures with per-meaning outcomes. */
          equalRecall: EqualRecallSchema.nullable().optional(),
        })
        .strict(),
    ),
    warnings: z.array(MeasurementWarningSchema),
  })
  .strict();
export type Measurement = z.infer<typeof MeasurementSchema>;

export const ResultsSchema = z
  .object({
    formatVersion: z.literal(1),
    study: z.string(),
    studyTitle: z.string(),
    studyHash: z.string(),
    /** True when any run used the surrogate: these numbers are not findings about any LLM. */
    surrogate: z.boolean(),
    label: z.string(),
    models: z.array(z.string()),
    languages: z.array(z.string()),
    doseVariable: z.string(),
    indices: z.array(IndexDefinitionSchema),
    cells: z.array(CellSummarySchema),
    hypotheses: z.array(HypothesisResultSchema),
    correction: z.string(),
    covariates: z.record(z.string(), z.record(z.string(), z.number().nullable())),
    /** The language packs' instruments side by side (lexicon sizes, scenario length, validation). */
    instrument: z.array(InstrumentRowSchema),
    /** Absent in results written before trajectories were aggregated. */
    trajectories: TrajectoriesSchema.optional(),
    /**
     * The instrument's held-out validity in the study's languages (locked gold test parts), its
     * invariance across them (parallel-set recall), and a warning for each hypothesis whose index
     * rests on categories the instrument detects unequally in the languages compared.
     */
    measurement: MeasurementSchema.optional(),
    /** Preregistered vs observed, and the deviations, when the run was made with `--prereg <lock>`. */
    preregistration: PreregistrationResultsSchema.optional(),
    /**
     * The surrogate's expectation and power for this design (from a stored expectation whose key
     * matches), or why there is none. Absent in results written before expectations existed.
     */
    expectation: ResultsExpectationSchema.optional(),
  })
  .strict();
export type Results = z.infer<typeof ResultsSchema>;
