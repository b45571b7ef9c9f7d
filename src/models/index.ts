/**
 * Models: the `ChatModel` interface, the built-in surrogate, scripted mocks, and (from
 * backends-index.ts) the real adapters and wrappers. Imports contracts only.
 */
export type { ChatModel, ChatModelWrapper } from './chat-model.js';
export {
  isModuleNotFound,
  missingOptionalPeers,
  OPTIONAL_PEERS,
  type OptionalPeerName,
  optionalPeerInstallCommand,
  requireOptionalPeers,
} from './optional-peers.js';
export { createMockModel, createNamedMockModel, MOCK_SCRIPTS, type MockScript } from './mock-model.js';
export {
  DEFAULT_SURROGATE_PARAMETERS,
  effectiveProfile,
  applySurrogateOverrides,
  resolveSurrogateParameters,
  resolveSurrogateVariant,
} from './surrogate/parameters.js';
export {
  createSurrogateModel,
  SURROGATE_REF,
  type SurrogateOptions,
  surrogateVariantOf,
} from './surrogate/surrogate-model.js';
export * from './backends-index.js';
