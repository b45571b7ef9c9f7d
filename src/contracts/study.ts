import { z } from 'zod';
import { SurrogateParameterOverridesSchema } from './surrogate-parameters.js';

/**
 * The study file: everything that defines an experiment. Strict: an unknown key is an error, so a
 * typo never silently falls back to a default. Defaults are filled at load and the resolved study
 * (with every default written out) is what gets hashed and recorded in the manifest.
 */

export const LanguageTagSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP-47 language tag such as "en" or "pt-BR"');

/** Identifiers usable in formulas and CSV headers (R-compatible). */
const IdentifierSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case');

/** Run-level and agent-level indices the metrics registry computes. */
export const INDEX_NAMES = [
  'cpi',
  'di',
  'monologue_ratio',
  'sexual_rate',
  'protective_rate',
  'conformity_rate',
] as const;
export const IndexNameSchema = z.enum(INDEX_NAMES);
export type IndexName = z.infer<typeof IndexNameSchema>;

export const CovariateNameSchema = z.enum(['pdi', 'idv', 'mas', 'uai', 'lto', 'ivr']);
export type CovariateName = z.infer<typeof CovariateNameSchema>;

const HypothesisBase = {
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter: letters, digits, _ or -'),
  description: z.string().optional(),
  /** Confirmatory hypotheses form the family corrected for multiplicity; exploratory ones are labelled. */
  confirmatory: z.boolean().default(true),
  metric: IndexNameSchema,
};

/** Hedges' g between two dose levels (e.g. 10/10 vs 0/10), per language or pooled. */
export const ContrastHypothesisSchema = z
  .object({
    ...HypothesisBase,
    kind: z.literal('contrast'),
    high: z.number().int().min(0),
    low: z.number().int().min(0),
    by: z.enum(['language', 'none']).default('language'),
    /**
     * The t test behind the p-value: Welch (default: no equal-variance assumption) or Student
     * (pooled SD, as the paper's g). g itself always uses the pooled SD. Recorded in every row.
     */
    test: z.enum(['student', 'welch']).default('welch'),
  })
  .strict();

/** Linear trend of the metric over the dose, per language (OLS slope). */
export const TrendHypothesisSchema = z
  .object({
    ...HypothesisBase,
    kind: z.literal('trend'),
    by: z.enum(['language', 'none']).default('language'),
  })
  .strict();

/** A model in R formula syntax over the run (or agent) table. */
export const ModelHypothesisSchema = z
  .object({
    ...HypothesisBase,
    kind: z.literal('model'),
    formula: z.string().min(3),
    /** glm / glmm take `family` and R's cbind(successes, failures) and offset() syntax. */
    estimator: z.enum(['ols', 'lmm', 'glm', 'glmm']).default('ols'),
    family: z.enum(['binomial', 'poisson']).optional(),
    /** GLMM: points of adaptive Gauss-Hermite quadrature (1: Laplace). */
    nAGQ: z.number().int().min(1).max(25).default(1),
    /**
     * Terms whose tests are the hypothesis and form its part of the correction family (others are
     * context). The intercept is never in a family unless named here (a level test).
     */
    terms: z.array(z.string()).min(1).optional(),
    level: z.enum(['run', 'agent']).default('run'),
    /** `mixed`: only runs in which both instructed and uninstructed agents took part (0 < dose < N). */
    runs: z.enum(['all', 'mixed']).default('all'),
    reml: z.boolean().default(true),
    /**
     * Test the terms against this value instead of 0: on the response scale for a GLM(M) (a rate,
     * e.g. 0.84, compared on the link scale), on the coefficient scale otherwise.
     */
    against: z.number().optional(),
    alternative: z.enum(['two-sided', 'greater', 'less']).default('two-sided'),
  })
  .strict();

/**
 * A manipulation check: did the agents who received the dosed intervention behave differently from
 * the others on a declared agent-level metric, within runs where both kinds of agent share a
 * conversation (an LMM with a run effect)? A failed check flags every result it qualifies.
 */
export const ManipulationCheckSchema = z
  .object({
    ...HypothesisBase,
    kind: z.literal('manipulation-check'),
    /** The expected direction of instructed minus uninstructed agents. */
    direction: z.enum(['greater', 'less']),
    /** Hypothesis ids the check qualifies (default: every hypothesis of the study). */
    qualifies: z.array(z.string()).optional(),
    confirmatory: z.boolean().default(false),
  })
  .strict();

