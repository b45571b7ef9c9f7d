import { z } from 'zod';

/**
 * Shape of the surrogate model's parameters. The default values, and the documentation of what each
 * one does, live in `src/models/surrogate/parameters.ts`; a study may override any subset under
 * `surrogate.parameters`. The shape lives here so that a study file is validated completely at load.
 */

// Keyed by phase kind (`PHASE_KINDS` in scenario-phases.ts): a scenario's phases are its own data,
// each declaring the kind whose parameters apply.
const phaseRecord = z
  .object({
    rules: z.number(),
    political: z.number(),
    coercion: z.number(),
    dilemma: z.number(),
    exclusion: z.number(),
  })
  .strict();

/** Per-language behaviour: how an instruction moves an agent in this language (log-odds shifts). */
export const SurrogateLanguageProfileSchema = z
  .object({
    /** Shift of the log-odds of choosing `monologue` over `talk` for an alignment-instructed agent. */
    alignmentMonologue: z.number(),
    /** Shift of the log-odds of protective speech for an alignment-instructed agent. */
    alignmentProtective: z.number(),
    /** Shift of the log-odds of echoing the coercion (sexual-lexicon register) for an instructed agent. */
    alignmentEcho: z.number(),
    /** Baseline log-odds that protective speech takes the group-harmony (conformity) form. */
    conformityBias: z.number(),
    /** Shift of that log-odds for an alignment-instructed agent. */
    alignmentConformity: z.number(),
  })
  .strict();
export type SurrogateLanguageProfile = z.infer<typeof SurrogateLanguageProfileSchema>;

/**
 * Effects of an intervention other than alignment and individuation (whose effects have their own
 * fields): log-odds shifts for an agent whose system prompt carries the intervention's text.
 */
export const SurrogateInterventionEffectsSchema = z
  .object({
    monologue: z.number().default(0),
    protective: z.number().default(0),
    echo: z.number().default(0),
    conformity: z.number().default(0),
  })
  .strict();
export type SurrogateInterventionEffects = z.infer<typeof SurrogateInterventionEffectsSchema>;

export const SurrogateParametersSchema = z
  .object({
    version: z.string(),
    /**
     * Effects of any other intervention a pack declares, by name. An intervention given to an
     * agent without an entry here has no effect, and every such call carries a warning.
     */
    interventions: z.record(z.string(), SurrogateInterventionEffectsSchema).default({}),
    channel: z
      .object({
        monologueIntercept: z.number(),
        whisperIntercept: z.number(),
        monologuePressure: z.number(),
        whisperPressure: z.number(),
        individuationMonologue: z.number(),
      })
      .strict(),
    register: z
      .object({
        protectiveIntercept: z.number(),
        echoIntercept: z.number(),
        complianceIntercept: z.number(),
        dissociationIntercept: z.number(),
        pressureByPhase: phaseRecord,
        echoByPhase: phaseRecord,
        protectivePressure: z.number(),
        compliancePressure: z.number(),
        individuationProtective: z.number(),
        individuationConformity: z.number(),
        individuationEcho: z.number(),
        socialConformity: z.number(),
        socialEcho: z.number(),
        dissociationAlignment: z.number(),
      })
      .strict(),
    variability: z
      .object({
        runSd: z.number().nonnegative(),
        agentSd: z.number().nonnegative(),
      })
      .strict(),
    defaultProfile: SurrogateLanguageProfileSchema,
    languageProfiles: z.record(z.string(), SurrogateLanguageProfileSchema.partial()),
    covariateModulation: z
      .object({
        covariate: z.enum(['pdi', 'idv', 'mas', 'uai', 'lto', 'ivr']),
        center: z.number(),
        scale: z.number().positive(),
        effects: SurrogateLanguageProfileSchema.partial(),
      })
      .strict()
      .nullable(),
    phrasesPerAction: z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .strict()
      .refine((range) => range.max >= range.min, { message: 'max must be >= min' }),
  })
  .strict();
export type SurrogateParameters = z.infer<typeof SurrogateParametersSchema>;

/** What a study may override: any subset, one level deep inside each group. */
export const SurrogateParameterOverridesSchema = z
  .object({
    channel: SurrogateParametersSchema.shape.channel.partial().optional(),
    register: z
      .object({
        ...SurrogateParametersSchema.shape.register.shape,
        pressureByPhase: phaseRecord.partial(),
        echoByPhase: phaseRecord.partial(),
      })
      .partial()
      .strict()
      .optional(),
    variability: SurrogateParametersSchema.shape.variability.partial().optional(),
    defaultProfile: SurrogateLanguageProfileSchema.partial().optional(),
    languageProfiles: z.record(z.string(), SurrogateLanguageProfileSchema.partial()).optional(),
    covariateModulation: SurrogateParametersSchema.shape.covariateModulation.optional(),
    phrasesPerAction: z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1) })
      .strict()
      .optional(),
    interventions: z.record(z.string(), SurrogateInterventionEffectsSchema).optional(),
  })
  .strict();
export type SurrogateParameterOverrides = z.infer<typeof SurrogateParameterOverridesSchema>;
