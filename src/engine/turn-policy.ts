import { createMulberry32, deriveSeed, shuffled } from '../contracts/index.js';

/**
 * Turn policies: who acts when within a turn. The engine loop asks its policy for the turn's order
 * and whether the agents act at once; a new policy is a new entry here, not a branch in the loop.
 */

export type TurnPolicy = 'sequential-shuffled' | 'sequential-fixed' | 'simultaneous';

export interface TurnPolicyStrategy {
  readonly name: TurnPolicy;
  /**
   * True: the turn's agents act at once, each seeing only earlier turns (their calls go out
   * together). False: one after another, each seeing the speech of those before it in the turn.
   */
  readonly simultaneous: boolean;
  /** The order in which the agents act (or are recorded, when simultaneous) in `turn`. */
  order(agentIds: readonly string[], runSeed: number, turn: number): string[];
}

const inPlanOrder = (agentIds: readonly string[]) => [...agentIds];

export const TURN_POLICIES: Readonly<Record<TurnPolicy, TurnPolicyStrategy>> = {
  'sequential-shuffled': {
    name: 'sequential-shuffled',
    simultaneous: false,
    // A fresh seeded order each turn, derived from (run seed, turn): a resumed run draws the same one.
    order: (agentIds, runSeed, turn) => shuffled(agentIds, createMulberry32(deriveSeed(runSeed, 'order', turn))),
  },
  'sequential-fixed': { name: 'sequential-fixed', simultaneous: false, order: inPlanOrder },
  simultaneous: { name: 'simultaneous', simultaneous: true, order: inPlanOrder },
};

export function turnPolicyStrategy(name: TurnPolicy): TurnPolicyStrategy {
  return TURN_POLICIES[name];
}
