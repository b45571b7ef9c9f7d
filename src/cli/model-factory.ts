import type { Manifest, ModelOptions } from '../contracts/index.js';
import { type ChatModel, type ComposedModel, createModel, DriftGuard, UsageMeter } from '../models/index.js';
import { createBuiltinModel, type LoadedStudy } from '../runner/index.js';
import type { RunStore } from '../store/index.js';

/**
 * Builds the models a study names, every one through `createModel` (`src/models/compose.ts`), the
 * one place a model's wrapper stack is put together. Built-in models come from
 * `createBuiltinModel` (the surrogate gets the packs, the study's parameter overrides, the covariates
 * and the lexicon matcher through which it "hears" the group) and get the stack's drift guard and
 * usage meter; network and local models also get the store's response cache, or replay. One usage
 * meter serves the study (cost per call, run, cell; the budget); each model has its drift guard.
 */

export interface StudyModelOptions {
  /** The run folder's store: response cache, and the versions seen before a resume. */
  store?: RunStore | undefined;
  noCache?: boolean | undefined;
  /** Answer every call from this store's recorded calls (zero network traffic). */
  replayFrom?: RunStore | undefined;
  /** Spend still allowed (the study's budget minus what earlier sessions spent). */
  remainingBudgetUsd?: number | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

export interface StudyModels {
  models: Map<string, ChatModel>;
  meter: UsageMeter;
  /** What the manifest records per model (resolved versions are filled in after the run). */
  describe(): Manifest['models'];
  close(): Promise<void>;
}

export async function createStudyModels(loaded: LoadedStudy, options: StudyModelOptions = {}): Promise<StudyModels> {
  const meter = new UsageMeter({
    cellOf: (call) => call.metadata.cellId,
    budgetUsd: options.remainingBudgetUsd,
  });
  const models = new Map<string, ChatModel>();
  const composed = new Map<string, ComposedModel>();
  const guards = new Map<string, DriftGuard>();
  const storedVersions = storedVersionsByModel(options.store);
  try {
    for (const ref of loaded.study.models) {
      const modelOptions: ModelOptions = loaded.study.modelOptions[ref] ?? {
        allowMixedVersions: false,
        driftGranularity: 'version',
      };
      const guard = new DriftGuard({
        allowMixedVersions: modelOptions.allowMixedVersions,
        granularity: modelOptions.driftGranularity,
        cellOf: (call) => call.metadata.cellId,
      });
      for (const { cellId, version } of storedVersions.get(ref) ?? []) guard.preload(ref, cellId, version);
      const store = options.store;
      const model = await createModel(ref, {
        env: options.env ?? process.env,
        resolveBuiltin: (builtinRef) => createBuiltinModel(builtinRef, loaded),
        baseUrl: modelOptions.baseUrl,
        apiKeyVariable: modelOptions.apiKeyVariable,
        providerOptions: modelOptions.providerOptions,
        timeoutMs: modelOptions.timeoutMs,
        concurrency: {
          maxConcurrency: modelOptions.maxConcurrency,
          requestsPerMinute: modelOptions.requestsPerMinute,
          tokensPerMinute: modelOptions.tokensPerMinute,
        },
        cache:
          store === undefined
            ? undefined
            : {
                get: (key) => {
                  const body = store.cacheGet(key);
                  return body === undefined ? undefined : JSON.parse(body);
                },
                put: (key, value) => store.cachePut(key, JSON.stringify(value)),
              },
        noCache: options.noCache,
        replay:
          options.replayFrom === undefined ? undefined : { callsFor: (hash) => options.replayFrom!.callsFor(hash) },
        meter,
        driftGuard: guard,
      });
      models.set(ref, model);
      composed.set(ref, model);
      guards.set(ref, guard);
    }
  } catch (error) {
    await Promise.all([...models.values()].map((model) => model.close?.()));
    throw error;
  }
  return {
    models,
    meter,
    describe: () =>
      loaded.study.models.map((ref) => {
        const model = composed.get(ref);
        const drift = guards
          .get(ref)
          ?.report()
          .find((report) => report.model === ref);
        const driftNotes = (drift?.changes ?? []).map(
          (change) =>
            `model version changed from ${change.from} to ${change.to} (first seen in run ${change.runId}, turn ${change.turn}, agent ${change.agentId})`,
        );
        return {
          ref,
          surrogate: model?.surrogate === true,
          resolvedVersions: [],
          warnings: [...(model?.warnings ?? []), ...driftNotes],
        };
      }),
    close: async () => {
      await Promise.all([...models.values()].map((model) => model.close?.()));
    },
  };
}

/**
 * On resume, each drift guard must know which versions already answered each cell: the stored calls
 * are read once for all models (a surrogate study stores hundreds of thousands).
 */
function storedVersionsByModel(store: RunStore | undefined): Map<string, { cellId: string; version: string }[]> {
  const byModel = new Map<string, { cellId: string; version: string }[]>();
  if (store === undefined) return byModel;
  const cells = new Map(store.listRuns().map((run) => [run.runId, run]));
  if (cells.size === 0) return byModel;
  for (const call of store.loadCalls()) {
    const run = cells.get(call.runId);
    if (run === undefined || call.modelVersion === null || call.error !== null) continue;
    let versions = byModel.get(run.model);
    if (versions === undefined) {
      versions = [];
      byModel.set(run.model, versions);
    }
    versions.push({ cellId: run.cellId, version: call.modelVersion });
  }
  return byModel;
}
