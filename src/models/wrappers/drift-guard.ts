import { type CallMetadata, type GenerateRequest, type GenerateResult, ModelCallError } from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';

/**
 * Drift guard. Providers update models under a stable name; the resolved version of every call
 * (resolved model name and system fingerprint, or the weights' hash) is recorded with the call, and
 * this wrapper watches it:
 *
 * - a version different from the first one seen for the model in this study is a *change*: the
 *   first call with it carries a warning and the change is listed in `report()` (for the manifest
 *   and the report);
 * - a cell whose calls were answered by one version refuses an answer from another
 *   (`ModelVersionDriftError`, not retryable) unless the study allows mixing, because a cell's
 *   replicates must be samples of one model.
 *
 * `granularity: 'model'` compares only the resolved model name and ignores fingerprints, for
 * providers whose fingerprint changes with their serving fleet rather than the weights.
 * Cached and replayed answers count with the version that produced them.
 */

export class ModelVersionDriftError extends ModelCallError {
  readonly cell: string;
  readonly expectedVersion: string;
  readonly receivedVersion: string;

  constructor(model: string, cell: string, expected: string, received: string) {
    super(
      'client',
      `model version drift in cell "${cell}" of ${model}: the cell was answered by ${expected}, this call by ${received}; ` +
        'rerun the cell, or allow mixed versions in the study',
      { retryable: false },
    );
    this.cell = cell;
    this.expectedVersion = expected;
    this.receivedVersion = received;
  }
}

export interface VersionChange {
  model: string;
  from: string;
  to: string;
  runId: string;
  turn: number;
  agentId: string;
}

export interface DriftReport {
  model: string;
  /** Versions in order of first appearance, with how many calls each answered. */
  versions: { version: string; calls: number }[];
  changes: VersionChange[];
  /** Cells answered by more than one version (only when mixing is allowed). */
  mixedCells: { cell: string; versions: string[] }[];
  /** Answers refused because they would have mixed versions in a cell. */
  refusedCalls: number;
}

export interface DriftGuardOptions {
  allowMixedVersions?: boolean | undefined;
  granularity?: 'version' | 'model' | undefined;
  /** Groups runs into cells; defaults to `<model> <language>` (finer cells need the runner's map). */
  cellOf?: ((call: { model: string; metadata: CallMetadata }) => string) | undefined;
}

interface ModelState {
  versions: Map<string, number>;
  changes: VersionChange[];
  cells: Map<string, Set<string>>;
  refused: number;
}

export class DriftGuard {
  readonly #models = new Map<string, ModelState>();
  readonly #allowMixed: boolean;
  readonly #granularity: 'version' | 'model';
  readonly #cellOf: NonNullable<DriftGuardOptions['cellOf']>;

  constructor(options: DriftGuardOptions = {}) {
    this.#allowMixed = options.allowMixedVersions ?? false;
    this.#granularity = options.granularity ?? 'version';
    this.#cellOf = options.cellOf ?? ((call) => `${call.model} ${call.metadata.language}`);
  }

  #state(model: string): ModelState {
    let state = this.#models.get(model);
    if (state === undefined) {
      state = { versions: new Map(), changes: [], cells: new Map(), refused: 0 };
      this.#models.set(model, state);
    }
    return state;
  }

  #compared(version: string): string {
    return this.#granularity === 'model' ? (version.split('@')[0] ?? version) : version;
  }

  /** Seeds the guard with versions stored by an earlier session of the same study (resume). */
  preload(model: string, cell: string, version: string): void {
    const state = this.#state(model);
    const compared = this.#compared(version);
    state.versions.set(compared, (state.versions.get(compared) ?? 0) + 1);
    let versions = state.cells.get(cell);
    if (versions === undefined) {
      versions = new Set();
      state.cells.set(cell, versions);
    }
    versions.add(compared);
  }

  /** Records a call's version; returns a warning for a change, throws for a refused mix. */
  observe(model: string, metadata: CallMetadata, version: string): string | undefined {
    const state = this.#state(model);
    const compared = this.#compared(version);
    const cell = this.#cellOf({ model, metadata });
    const cellVersions = state.cells.get(cell);
    if (!this.#allowMixed && cellVersions !== undefined && cellVersions.size > 0 && !cellVersions.has(compared)) {
      state.refused += 1;
      const [expected] = cellVersions;
      throw new ModelVersionDriftError(model, cell, expected ?? '', compared);
    }
    let warning: string | undefined;
    const first = state.versions.keys().next();
    if (!state.versions.has(compared) && first.done !== true) {
      state.changes.push({
        model,
        from: first.value,
        to: compared,
        runId: metadata.runId,
        turn: metadata.turn,
        agentId: metadata.agentId,
      });
      warning = `model version changed within the study: ${first.value} -> ${compared}`;
    }
    state.versions.set(compared, (state.versions.get(compared) ?? 0) + 1);
    if (cellVersions === undefined) {
      state.cells.set(cell, new Set([compared]));
    } else {
      cellVersions.add(compared);
    }
    return warning;
  }

  report(): DriftReport[] {
    return [...this.#models].map(([model, state]) => ({
      model,
      versions: [...state.versions].map(([version, calls]) => ({ version, calls })),
      changes: state.changes.map((change) => ({ ...change })),
      mixedCells: [...state.cells]
        .filter(([, versions]) => versions.size > 1)
        .map(([cell, versions]) => ({ cell, versions: [...versions] })),
      refusedCalls: state.refused,
    }));
  }
}

export function withDriftGuard(inner: ChatModel, guard: DriftGuard): ChatModel {
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const result = await inner.generate(request);
      const warning = guard.observe(inner.ref, request.metadata, result.modelVersion);
      return warning === undefined ? result : { ...result, warnings: [...result.warnings, warning] };
    },
  };
}
