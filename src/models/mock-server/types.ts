import type { AgentPrefixStats, PrefixSummary } from './prefix-stats.js';

/** The mock server's public options, records and measurements (re-exported by server.ts and index.ts). */

export type LatencySpec =
  | { kind: 'none' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number };

export type MockFault = 'rate-limit' | 'server-error' | 'timeout' | 'malformed' | 'truncated' | 'wrong-shape';

export interface MockFaultRates {
  rateLimit?: number;
  serverError?: number;
  timeout?: number;
  malformed?: number;
  truncated?: number;
}

export interface MockChatRequest {
  protocol: 'openai' | 'anthropic';
  model: string;
  messages: { role: string; content: string }[];
  maxTokens: number | undefined;
  temperature: number | undefined;
  seed: number | undefined;
  agent: string;
  /** Position among all chat requests this server received, from 0. */
  index: number;
}

export interface MockServerOptions {
  seed?: number;
  latency?: LatencySpec;
  faults?: MockFaultRates;
  /** Outcomes of the first requests, in arrival order ('ok' = answer normally); then `faults` apply. */
  script?: readonly (MockFault | 'ok')[];
  /** Wait a 429 asks for (default 1000 ms); sent as `retry-after-ms` and as whole seconds in `retry-after`. */
  retryAfterMs?: number;
  /** Which retry headers a 429 carries (default both). */
  retryAfterHeaders?: 'both' | 'seconds' | 'milliseconds' | 'none';
  /** The answer text; default: a `[talk]` action chosen from the request. */
  respond?: (request: MockChatRequest) => string;
  /** When set, requests must present this key (`Authorization: Bearer` or `x-api-key`), else 401. */
  apiKey?: string;
  /** `system_fingerprint` per request (default `fp_mock`); undefined leaves it out. */
  fingerprint?: string | ((index: number) => string | undefined);
  /** How long a `timeout` fault holds the request before dropping it (default 60 s). */
  timeoutHoldMs?: number;
  /** Requests kept in `requests` (oldest dropped; default 1000). */
  maxRecordedRequests?: number;
  /**
   * Keep every answered request's drawn latency and agent (`GET /__latencies`), so the scheduler
   * benchmark can compute the best schedule of the same draws; off by default to keep memory flat.
   */
  recordLatencies?: boolean;
  host?: string;
  port?: number;
}

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  /** Header names lower-cased; authorization and x-api-key removed. */
  headers: Record<string, string>;
  /** How a credential was presented, and whether it matched `apiKey` (null when none is configured). */
  auth: { scheme: 'bearer' | 'x-api-key' | null; matches: boolean | null };
  body: unknown;
  agent: string;
  outcome: MockOutcome;
}

/** One answered request's drawn latency, in arrival order (`recordLatencies`). */
export interface RecordedLatency {
  /** The `x-backfire-agent` header: `<run id>/<agent id>`. */
  agent: string;
  delayMs: number;
}

export type MockOutcome = 'ok' | MockFault | 'unauthorized' | 'bad-request' | 'not-found';

export interface MockServerStats {
  requests: number;
  outcomes: Record<MockOutcome, number>;
  inFlight: number;
  maxInFlight: number;
  prefix: PrefixSummary;
  agents: Record<string, AgentPrefixStats>;
}

export interface MockServer {
  /** Base URL including `/v1`, for `openai-compatible:<url>#<model>`. */
  readonly url: string;
  /** Base URL without `/v1`, for the Anthropic SDK. */
  readonly origin: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  stats(): MockServerStats;
  reset(): void;
  close(): Promise<void>;
}