/** Pearson r between per-language effects (g high vs low) and a cultural covariate. */
export const CovariateCorrelationHypothesisSchema = z
  .object({
    ...HypothesisBase,
    kind: z.literal('covariate-correlation'),
    high: z.number().int().min(0),
    low: z.number().int().min(0),
    covariate: CovariateNameSchema,
  })
  .strict();

/** Number of languages whose effect (g high vs low) is positive / negative / significant. */
export const DirectionCountHypothesisSchema = z
  .object({
    ...HypothesisBase,
    kind: z.literal('direction-count'),
    high: z.number().int().min(0),
    low: z.number().int().min(0),
    /**
     * Which p decides "significant" in the counts: each language's own p (default, as the paper
     * counts), or p adjusted over the languages of this count (Holm or BH).
     */
    significance: z.enum(['unadjusted', 'holm', 'bh']).default('unadjusted'),
  })
  .strict();

export const HypothesisSchema = z.discriminatedUnion('kind', [
  ContrastHypothesisSchema,
  TrendHypothesisSchema,
  ModelHypothesisSchema,
  CovariateCorrelationHypothesisSchema,
  DirectionCountHypothesisSchema,
  ManipulationCheckSchema,
]);
export type Hypothesis = z.infer<typeof HypothesisSchema>;

/**
 * How a model is called. None of these change what a model is asked, so none of them is part of a
 * cache key; `providerOptions` that change the output are validated by the adapter.
 */
