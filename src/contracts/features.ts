import { z } from 'zod';
import { ChannelSchema } from './language-pack.js';

/**
 * Scored features, stored per action, per agent and per run. Counts are raw lexicon hits; rates are
 * per scored action. Index values (CPI, DI) depend on the pooled data of a study and are computed
 * in the score stage over all runs at once.
 */

const HitCountsSchema = z.record(z.string(), z.number().int().min(0));
export type HitCounts = z.infer<typeof HitCountsSchema>;

export const ActionFeaturesSchema = z
  .object({
    runId: z.string(),
    seq: z.number().int(),
    turn: z.number().int(),
    agent: z.string(),
    channel: ChannelSchema,
    words: z.number().int().min(0),
    hits: HitCountsSchema,
    /** ISO 639-3 code the detector assigned, or "und" when the text is too short to tell. */
    detectedLanguage: z.string(),
  })
  .strict();
export type ActionFeatures = z.infer<typeof ActionFeaturesSchema>;

export const AgentFeaturesSchema = z
  .object({
    runId: z.string(),
    agent: z.string(),
    language: z.string(),
    dose: z.number().int(),
    /** The interventions this agent received ("" joined = none). */
    interventions: z.array(z.string()),
    actions: z.number().int().min(0),
    monologues: z.number().int().min(0),
    monologueRatio: z.number().nullable(),
    /** Share of this agent's actions detected in the intended language (null: none long enough). */
    intendedLanguageShare: z.number().nullable(),
    hits: HitCountsSchema,
    rates: z.record(z.string(), z.number()),
    conformityRate: z.number().nullable(),
    di: z.number().nullable(),
  })
  .strict();
export type AgentFeatures = z.infer<typeof AgentFeaturesSchema>;

export const RunFeaturesSchema = z
  .object({
    runId: z.string(),
    cellId: z.string(),
    language: z.string(),
    model: z.string(),
    dose: z.number().int(),
    replicate: z.number().int(),
    /** Agent turns attempted (N x T). */
    attempted: z.number().int().min(0),
    actions: z.number().int().min(0),
    parseErrors: z.number().int().min(0),
    callErrors: z.number().int().min(0),
    /** Share of actions the detector assigned to the intended language (null when none were long enough). */
    intendedLanguageShare: z.number().nullable(),
    monologueRatio: z.number().nullable(),
    hits: HitCountsSchema,
    rates: z.record(z.string(), z.number()),
    conformityRate: z.number().nullable(),
    cpi: z.number().nullable(),
    di: z.number().nullable(),
    excluded: z.boolean(),
    exclusionReason: z.string().nullable(),
  })
  .strict();
export type RunFeatures = z.infer<typeof RunFeaturesSchema>;

export const IndexDefinitionSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    formula: z.string(),
    level: z.array(z.enum(['run', 'agent'])),
    description: z.string(),
  })
  .strict();
export type IndexDefinition = z.infer<typeof IndexDefinitionSchema>;
