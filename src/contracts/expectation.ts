import { z } from 'zod';

/**
 * The surrogate's expectation for a study design: what the planned tests give on average over many
 * seeded simulations of the design on the surrogate, and how often they reject (the design's power
 * against the surrogate's planted effects). `backfire power --write-expectation` and
 * scripts/calibrate-surrogate.ts write it; `analyze` copies it into `results.json` when its key
 * matches the run's design, so the report can show it beside each observed effect without simulating.
 * It is an assumption-driven reference, never a finding about any language model.
 */

export const EXPECTATION_LABEL =
  "Surrogate expectation: the mean and spread of each estimate over seeded simulations of this design on the built-in surrogate, and the share of them in which the test rejects (power against the surrogate's planted effects). It describes the surrogate's assumptions, not any language model.";

export const ExpectationQuantilesSchema = z
  .object({ q05: z.number(), q25: z.number(), q50: z.number(), q75: z.number(), q95: z.number() })
  .strict();
export type ExpectationQuantiles = z.infer<typeof ExpectationQuantilesSchema>;

export const ExpectationRowSchema = z
  .object({
    hypothesis: z.string(),
    /** The row label as the analysis writes it (a language, a term, "pooled"). */
    label: z.string(),
    quantity: z.string(),
    /** True: power counts the multiplicity-adjusted p (a confirmatory test); false: the raw p. */
    adjusted: z.boolean(),
    simulations: z.number().int().min(0),
    /** Simulations in which the row had no p (counted as not rejecting). */
    failed: z.number().int().min(0),
    meanEstimate: z.number().nullable(),
    sdEstimate: z.number().nullable(),
    /** Monte-Carlo standard error of the mean estimate. */
    estimateMcse: z.number().nullable(),
    quantiles: ExpectationQuantilesSchema.nullable(),
    /** Share of simulations with p < alpha. */
    power: z.number().min(0).max(1),
    powerMcse: z.number().min(0),
  })
  .strict();
export type ExpectationRow = z.infer<typeof ExpectationRowSchema>;

export const SurrogateExpectationSchema = z
  .object({
    formatVersion: z.literal(1),
    label: z.string(),
    /** SHA-256 over canonical JSON of `keyInputs`' full counterparts (see src/runner/expectation.ts). */
    key: z.string(),
    /** Readable summary of what the key covers (the hash covers the full design and parameters). */
    keyInputs: z
      .object({
        study: z.string(),
        replicates: z.number().int(),
        surrogateParametersVersion: z.string(),
        lexiconVersions: z.record(z.string(), z.string()),
        packVersions: z.record(z.string(), z.string()),
        /** SHA-256 of each pack's canonical JSON, as the run manifest records it. */
        packHashes: z.record(z.string(), z.string()),
        indexVersions: z.record(z.string(), z.string()),
      })
      .strict(),
    simulations: z.number().int().min(1),
    /** Base seed: simulation i uses deriveSeed(seed, 'power-simulation', i). */
    seed: z.number().int(),
    alpha: z.number(),
    correction: z.string(),
    rows: z.array(ExpectationRowSchema),
  })
  .strict();
export type SurrogateExpectation = z.infer<typeof SurrogateExpectationSchema>;

/** What `analyze` found for the run's design: a matching expectation, or none and how to make one. */
export const ResultsExpectationSchema = z
  .object({
    status: z.enum(['matched', 'none']),
    /** The run design's key. */
    key: z.string(),
    /** Where the matching expectation came from (a path relative to its expectations folder's parent), or null. */
    source: z.string().nullable(),
    expectation: SurrogateExpectationSchema.nullable(),
    /** One line for the report: what is shown, or why nothing is and how to get it. */
    message: z.string(),
  })
  .strict();
export type ResultsExpectation = z.infer<typeof ResultsExpectationSchema>;
