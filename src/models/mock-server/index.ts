/** The loopback mock server: part of the product, started by tests and benchmarks. */
export {
  type LatencySpec,
  type MockChatRequest,
  type MockFault,
  type MockFaultRates,
  type MockOutcome,
  type MockServer,
  type MockServerOptions,
  type MockServerStats,
  type RecordedLatency,
  type RecordedRequest,
  startMockServer,
  uniformFrom,
} from './server.js';
export {
  type AgentPrefixStats,
  approximateTokens,
  flattenPrompt,
  type PrefixSummary,
  PrefixTracker,
  promptTokens,
  sharedPrefixLength,
  type TokenizedPrompt,
  tokenizeAgainst,
} from './prefix-stats.js';
