import { describe, expect, it } from 'vitest';
import { sequenceModel, testRequest, testResult } from '../test-support.js';
import { DriftGuard, ModelVersionDriftError, withDriftGuard } from './drift-guard.js';

const cellByRun = ({ metadata }: { metadata: { runId: string } }) => metadata.runId.split('/')[0] ?? '';

describe('withDriftGuard', () => {
  it('reports a version change inside the study, with a warning on the first call that shows it', async () => {
    const guard = new DriftGuard({ cellOf: cellByRun });
    const inner = sequenceModel([
      testResult({ modelVersion: 'm@fp_1' }),
      testResult({ modelVersion: 'm@fp_2' }),
      testResult({ modelVersion: 'm@fp_2' }),
    ]);
    const model = withDriftGuard(inner, guard);
    expect((await model.generate(testRequest({ metadata: { runId: 'cellA/r1' } }))).warnings).toEqual([]);
    const changed = await model.generate(testRequest({ metadata: { runId: 'cellB/r1', turn: 3, agentId: 'a7' } }));
    expect(changed.warnings).toEqual(['model version changed within the study: m@fp_1 -> m@fp_2']);
    expect((await model.generate(testRequest({ metadata: { runId: 'cellB/r2' } }))).warnings).toEqual([]);
    expect(guard.report()).toEqual([
      {
        model: 'test:model',
        versions: [
          { version: 'm@fp_1', calls: 1 },
          { version: 'm@fp_2', calls: 2 },
        ],
        changes: [{ model: 'test:model', from: 'm@fp_1', to: 'm@fp_2', runId: 'cellB/r1', turn: 3, agentId: 'a7' }],
        mixedCells: [],
        refusedCalls: 0,
      },
    ]);
  });

  it('refuses to mix versions inside one cell', async () => {
    const guard = new DriftGuard({ cellOf: cellByRun });
    const model = withDriftGuard(
      sequenceModel([testResult({ modelVersion: 'v1' }), testResult({ modelVersion: 'v2' })]),
      guard,
    );
    await model.generate(testRequest({ metadata: { runId: 'cellA/r1' } }));
    const error = await model
      .generate(testRequest({ metadata: { runId: 'cellA/r2' } }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelVersionDriftError);
    expect(error).toMatchObject({ cell: 'cellA', expectedVersion: 'v1', receivedVersion: 'v2', retryable: false });
    expect(guard.report()[0]).toMatchObject({ refusedCalls: 1, mixedCells: [] });
  });

  it('allows mixing when the study says so, and lists the mixed cells', async () => {
    const guard = new DriftGuard({ cellOf: cellByRun, allowMixedVersions: true });
    const model = withDriftGuard(
      sequenceModel([testResult({ modelVersion: 'v1' }), testResult({ modelVersion: 'v2' })]),
      guard,
    );
    await model.generate(testRequest({ metadata: { runId: 'cellA/r1' } }));
    await model.generate(testRequest({ metadata: { runId: 'cellA/r2' } }));
    expect(guard.report()[0]?.mixedCells).toEqual([{ cell: 'cellA', versions: ['v1', 'v2'] }]);
  });

  it('can ignore fingerprints and compare resolved model names only', async () => {
    const guard = new DriftGuard({ granularity: 'model' });
    const model = withDriftGuard(
      sequenceModel([testResult({ modelVersion: 'gpt-x-2026@fp_1' }), testResult({ modelVersion: 'gpt-x-2026@fp_9' })]),
      guard,
    );
    await model.generate(testRequest());
    const second = await model.generate(testRequest());
    expect(second.warnings).toEqual([]);
    expect(guard.report()[0]?.versions).toEqual([{ version: 'gpt-x-2026', calls: 2 }]);
  });

  it('remembers versions of an earlier session', async () => {
    const guard = new DriftGuard({ cellOf: cellByRun });
    guard.preload('test:model', 'cellA', 'v1');
    const model = withDriftGuard(sequenceModel([testResult({ modelVersion: 'v2' })]), guard);
    await expect(model.generate(testRequest({ metadata: { runId: 'cellA/r9' } }))).rejects.toBeInstanceOf(
      ModelVersionDriftError,
    );
  });
});
