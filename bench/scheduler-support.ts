import { type MockServer, type MockServerOptions, startMockServer } from '../src/models/backends-index.js';

/**
 * Support for the scheduler benchmark (DESIGN.md "Performance targets"): a loopback mock server with
 * a fixed latency and no faults, plus the model reference that points at it. The benchmark compares
 * achieved throughput with the ideal max(critical path, calls x latency / slots); the server's
 * `stats().maxInFlight` shows how many slots were really kept busy.
 */

export interface FixedLatencyServer {
  server: MockServer;
  /** `openai-compatible:<url>#mock-model`, for `createModel` or `--model`. */
  ref: string;
  latencyMs: number;
}

export async function startFixedLatencyServer(
  latencyMs: number,
  options: Omit<MockServerOptions, 'latency'> = {},
): Promise<FixedLatencyServer> {
  const server = await startMockServer({ ...options, latency: { kind: 'fixed', ms: latencyMs } });
  return { server, ref: `openai-compatible:${server.url}#mock-model`, latencyMs };
}

/** Ideal wall time of `calls` calls of `latencyMs` over `slots` slots, given the longest dependent chain. */
export function idealDurationMs(options: {
  calls: number;
  latencyMs: number;
  slots: number;
  criticalPathCalls: number;
}): number {
  return Math.max(options.criticalPathCalls * options.latencyMs, (options.calls * options.latencyMs) / options.slots);
}
