import { type LoadedStudy, planStudy, runSpecFor, serveSimulationThread } from '../runner/index.js';
import { createStudyModels } from './model-factory.js';

/**
 * The module a simulation thread runs (`simulateStudyInThreads`, started by simulation-threads.ts):
 * the study's models built by the same factory as in process (no store: the surrogate is never
 * cached or replayed), and each run's spec as the in-process scheduler makes it.
 */
await serveSimulationThread(async (setup) => {
  const loaded = setup as LoadedStudy;
  const models = await createStudyModels(loaded);
  const runs = new Map(planStudy(loaded.study).runs.map((run) => [run.id, run]));
  return {
    specFor(runId) {
      const run = runs.get(runId);
      const pack = run === undefined ? undefined : loaded.packs.get(run.cell.language);
      const model = run === undefined ? undefined : models.models.get(run.cell.model);
      if (run === undefined || pack === undefined || model === undefined) {
        throw new Error(`run ${runId} is not a run of study ${loaded.study.name} with a model built in this thread`);
      }
      return runSpecFor(loaded.study, run, pack, model);
    },
    close: () => models.close(),
  };
});
