import { describe, expect, it } from 'vitest';
import {
  callListScheduleMs,
  chainsFromLatencies,
  referenceScheduleMs,
  runListScheduleMs,
  waveScheduleMs,
  workBoundMs,
} from '../bench/scheduler-support.js';

// The scheduler benchmark's yardsticks, checked on workloads small enough to schedule by hand.
describe('scheduler benchmark references', () => {
  it('groups the mock server log into runs by the agent header', () => {
    const chains = chainsFromLatencies([
      { agent: 'run-a/p01', delayMs: 1 },
      { agent: 'run-b/p01', delayMs: 2 },
      { agent: 'run-a/p02', delayMs: 3 },
    ]);
    expect(chains).toEqual([
      { runId: 'run-a', delaysMs: [1, 3] },
      { runId: 'run-b', delaysMs: [2] },
    ]);
  });

  it('schedules two slots by hand', () => {
    // Three runs on two slots. a = [4, 4], b = [1, 1], c = [6].
    const chains = [
      { runId: 'a', delaysMs: [4, 4] },
      { runId: 'b', delaysMs: [1, 1] },
      { runId: 'c', delaysMs: [6] },
    ];
    // First come: a1 (0-4), b1 (0-1); c was waiting before b2, so c (1-7); b2 (4-5); a2 (5-9) -> 9.
    expect(callListScheduleMs(chains, 2, 'first-come')).toBe(9);
    // Runs holding a slot: a on slot 1 (0-8), b on slot 2 (0-2), then c (2-8) -> 8.
    expect(runListScheduleMs(chains, 2)).toBe(8);
    // Waves of two runs turn by turn: (max(4, 1) + max(4, 1)) + 6 = 14.
    expect(waveScheduleMs(chains, 2)).toBe(14);
    // Work bound: max(longest run 8, 16 / 2 = 8) = 8, which the run-holding schedule reaches here.
    expect(workBoundMs(chains, 2)).toBe(8);
    expect(referenceScheduleMs(chains, 2)).toBe(8);
  });

  it('serves the run with the most calls left first when asked, which shortens the tail', () => {
    const chains = [
      { runId: 'short-1', delaysMs: [5] },
      { runId: 'short-2', delaysMs: [5] },
      { runId: 'long', delaysMs: [3, 3, 3, 3] },
    ];
    // First come: short-1 and short-2 take both slots (0-5); long runs 5-17 -> 17.
    expect(callListScheduleMs(chains, 2, 'first-come')).toBe(17);
    // Most remaining first: long starts at 0 beside short-1; short-2 runs 5-10 -> long ends at 12.
    expect(callListScheduleMs(chains, 2, 'most-remaining-first')).toBe(12);
    expect(referenceScheduleMs(chains, 2)).toBe(12);
  });
});
