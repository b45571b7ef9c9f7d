import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../contracts/index.js';
import { loadStudyFile } from '../runner/index.js';
import { RunStore } from '../store/index.js';
import { createStudyModels } from './model-factory.js';
import { SIMULATION_THREADS_VARIABLE, simulationThreadsFor } from './simulation-threads.js';

describe('simulationThreadsFor', () => {
  const demo = loadStudyFile('studies/demo.yaml');

  it('keeps small studies, mocks and a forced 0 in process, and refuses a bad count', () => {
    expect(simulationThreadsFor(demo, {})).toBeUndefined();
    expect(simulationThreadsFor(demo, { [SIMULATION_THREADS_VARIABLE]: '0' })).toBeUndefined();
    expect(simulationThreadsFor(demo, { [SIMULATION_THREADS_VARIABLE]: '1' })).toBeDefined();
    const mocked = { ...demo, study: { ...demo.study, models: ['mock:cycle'] } };
    expect(simulationThreadsFor(mocked, { [SIMULATION_THREADS_VARIABLE]: '1' })).toBeUndefined();
    expect(() => simulationThreadsFor(demo, { [SIMULATION_THREADS_VARIABLE]: 'many' })).toThrow(UserInputError);
  });

  it('ends every thread and rethrows when a commit fails, keeping the whole turns committed before', async () => {
    const simulate = simulationThreadsFor(demo, { [SIMULATION_THREADS_VARIABLE]: '1' })!;
    const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'backfire-threads-fail-')), 'store.sqlite'), {
      create: true,
    });
    let commits = 0;
    const failing = new Proxy(store, {
      get(target, property) {
        if (property === 'commitTurns') {
          return (turns: Parameters<RunStore['commitTurns']>[0]) => {
            commits += 1;
            if (commits > 3) throw new Error('the disk caught fire');
            target.commitTurns(turns);
          };
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const models = await createStudyModels(demo);
    try {
      await expect(
        simulate({ study: demo.study, packs: demo.packs, store: failing, models: models.models }),
      ).rejects.toThrow('the disk caught fire');
      // Each run's stored progress is its stored turns: nothing half-written.
      for (const run of store.listRuns()) {
        const events = store.loadEvents(run.runId);
        expect(events.filter((event) => event.type === 'turn-end').length).toBe(run.turnsCompleted);
      }
      expect(store.listRuns().some((run) => run.turnsCompleted > 0)).toBe(true);
    } finally {
      await models.close();
      store.close();
    }
  });
});