export const ModelOptionsSchema = z
  .object({
    /** Allow one cell's calls to be answered by different model versions (refused by default). */
    allowMixedVersions: z.boolean().default(false),
    /** Compare resolved versions by model name only, ignoring system fingerprints. */
    driftGranularity: z.enum(['version', 'model']).default('version'),
    baseUrl: z.string().url().optional(),
    apiKeyVariable: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    timeoutMs: z.number().int().min(1_000).optional(),
    maxConcurrency: z.number().int().min(1).max(4096).optional(),
    requestsPerMinute: z.number().positive().optional(),
    tokensPerMinute: z.number().positive().optional(),
    providerOptions: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ModelOptions = z.infer<typeof ModelOptionsSchema>;

export const StudySchema = z
  .object({
    /** Format version of the study file. */
    backfire: z.literal(1).default(1),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and -'),
    title: z.string().min(1),
    description: z.string().optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    languages: z.array(LanguageTagSchema).min(1),
    /** Group size N. */
    agents: z.number().int().min(2).max(40).default(10),
    /** Scenario turns T (at most the scenario's length). */
    turns: z.number().int().min(1).max(60).default(15),
    design: z
      .object({
        /** The manipulated factor: how many of the N agents receive `intervention`. */
        dose: z
          .object({
            variable: IdentifierSchema.default('k'),
            intervention: z.string().min(1),
            levels: z.array(z.number().int().min(0)).min(1),
          })
          .strict(),
        /** Interventions every agent receives, on top of the dose (e.g. Study 3's alignment). */
        background: z.array(z.string().min(1)).default([]),
        /** Which agents receive the dose: a seeded random subset per run, or the first k personas. */
        placement: z.enum(['random', 'first']).default('random'),
      })
      .strict(),
    replicates: z.number().int().min(1).max(10_000),
    models: z.array(z.string().min(1)).min(1).default(['surrogate']),
    sampling: z
      .object({
        temperature: z.number().min(0).max(2).default(0.9),
        maxTokens: z.number().int().min(16).max(32_768).default(768),
        topP: z.number().gt(0).max(1).optional(),
      })
      .strict()
      .default({ temperature: 0.9, maxTokens: 768 }),
    /** Memory policy: full history (null) or the last `window` turns of observations. */
    memory: z
      .object({ window: z.number().int().min(1).nullable().default(null) })
      .strict()
      .default({ window: null }),
    /** Turn policy: agents act one after another in a seeded order (each sees earlier speech of the turn). */
    turnPolicy: z.enum(['sequential-shuffled', 'sequential-fixed', 'simultaneous']).default('sequential-shuffled'),
    metrics: z
      .object({
        /** Lexicon hits per action (default; robust to unequal action counts) or raw counts. */
        normalization: z.enum(['per-action', 'raw']).default('per-action'),
        /** Which channels' text is scored for lexicon hits. */
        scoredChannels: z
          .array(z.enum(['talk', 'whisper', 'monologue']))
          .min(1)
          .default(['talk', 'whisper', 'monologue']),
      })
      .strict()
      .default({ normalization: 'per-action', scoredChannels: ['talk', 'whisper', 'monologue'] }),
    exclusions: z
      .object({
        /** Exclude a run whose share of unparsable or failed calls exceeds this. */
        maxFailedActionShare: z.number().min(0).max(1).default(0.5),
        /**
         * Exclude a run whose share of actions detected in the intended language is below this
         * (null: report the share, exclude nothing).
         */
        minIntendedLanguageShare: z.number().min(0).max(1).nullable().default(null),
      })
      .strict()
      .default({ maxFailedActionShare: 0.5, minIntendedLanguageShare: null }),
    analysis: z
      .object({
        correction: z.enum(['holm', 'bh', 'none']).default('holm'),
        ciLevel: z.number().gt(0).lt(1).default(0.95),
        hypotheses: z.array(HypothesisSchema).min(1),
      })
      .strict(),
    /**
     * The scale CPI and DI components are z-scored on. Absent or `pooled`: the study's pooled
     * non-excluded runs (the paper's choice; scales then differ between studies, so Study 1 and
     * Study 2 CPI values are not comparable). `arm`: the runs of one reference arm (a dose, and
     * optionally a language and a model). `norms`: stored means and SDs (e.g. from an earlier study).
     */
    indices: z
      .object({
        reference: z.union([
          z.literal('pooled'),
          z
            .object({
              arm: z
                .object({
                  dose: z.number().int().min(0),
                  language: LanguageTagSchema.optional(),
                  model: z.string().optional(),
                })
                .strict(),
            })
            .strict(),
          z
            .object({
              norms: z
                .object({
                  monologueRatio: z.object({ mean: z.number(), sd: z.number().positive() }).strict(),
                  sexual: z.object({ mean: z.number(), sd: z.number().positive() }).strict(),
                  protective: z.object({ mean: z.number(), sd: z.number().positive() }).strict(),
                })
                .strict(),
            })
            .strict(),
        ]),
      })
      .strict()
      .optional(),
    /** Cultural covariates overriding the packs' values, per language. */
    covariates: z.record(LanguageTagSchema, z.record(CovariateNameSchema, z.number())).default({}),
    surrogate: z
      .object({
        /** Overrides of the surrogate's default parameters for this study. */
        parameters: SurrogateParameterOverridesSchema.default({}),
        /**
         * Named surrogate variants, usable as models `surrogate:<name>` (e.g. to exercise a model
         * factor offline, as Study 4 does). Each applies its overrides on top of `parameters`.
         */
        variants: z.record(z.string().regex(/^[a-z0-9][a-z0-9.-]*$/), SurrogateParameterOverridesSchema).default({}),
      })
      .strict()
      .default({ parameters: {}, variants: {} }),
    budget: z.object({ usd: z.number().positive() }).strict().optional(),
    /** Settings per model reference (keys are entries of `models`). */
    modelOptions: z.record(z.string(), ModelOptionsSchema).default({}),
  })
  .strict();

export type StudyInput = z.input<typeof StudySchema>;
export type Study = z.infer<typeof StudySchema>;

/** One cell of the design: a language x dose level x model. */
export const CellSchema = z
  .object({
    id: z.string(),
    language: LanguageTagSchema,
    dose: z.number().int().min(0),
    model: z.string(),
  })
  .strict();
export type Cell = z.infer<typeof CellSchema>;

/** One planned simulation run. */
export const RunPlanSchema = z
  .object({
    id: z.string(),
    cell: CellSchema,
    replicate: z.number().int().min(0),
    /** Seed of this run, derived from the study seed, cell and replicate. */
    seed: z.number().int().min(0),
    /** Position in the interleaved schedule. */
    order: z.number().int().min(0),
  })
  .strict();
export type RunPlan = z.infer<typeof RunPlanSchema>;
