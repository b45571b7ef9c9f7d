/**
 * The scheduler benchmark's yardstick (DESIGN.md "Performance targets"): the ideal wall time of
 * `calls` calls of `latencyMs` over `slots` request slots, given the longest chain of calls that
 * must run one after another (a run's turns). Efficiency is ideal / achieved.
 */
export function idealDurationMs(options: {
  calls: number;
  latencyMs: number;
  slots: number;
  criticalPathCalls: number;
}): number {
  return Math.max(options.criticalPathCalls * options.latencyMs, (options.calls * options.latencyMs) / options.slots);
}
