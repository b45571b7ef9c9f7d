import { z } from 'zod';

/**
 * `bundle.json`, the manifest of a replication bundle (`backfire bundle`): what the archive holds,
 * with the size and SHA-256 of every member, so a changed, missing or extra file is detected before
 * anything is read. A reader checks `format` and `formatVersion` first (a newer bundle is refused
 * with its own message), then this schema. The hash of `bundle.json` itself identifies the bundle.
 */

export const BUNDLE_FORMAT = 'backfire-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

export const BundleMemberSchema = z
  .object({
    /** Path inside the bundle's top folder, `/`-separated. */
    path: z.string().min(1),
    bytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type BundleMember = z.infer<typeof BundleMemberSchema>;

export const BundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.number().int().min(1),
    createdAt: z.string(),
    createdWith: z
      .object({
        tool: z.string(),
        version: z.string(),
        node: z.string(),
        platform: z.string(),
        git: z.object({ commit: z.string(), dirty: z.boolean() }).strict().nullable(),
      })
      .strict(),
    study: z.object({ name: z.string(), title: z.string(), hash: z.string() }).strict(),
    /** Lock hash when the run was preregistered. */
    preregistration: z
      .object({ lockHash: z.string(), deviations: z.number().int().min(0) })
      .strict()
      .nullable(),
    counts: z
      .object({ runs: z.number().int().min(0), events: z.number().int().min(0), calls: z.number().int().min(0) })
      .strict(),
    /** SHA-256 of the bundled results.json: what `reproduce` must arrive at, byte for byte. */
    resultsSha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Languages whose simulation used other pack files than the scoring (`packs-simulation/`). */
    simulationPacksDiffer: z.array(z.string()),
    members: z.array(BundleMemberSchema).min(1),
  })
  .strict();
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** One row of the store's runs table, as bundled in `data/runs.jsonl`. */
export const BundledRunSchema = z
  .object({
    runId: z.string(),
    cellId: z.string(),
    language: z.string(),
    model: z.string(),
    dose: z.number().int(),
    replicate: z.number().int(),
    seed: z.number().int(),
    order: z.number().int(),
    status: z.enum(['pending', 'running', 'completed', 'stopped', 'failed']),
    turnsCompleted: z.number().int().min(0),
  })
  .strict();
export type BundledRun = z.infer<typeof BundledRunSchema>;
