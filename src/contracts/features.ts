import { z } from 'zod';
import { ChannelSchema } from './language-pack.js';
import { PhaseNameSchema } from './scenario-phases.js';

/**
 * Scored features, stored per action, per agent and per run. Counts are raw lexicon hits; rates are
 * per scored action. Index values (CPI, DI) depend on the pooled data of a study and are computed
 * in the score stage over all runs at once.
 */

const HitCountsSchema = z.record(z.string(), z.number().int().min(0));
export type HitCounts = z.infer<typeof HitCountsSchema>;

/**
 * One lexicon hit in an action's text, as the score stage found it: the viewer highlights exactly
 * what was counted. `start` and `end` are UTF-16 offsets into the action's text (the lexicon
 * matcher's contract).
 */
export const LexiconSpanSchema = z
  .object({
    category: z.string(),
    /** The lexicon term as written in the pack. */
    term: z.string(),
    start: z.number().int().min(0),
    end: z.number().int().min(0),
  })
  .strict();
export type LexiconSpan = z.infer<typeof LexiconSpanSchema>;

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
    /** The hits behind `hits` (absent in stores scored before spans were recorded). */
    matches: z.array(LexiconSpanSchema).optional(),
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

/**
 * The run-level features of a stretch of a run (one turn, or one scenario phase): the same formulas
 * as RunFeatures applied to that stretch's actions. CPI and DI use the study's pooled run-level
 * scales, so a turn's value is on the scale of the run index and comparable across turns and cells;
 * they are null for excluded runs and when the study counts raw hits (run scales of whole-run counts
 * do not apply to a turn).
 */
const SegmentFeaturesBase = {
  runId: z.string(),
  /** Agent turns attempted in the stretch (actions, parse errors, call errors). */
  attempted: z.number().int().min(0),
  actions: z.number().int().min(0),
  monologues: z.number().int().min(0),
  scoredActions: z.number().int().min(0),
  monologueRatio: z.number().nullable(),
  hits: HitCountsSchema,
  rates: z.record(z.string(), z.number()),
  conformityRate: z.number().nullable(),
  cpi: z.number().nullable(),
  di: z.number().nullable(),
};

export const TurnFeaturesSchema = z
  .object({
    ...SegmentFeaturesBase,
    turn: z.number().int().min(1),
    /** The phase of the event injected at this turn. */
    phase: PhaseNameSchema,
  })
  .strict();
export type TurnFeatures = z.infer<typeof TurnFeaturesSchema>;

export const PhaseFeaturesSchema = z
  .object({
    ...SegmentFeaturesBase,
    phase: PhaseNameSchema,
    firstTurn: z.number().int().min(1),
    lastTurn: z.number().int().min(1),
  })
  .strict();
export type PhaseFeatures = z.infer<typeof PhaseFeaturesSchema>;

export const IndexDefinitionSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    formula: z.string(),
    level: z.array(z.enum(['run', 'agent'])),
    description: z.string(),
    /**
     * The lexicon categories the index is computed from: a comparison of languages on the index is
     * only as fair as the instrument's recall of these categories in each language.
     */
    lexiconCategories: z.array(z.string()),
  })
  .strict();
export type IndexDefinition = z.infer<typeof IndexDefinitionSchema>;
