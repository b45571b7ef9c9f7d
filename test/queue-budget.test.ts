import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyPayload } from '../src/cli/queue-coordinator.js';
import { BudgetExceededError, UserInputError } from '../src/contracts/index.js';
import type { ChatModel } from '../src/models/index.js';
import { parseQueueUrl } from '../src/queue/index.js';
import { Coordinator, QueueWorker } from '../src/queue/runtime.js';
import { createBuiltinModel, loadStudyFile, planStudy, runSpecFor } from '../src/runner/index.js';
import { RunStore } from '../src/store/index.js';
import { REPO_ROOT, temporaryDirectory } from './support/cli.js';
import { startRedis, type TestRedis } from './support/redis.js';

/**
 * The budget of a distributed study is the coordinator's: workers price their calls, the
 * coordinator adds up what it commits and stops the study once the budget is spent, keeping every
 * committed turn. In one process (a coordinator and a worker over a real redis-server), with the
 * surrogate priced at 0.001 USD a call. And a study that every worker refuses (other packs, a
 * model it cannot build) stops with the workers' reason instead of waiting for ever.
 */

const PASSWORD = 'queue-budget-password-33';
const COST_PER_CALL = 0.001;
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis(PASSWORD);
});

afterAll(async () => {
  await redis?.stop();
});

describe('the budget of a study on the queue', () => {
  it('stops the study once the committed calls cost the budget, keeping what was committed', async () => {
    const loaded = loadStudyFile(join(REPO_ROOT, 'studies', 'demo.yaml'));
    const connection = parseQueueUrl(redis.url, { BACKFIRE_REDIS_PASSWORD: PASSWORD });
    const surrogate = createBuiltinModel('surrogate', loaded)!;
    const priced: ChatModel = {
      ref: surrogate.ref,
      surrogate: true,
      generate: async (request) => ({ ...(await surrogate.generate(request)), costUsd: COST_PER_CALL }),
    };
    const runs = new Map(planStudy(loaded.study).runs.map((run) => [run.id, run]));
    const worker = await QueueWorker.start({
      connection,
      settings: { concurrency: 2 },
      prepareStudy: async () => ({
        specFor: (runId) => {
          const run = runs.get(runId)!;
          return runSpecFor(loaded.study, run, loaded.packs.get(run.cell.language)!, priced);
        },
        close: async () => undefined,
      }),
      log: () => undefined,
    });
    const store = RunStore.open(join(temporaryDirectory('queue-budget'), 'store.sqlite'), { create: true });
    const coordinator = await Coordinator.start({ connection, payload: studyPayload(loaded), directory: 'budget' });
    const budgetUsd = 0.05;
    try {
      await expect(
        coordinator.simulate({
          store,
          runs: [...runs.values()],
          agents: loaded.study.agents,
          turns: loaded.study.turns,
          remainingBudgetUsd: budgetUsd,
        }),
      ).rejects.toThrow(BudgetExceededError);
      const spent = store.totalCostUsd();
      const turnCost = loaded.study.agents * COST_PER_CALL;
      // Stopped at the first commit that reached the budget: never a whole turn beyond it.
      expect(spent).toBeGreaterThanOrEqual(budgetUsd - 1e-9);
      expect(spent).toBeLessThan(budgetUsd + turnCost);
      const committedTurns = store.listRuns().reduce((total, run) => total + run.turnsCompleted, 0);
      expect(committedTurns * turnCost).toBeCloseTo(spent, 9);
      expect(committedTurns).toBeLessThan(runs.size * loaded.study.turns);
    } finally {
      await coordinator.close();
      await worker.close();
      store.close();
    }
  }, 60_000);
});

describe('workers that cannot take a study', () => {
  it('stop the study with what they say, instead of leaving it waiting', async () => {
    const loaded = loadStudyFile(join(REPO_ROOT, 'studies', 'demo.yaml'));
    const connection = parseQueueUrl(redis.url, { BACKFIRE_REDIS_PASSWORD: PASSWORD });
    const worker = await QueueWorker.start({
      connection,
      settings: { concurrency: 1 },
      prepareStudy: async () => {
        throw new UserInputError("this worker's language packs differ from the coordinator's (en)", {
          fix: 'install the same backfire version and packs on every host',
        });
      },
      log: () => undefined,
    });
    const store = RunStore.open(join(temporaryDirectory('queue-refused'), 'store.sqlite'), { create: true });
    const coordinator = await Coordinator.start({
      connection,
      payload: studyPayload(loaded),
      directory: 'refused',
      settings: { statusIntervalMs: 200, refusalGraceMs: 1_000 },
    });
    try {
      await expect(
        coordinator.simulate({
          store,
          runs: planStudy(loaded.study).runs,
          agents: loaded.study.agents,
          turns: loaded.study.turns,
        }),
      ).rejects.toThrow(
        /^every worker on redis:\/\/127\.0\.0\.1:\d+\/0 refuses this study; one says: study demo: .*packs differ.*fix: install the same/,
      );
      expect(store.listRuns().every((run) => run.turnsCompleted === 0)).toBe(true);
    } finally {
      await coordinator.close();
      await worker.close();
      store.close();
    }
  }, 60_000);
});
