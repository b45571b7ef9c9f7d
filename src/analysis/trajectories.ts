import type {
  PhaseFeatures,
  PhasePoint,
  RunFeatures,
  PhaseName,
  Study,
  Trajectories,
  TrajectoryPoint,
  TurnFeatures,
} from '../contracts/index.js';
import { runMetricValue } from './tables.js';

/**
 * Trajectories: per design cell, the mean (and SD, n - 1) over the cell's included runs of each
 * index at each turn and in each scenario phase, from the turn and phase features the score stage
 * stored. They describe how the group moves through the escalation; they are descriptive, not tests.
 */

export const TRAJECTORY_METRICS = [
  'cpi',
  'di',
  'monologue_ratio',
  'sexual_rate',
  'protective_rate',
  'conformity_rate',
] as const;

export interface TrajectoryInput {
  study: Pick<Study, 'languages'>;
  runs: readonly RunFeatures[];
  turns: readonly TurnFeatures[];
  phases: readonly PhaseFeatures[];
}

export function summariseTrajectories(input: TrajectoryInput): Trajectories {
  const runsById = new Map(input.runs.map((run) => [run.runId, run]));
  const included = (runId: string) => {
    const run = runsById.get(runId);
    return run !== undefined && !run.excluded ? run : undefined;
  };

  const events: Record<string, { turn: number; phase: PhaseName }[]> = {};
  const eventSeen = new Map<string, Map<number, PhaseName>>();
  const turnGroups = new Map<string, Map<number, TurnFeatures[]>>();
  for (const turn of input.turns) {
    const run = runsById.get(turn.runId);
    if (run === undefined) continue;
    let seen = eventSeen.get(run.language);
    if (seen === undefined) {
      seen = new Map();
      eventSeen.set(run.language, seen);
    }
    seen.set(turn.turn, turn.phase);
    if (included(turn.runId) === undefined) continue;
    pushInto(turnGroups, run.cellId, turn.turn, turn);
  }
  for (const language of input.study.languages) {
    const seen = eventSeen.get(language);
    if (seen !== undefined)
      events[language] = [...seen].sort(([a], [b]) => a - b).map(([turn, phase]) => ({ turn, phase }));
  }

  const phaseGroups = new Map<string, Map<number, PhaseFeatures[]>>();
  for (const phase of input.phases) {
    const run = included(phase.runId);
    if (run !== undefined) pushInto(phaseGroups, run.cellId, phase.firstTurn, phase);
  }

  const cells = new Map<string, RunFeatures>();
  for (const run of input.runs) if (!cells.has(run.cellId)) cells.set(run.cellId, run);
  const order = new Map(input.study.languages.map((language, index) => [language, index]));
  const cellList = [...cells.values()].sort(
    (a, b) =>
      compareText(a.model, b.model) || (order.get(a.language) ?? 0) - (order.get(b.language) ?? 0) || a.dose - b.dose,
  );
  return {
    metrics: [...TRAJECTORY_METRICS],
    events,
    cells: cellList.map((first) => ({
      cellId: first.cellId,
      language: first.language,
      model: first.model,
      dose: first.dose,
      turns: [...(turnGroups.get(first.cellId) ?? new Map<number, TurnFeatures[]>())]
        .sort(([a], [b]) => a - b)
        .map(([turn, rows]): TrajectoryPoint => ({ turn, phase: rows[0]!.phase, ...aggregate(rows) })),
      phases: [...(phaseGroups.get(first.cellId) ?? new Map<number, PhaseFeatures[]>())]
        .sort(([a], [b]) => a - b)
        .map(
          ([firstTurn, rows]): PhasePoint => ({
            phase: rows[0]!.phase,
            firstTurn,
            lastTurn: Math.max(...rows.map((row) => row.lastTurn)),
            ...aggregate(rows),
          }),
        ),
    })),
  };
}

function aggregate(rows: readonly (TurnFeatures | PhaseFeatures)[]): {
  n: number;
  means: Record<string, number | null>;
  sds: Record<string, number | null>;
} {
  const means: Record<string, number | null> = {};
  const sds: Record<string, number | null> = {};
  for (const metric of TRAJECTORY_METRICS) {
    const values = rows.map((row) => runMetricValue(row, metric)).filter((value): value is number => value !== null);
    const mean = values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
    means[metric] = mean;
    sds[metric] =
      values.length > 1 && mean !== null
        ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1))
        : null;
  }
  return { n: rows.length, means, sds };
}

function pushInto<T>(groups: Map<string, Map<number, T[]>>, cellId: string, key: number, row: T): void {
  let byKey = groups.get(cellId);
  if (byKey === undefined) {
    byKey = new Map();
    groups.set(cellId, byKey);
  }
  const list = byKey.get(key);
  if (list === undefined) byKey.set(key, [row]);
  else list.push(row);
}

/** Code-point order: locale-independent, so results are byte-identical on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
