/**
 * Engine: one simulation run — agents, channels, the scenario's event injector, the turn policy,
 * prompt rendering and action parsing. No storage and no concurrency policy: the runner decides
 * which runs proceed, the store persists each committed turn.
 */
export { createActionParser, formatAction, type ParsedAction, type Participant } from './action-parser.js';
export { AgentMemory, fillTemplate, renderSystemPrompt } from './prompts.js';

export {
  builtinRequestHash,
  choosePersonas,
  planAgents,
  simulateRun,
  type RunOptions,
  type RunOutcome,
  type RunSink,
  type RunSpec,
  type TurnBatch,
} from './simulation.js';
export { TURN_POLICIES, type TurnPolicy, type TurnPolicyStrategy, turnPolicyStrategy } from './turn-policy.js';
