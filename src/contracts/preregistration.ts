import { z } from 'zod';

/**
 * Preregistration: the lock `backfire prereg` writes before any data exist, the deviations a run
 * records when it departs from it, and what the results say about each planned hypothesis.
 *
 * The lock's `hash` is the SHA-256 of the canonical JSON of `content` (see canonical-json.ts), so
 * the same plan always gives the same hash; `lockedAt` and `createdWith` say when and by what the
 * lock was made and are outside the hash. Nested study and lexicon content is kept as written
 * (`unknown` here) and re-validated by the stage that reads it, so a lock made by an older backfire
 * still reads after the study schema gains a field.
 */

export const PREREG_LOCK_FORMAT = 'backfire-preregistration-lock';
export const PREREG_LOCK_FORMAT_VERSION = 1;

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

/** One language pack as locked: versions and content hashes, and the full lexicon. */
export const LockedPackSchema = z
  .object({
    version: z.string(),
    /** Hash of the whole resolved pack. */
    packHash: Sha256Schema,
    /** Hash of each top-level section of the pack (scenario, personas, prompts, lexicon, ...). */
    sections: z.record(z.string(), Sha256Schema),
    lexicon: z
      .object({
        version: z.string(),
        hash: Sha256Schema,
        /** The resolved lexicon itself, so a changed term is named, not only detected. */
        content: z.unknown(),
      })
      .strict(),
    /** The pack's lexicon validation set (gold items), by hash; null when the pack has none. */
    validation: z
      .object({ items: z.number().int().min(0), hash: Sha256Schema })
      .strict()
      .nullable(),
  })
  .strict();
export type LockedPack = z.infer<typeof LockedPackSchema>;

export const PreregContentSchema = z
  .object({
    /** The resolved study (every default written out), without execution settings (budget, modelOptions). */
    study: z.unknown(),
    studyHash: Sha256Schema,
    languagePacks: z.record(z.string(), LockedPackSchema),
    /** Every index the metrics registry computes: version and formula. */
    indices: z.record(z.string(), z.object({ version: z.string(), formula: z.string() }).strict()),
    estimators: z
      .object({
        /** Versions of the statistics engines that compute every estimate. */
        engines: z.record(z.string(), z.string()),
        /** The estimator each hypothesis is tested with. */
        hypotheses: z.record(z.string(), z.string()),
      })
      .strict(),
    seeds: z
      .object({
        derivation: z.string(),
        runs: z.number().int().min(0),
        /** Hash of every planned run's id and seed. */
        runSeedsHash: Sha256Schema,
      })
      .strict(),
  })
  .strict();
export type PreregContent = z.infer<typeof PreregContentSchema>;

export const PreregLockSchema = z
  .object({
    format: z.literal(PREREG_LOCK_FORMAT),
    formatVersion: z.number().int().min(1),
    lockedAt: z.string(),
    createdWith: z
      .object({
        tool: z.string(),
        version: z.string(),
        node: z.string(),
        git: z.object({ commit: z.string(), dirty: z.boolean() }).strict().nullable(),
      })
      .strict(),
    content: PreregContentSchema,
    hash: Sha256Schema,
  })
  .strict();
export type PreregLock = z.infer<typeof PreregLockSchema>;

/** One field that differs between the lock and what is being run. */
export const FieldChangeSchema = z
  .object({
    /** Dotted path, hypotheses by id: `study.replicates`, `study.analysis.hypotheses[H1].high`. */
    field: z.string(),
    preregistered: z.string(),
    observed: z.string(),
  })
  .strict();
export type FieldChange = z.infer<typeof FieldChangeSchema>;

export const DeviationPhaseSchema = z.enum(['before-data', 'after-data']);
export type DeviationPhase = z.infer<typeof DeviationPhaseSchema>;

export const DeviationSchema = z
  .object({
    /** D1, D2, ... in the order recorded. */
    id: z.string(),
    recordedAt: z.string(),
    /** The user's reason, as given to `--deviation`. */
    reason: z.string().min(1),
    /** Whether any data of this preregistration existed when the deviation was recorded. */
    phase: DeviationPhaseSchema,
    /** Where data existed (after-data only): run folders and how many runs they held. */
    dataSeen: z.array(z.string()),
    changes: z.array(FieldChangeSchema),
    /** Hypotheses this deviation moved to exploratory (a change to the analysis after data exist). */
    exploratory: z.array(z.string()),
  })
  .strict();
export type Deviation = z.infer<typeof DeviationSchema>;

/** What a run folder's manifest records about its preregistration. */
export const PreregistrationRecordSchema = z
  .object({
    lockHash: Sha256Schema,
    /** The lock file as given on the command line; a byte copy is kept in the run folder. */
    lockFile: z.string(),
    lockedAt: z.string(),
    deviations: z.array(DeviationSchema),
  })
  .strict();
export type PreregistrationRecord = z.infer<typeof PreregistrationRecordSchema>;

export const HYPOTHESIS_VERDICTS = [
  'confirmed',
  'partly-confirmed',
  'not-confirmed',
  'not-estimable',
  'exploratory',
  'descriptive',
  'not-analysed',
] as const;
export const HypothesisVerdictSchema = z.enum(HYPOTHESIS_VERDICTS);
export type HypothesisVerdict = z.infer<typeof HypothesisVerdictSchema>;

/** One planned (or added) hypothesis: what was planned, how it was analysed, what came out. */
export const PlannedVersusObservedSchema = z
  .object({
    id: z.string(),
    /** The preregistered test in words; null for a hypothesis added after the lock. */
    plannedTest: z.string().nullable(),
    plannedConfirmatory: z.boolean().nullable(),
    status: z.enum(['as-planned', 'changed', 'added', 'removed']),
    analysedAs: z.enum(['confirmatory', 'exploratory', 'not-analysed']),
    /** Tests in the correction family (confirmatory) or rows (exploratory), and how many rejected. */
    tests: z.number().int().min(0),
    significant: z.number().int().min(0),
    verdict: HypothesisVerdictSchema,
    /** Why the verdict is what it is (the deviation that demoted it, the rule applied). */
    note: z.string(),
  })
  .strict();
export type PlannedVersusObserved = z.infer<typeof PlannedVersusObservedSchema>;

/** The `preregistration` block of results.json. */
export const PreregistrationResultsSchema = z
  .object({
    lockHash: Sha256Schema,
    lockedAt: z.string(),
    /** The significance level verdicts use (adjusted p where the plan adjusts). */
    alpha: z.number(),
    hypotheses: z.array(PlannedVersusObservedSchema),
    deviations: z.array(DeviationSchema),
  })
  .strict();
export type PreregistrationResults = z.infer<typeof PreregistrationResultsSchema>;
