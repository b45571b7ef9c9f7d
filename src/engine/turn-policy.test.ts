import { describe, expect, it } from 'vitest';
import { TURN_POLICIES, turnPolicyStrategy } from './turn-policy.js';

describe('turn policies', () => {
  const ids = ['p01', 'p02', 'p03', 'p04', 'p05'];

  it('shuffles per turn, the same way for the same run seed and turn (resume draws the same order)', () => {
    const policy = turnPolicyStrategy('sequential-shuffled');
    expect(policy.simultaneous).toBe(false);
    const first = policy.order(ids, 42, 3);
    expect([...first].sort()).toEqual(ids);
    expect(policy.order(ids, 42, 3)).toEqual(first);
    const orders = new Set([1, 2, 3, 4, 5, 6].map((turn) => policy.order(ids, 42, turn).join()));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('keeps plan order for the fixed and simultaneous policies, and only the latter acts at once', () => {
    expect(TURN_POLICIES['sequential-fixed'].order(ids, 1, 1)).toEqual(ids);
    expect(TURN_POLICIES.simultaneous.order(ids, 1, 1)).toEqual(ids);
    expect(TURN_POLICIES.simultaneous.simultaneous).toBe(true);
    expect(TURN_POLICIES['sequential-fixed'].simultaneous).toBe(false);
  });
});
