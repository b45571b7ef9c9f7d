import type {
  ActionFeatures,
  HitCounts,
  PhaseFeatures,
  RunFeatures,
  PhaseName,
  TranscriptEvent,
  TurnFeatures,
} from '../contracts/index.js';
import { computeCpi, computeDi, type IndexScales } from './indices.js';

/**
 * Features of the stretches of a run: each turn, and each scenario phase (the consecutive turns
 * whose injected event has that phase). They apply the run-level formulas to the stretch's actions,
 * with the study's pooled run-level scales, so that a trajectory is on the scale of the run index
 * (see TurnFeaturesSchema). Pure: computed by the score stage from the events and the action
 * features it has just made.
 */

export interface SegmentInput {
  runId: string;
  events: readonly TranscriptEvent[];
}

export interface ScoredSegments {
  turns: TurnFeatures[];
  phases: PhaseFeatures[];
}

interface Tally {
  attempted: number;
  actions: number;
  monologues: number;
  scoredActions: number;
  hits: HitCounts;
}

export function scoreSegments(
  runs: readonly SegmentInput[],
  actions: readonly ActionFeatures[],
  runFeatures: readonly RunFeatures[],
  categories: (runId: string) => readonly string[],
  /** Null: the indices are left null, for the caller to set once the study's scales are known. */
  scales: IndexScales | null,
  perAction: boolean,
): ScoredSegments {
  const hitsBySeq = new Map<string, Map<number, HitCounts>>();
  for (const action of actions) {
    let byRun = hitsBySeq.get(action.runId);
    if (byRun === undefined) {
      byRun = new Map();
      hitsBySeq.set(action.runId, byRun);
    }
    byRun.set(action.seq, action.hits);
  }
  const excluded = new Set(runFeatures.filter((run) => run.excluded).map((run) => run.runId));
  const turns: TurnFeatures[] = [];
  const phases: PhaseFeatures[] = [];
  for (const run of runs) {
    const scoredHits = hitsBySeq.get(run.runId) ?? new Map<number, HitCounts>();
    const runCategories = categories(run.runId);
    const runScales = perAction && !excluded.has(run.runId) ? scales : null;
    const finish = (tally: Tally) => features(tally, perAction, runScales);
    const byTurn = new Map<number, { phase: PhaseName; tally: Tally }>();
    for (const event of run.events) {
      if (event.type === 'event-injected') {
        byTurn.set(event.turn, { phase: event.phase, tally: emptyTally(runCategories) });
        continue;
      }
      if (event.type !== 'action' && event.type !== 'parse-error' && event.type !== 'call-error') continue;
      const entry = byTurn.get(event.turn);
      if (entry === undefined) continue;
      entry.tally.attempted += 1;
      if (event.type !== 'action') continue;
      entry.tally.actions += 1;
      if (event.channel === 'monologue') entry.tally.monologues += 1;
      const hits = scoredHits.get(event.seq);
      if (hits !== undefined) {
        entry.tally.scoredActions += 1;
        addInto(entry.tally.hits, hits);
      }
    }
    // A turn counts only once its turn-end is stored (a live run's open turn is not a turn yet).
    const ended = new Set(run.events.filter((event) => event.type === 'turn-end').map((event) => event.turn));
    let phase: { phase: PhaseName; firstTurn: number; lastTurn: number; tally: Tally } | undefined;
    const closePhase = () => {
      if (phase !== undefined)
        phases.push({
          runId: run.runId,
          phase: phase.phase,
          firstTurn: phase.firstTurn,
          lastTurn: phase.lastTurn,
          ...finish(phase.tally),
        });
    };
    for (const [turn, entry] of [...byTurn].sort(([a], [b]) => a - b)) {
      if (!ended.has(turn)) continue;
      turns.push({ runId: run.runId, turn, phase: entry.phase, ...finish(entry.tally) });
      if (phase === undefined || phase.phase !== entry.phase) {
        closePhase();
        phase = { phase: entry.phase, firstTurn: turn, lastTurn: turn, tally: emptyTally(runCategories) };
      }
      phase.lastTurn = turn;
      mergeInto(phase.tally, entry.tally);
    }
    closePhase();
  }
  return { turns, phases };
}

/** `scales` null: a stretch without indices (its run is excluded, counts are raw, or the caller sets them). */
function features(tally: Tally, perAction: boolean, scales: IndexScales | null) {
  const rates: Record<string, number> = {};
  for (const [category, count] of Object.entries(tally.hits)) {
    rates[category] = perAction ? ratio(count, tally.scoredActions) : count;
  }
  const monologueRatio = tally.actions > 0 ? tally.monologues / tally.actions : null;
  const components = { monologueRatio, sexual: rates.sexual ?? 0, protective: rates.protective ?? 0 };
  const conformity = tally.hits.conformity ?? 0;
  const individuation = tally.hits.individuation ?? 0;
  return {
    attempted: tally.attempted,
    actions: tally.actions,
    monologues: tally.monologues,
    scoredActions: tally.scoredActions,
    monologueRatio,
    hits: tally.hits,
    rates,
    conformityRate: conformity + individuation > 0 ? conformity / (conformity + individuation) : null,
    cpi: scales === null ? null : computeCpi(components, scales),
    di: scales === null ? null : computeDi(components, scales),
  };
}

function ratio(count: number, total: number): number {
  return total > 0 ? count / total : 0;
}

function emptyTally(categories: readonly string[]): Tally {
  const hits: HitCounts = {};
  for (const category of categories) hits[category] = 0;
  return { attempted: 0, actions: 0, monologues: 0, scoredActions: 0, hits };
}

function addInto(target: HitCounts, source: Readonly<Record<string, number>>): void {
  for (const [category, count] of Object.entries(source)) target[category] = (target[category] ?? 0) + count;
}

function mergeInto(target: Tally, source: Tally): void {
  target.attempted += source.attempted;
  target.actions += source.actions;
  target.monologues += source.monologues;
  target.scoredActions += source.scoredActions;
  addInto(target.hits, source.hits);
}
