import { hashCanonical, UserInputError } from '../contracts/index.js';
import { type CoordinatorSettings, loadQueueRuntime, parseQueueUrl, type StudyPayload } from '../queue/index.js';
import {
  type LoadedStudy,
  type PreparedModels,
  planStudy,
  type SimulateStudyOptions,
  type SimulationSummary,
  toolVersion,
} from '../runner/index.js';
import { isSurrogateRef } from '../models/index.js';

/**
 * `run --queue <url>`: this process becomes the study's coordinator. It checks the server and takes
 * the study's coordinator lock before anything is written, then stands in for the local scheduler
 * in the simulate stage: the workers call the models, the coordinator commits their turns.
 */

export interface QueueCoordination {
  /** The coordinator builds no model (the workers do); the manifest still lists the study's models. */
  prepareModels: () => Promise<PreparedModels>;
  simulate: (options: SimulateStudyOptions) => Promise<SimulationSummary>;
  close: () => Promise<void>;
}

/** How often a coordinator prints the queue's state (workers, throughput, runs in flight). */
const PROGRESS_LINE_INTERVAL_MS = 10_000;

/** What workers need of a study: the resolved study, and what they must match (packs, version). */
export function studyPayload(loaded: LoadedStudy): StudyPayload {
  return {
    studyHash: loaded.hash,
    study: loaded.study,
    packHashes: Object.fromEntries([...loaded.packs].map(([tag, pack]) => [tag, hashCanonical(pack)])),
    version: toolVersion(),
  };
}

export async function startQueueCoordination(
  loaded: LoadedStudy,
  directory: string,
  url: string,
  options: { quiet: boolean; replay: boolean; settings?: Partial<CoordinatorSettings> },
): Promise<QueueCoordination> {
  if (options.replay) {
    throw new UserInputError('--replay answers calls from a run folder on this host; it cannot go through a queue', {
      path: '--queue',
      fix: 'drop --queue to replay locally, or drop --replay',
    });
  }
  const connection = parseQueueUrl(url, process.env);
  const { Coordinator, formatProgressLine, probeQueue } = await loadQueueRuntime();
  await probeQueue(connection);
  const coordinator = await Coordinator.start({
    connection,
    payload: studyPayload(loaded),
    directory,
    settings: options.settings,
  });
  let lastLine = 0;
  return {
    prepareModels: async () => ({
      models: new Map(),
      describe: () =>
        loaded.study.models.map((ref) => ({
          ref,
          surrogate: isSurrogateRef(ref),
          resolvedVersions: [],
          warnings: [],
        })),
      close: async () => undefined,
    }),
    simulate: (simulateOptions) => {
      const budget = loaded.study.budget?.usd;
      return coordinator.simulate({
        store: simulateOptions.store,
        runs: planStudy(simulateOptions.study).runs,
        agents: simulateOptions.study.agents,
        turns: simulateOptions.study.turns,
        progress: simulateOptions.progress,
        shouldStop: simulateOptions.shouldStop,
        remainingBudgetUsd:
          budget === undefined ? undefined : Math.max(0, budget - simulateOptions.store.totalCostUsd()),
        onStatus: options.quiet
          ? undefined
          : (status, workers) => {
              if (Date.now() - lastLine < PROGRESS_LINE_INTERVAL_MS) return;
              lastLine = Date.now();
              process.stderr.write(`${formatProgressLine(status, workers)}\n`);
            },
        onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
      });
    },
    close: () => coordinator.close(),
  };
}
