import { z } from 'zod';
import { PreregistrationRecordSchema } from './preregistration.js';

/** The run manifest: everything needed to say what produced a run folder's data. */
export const MANIFEST_FORMAT_VERSION = 1;

export const ManifestSchema = z
  .object({
    formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
    tool: z.object({ name: z.literal('backfire'), version: z.string() }).strict(),
    git: z.object({ commit: z.string(), dirty: z.boolean() }).strict().nullable(),
    node: z.string(),
    packages: z.record(z.string(), z.string()),
    studyFile: z.string(),
    studyHash: z.string(),
    study: z.unknown(),
    languagePacks: z.array(
      z
        .object({
          tag: z.string(),
          version: z.string(),
          lexiconVersion: z.string(),
          reviewStatus: z.string(),
          /** Content hashes of the resolved pack and its lexicon (see the preregistration lock). */
          packHash: z.string().optional(),
          lexiconHash: z.string().optional(),
        })
        .strict(),
    ),
    models: z.array(
      z
        .object({
          ref: z.string(),
          surrogate: z.boolean(),
          resolvedVersions: z.array(z.string()),
          warnings: z.array(z.string()),
        })
        .strict(),
    ),
    seed: z.number().int(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    status: z.enum(['running', 'completed', 'failed', 'stopped']),
    sessions: z.number().int().min(1),
    /** Present when the run was made with `--prereg <lock>`: the lock and every deviation from it. */
    preregistration: PreregistrationRecordSchema.optional(),
  })
  .strict();
export type Manifest = z.infer<typeof ManifestSchema>;
