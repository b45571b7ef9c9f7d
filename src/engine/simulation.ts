import { type TurnPolicy, turnPolicyStrategy } from './turn-policy.js';
// A namespace import: `hash` is missing before Node 20.12, and a missing named import would not link.
import * as nodeCrypto from 'node:crypto';
import {
  type AgentSetup,
  type CallMetadata,
  type CallRecord,
  type Channel,
  type GenerateRequest,
  type LanguagePack,
  ModelCallError,
  type Persona,
  type TranscriptEvent,
  EVENT_FORMAT_VERSION,
  createMulberry32,
  deriveSeed,
  shuffled,
  hashCanonical,
  scenarioPhaseAt,
} from '../contracts/index.js';
import { type ChatModel, withCallRecorder } from '../models/index.js';
import { TurnCallRecords } from './turn-call-records.js';
import { createActionParser, type Participant } from './action-parser.js';
import { AgentMemory, fillTemplate, renderSystemPrompt } from './prompts.js';

/**
 * One simulation run: N agents, T turns, the scenario's event injector, and a turn policy. The
 * engine owns no storage: each completed turn is handed to the sink as one batch (the store commits
 * it in one transaction), and a run is resumed by passing the events already stored.
 */

export interface RunSpec {
  runId: string;
  /** The design cell (language x dose x model) the run belongs to. */
  cellId: string;
  pack: LanguagePack;
  modelRef: string;
  model: ChatModel;
  agents: number;
  turns: number;
  dose: number;
  doseIntervention: string;
  background: readonly string[];
  placement: 'random' | 'first';
  seed: number;
  replicate: number;
  sampling: { temperature: number; maxTokens: number; topP?: number | undefined };
  memoryWindow: number | null;
  turnPolicy: TurnPolicy;
}

export interface TurnBatch {
  turn: number;
  events: TranscriptEvent[];
  calls: CallRecord[];
}

export interface RunSink {
  /**
   * Persist one completed turn atomically (all of it or none of it). A sink may return a promise
   * (a remote store: the queue's coordinator): it is awaited before the next turn, and its rejection
   * ends the run. (Typed `void` so that any function can be a sink, as a promise is assignable to it.)
   */
  commitTurn(batch: TurnBatch): void;
}

export interface RunOutcome {
  runId: string;
  status: 'completed' | 'stopped';
  turnsCompleted: number;
  /** Turns done in this session (0 when the run was already complete). */
  turnsRun: number;
  callsMade: number;
}

export interface RunOptions {
  /** Called after each committed turn (progress display). */
  onTurn?: (turn: number, calls: number) => void;
  /** Stop cleanly before the next turn (Ctrl-C, budget). */
  shouldStop?: () => boolean;
}

/** Which personas play, and who receives which instructions. Derived from the seed only. */
export function planAgents(
  spec: Pick<RunSpec, 'pack' | 'agents' | 'dose' | 'doseIntervention' | 'background' | 'placement' | 'seed'>,
): AgentSetup[] {
  const personas = choosePersonas(spec.pack, spec.agents);
  const ids = personas.map((persona) => persona.id);
  const dosed = new Set(
    spec.placement === 'first'
      ? ids.slice(0, spec.dose)
      : shuffled(ids, createMulberry32(deriveSeed(spec.seed, 'placement'))).slice(0, spec.dose),
  );
  return personas.map((persona) => ({
    id: persona.id,
    personaId: persona.id,
    name: persona.name,
    interventions: [...spec.background, ...(dosed.has(persona.id) ? [spec.doseIntervention] : [])],
  }));
}

/** The first N personas, always including the scenario's target (it replaces the last one if needed). */
export function choosePersonas(pack: LanguagePack, count: number): Persona[] {
  const chosen = pack.personas.slice(0, count);
  if (!chosen.some((persona) => persona.id === pack.scenario.targetPersonaId)) {
    const target = pack.personas.find((persona) => persona.id === pack.scenario.targetPersonaId);
    if (target !== undefined) chosen[chosen.length - 1] = target;
  }
  return chosen;
}

export async function simulateRun(
  spec: RunSpec,
  sink: RunSink,
  storedEvents: readonly TranscriptEvent[] = [],
  options: RunOptions = {},
): Promise<RunOutcome> {
  const pack = spec.pack;
  const agents = planAgents(spec);
  const personasById = new Map(pack.personas.map((persona) => [persona.id, persona]));
  const namesById = new Map(agents.map((agent) => [agent.id, agent.name]));
  const identities = agents.map((agent) => ({
    id: agent.id,
    persona: personasById.get(agent.personaId)!,
    interventions: agent.interventions,
  }));
  const memories = new Map(
    identities.map((identity) => [
      identity.id,
      new AgentMemory(
        pack,
        identity.id,
        renderSystemPrompt(
          pack,
          identity,
          identities.filter((other) => other.id !== identity.id),
          spec.turns,
        ),
        namesById,
        spec.turns,
        spec.memoryWindow,
      ),
    ]),
  );
  const parsers = new Map(
    agents.map((agent) => {
      const participants: Participant[] = agents
        .filter((other) => other.id !== agent.id)
        .map(({ id, name }) => ({ id, name }));
      return [agent.id, { participants, parse: createActionParser({ aliases: pack.channelAliases, participants }) }];
    }),
  );
  const targetName = namesById.get(pack.scenario.targetPersonaId) ?? '';
  // Call records come from the recorder wrapper, the outermost layer, put on here for the run because
  // its records belong to the run's turns (committed with the turn's events, in one transaction).
  const callRecords = new TurnCallRecords();
  const recordedModel = withCallRecorder(spec.model, {
    sink: callRecords,
    callId: engineCallId,
    // The model's own hash (network models: the cache key), else a hash of the settings and of each
    // message's hash (built-in models, which are never cached).
    requestHash: (request) => spec.model.requestHash?.(request) ?? builtinRequestHash(spec.modelRef, request),
    model: spec.modelRef,
  });
  const policy = turnPolicyStrategy(spec.turnPolicy);
  const simultaneous = policy.simultaneous;

  let seq = 0;
  let turnsCompleted = 0;
  const base = () => ({ v: EVENT_FORMAT_VERSION, runId: spec.runId, seq: seq++ }) as const;

  // Events not yet committed: the run-start goes out with the first turn, one transaction fewer per
  // run (a run killed before its first turn ends simply starts again).
  let opening: TranscriptEvent[] = [];
  // Resume: rebuild every agent's memory from the stored, complete turns.
  if (storedEvents.length > 0) {
    const start = storedEvents[0];
    if (start?.type !== 'run-start' || hashCanonical(start.agents) !== hashCanonical(agents)) {
      throw new Error(`stored run ${spec.runId} does not match its plan (agents or seed differ)`);
    }
    for (const turnEvents of groupByTurn(storedEvents)) feedTurn(memories, turnEvents, simultaneous);
    seq = storedEvents.length;
    turnsCompleted = storedEvents.filter((event) => event.type === 'turn-end').length;
    if (storedEvents.some((event) => event.type === 'run-end')) {
      return { runId: spec.runId, status: 'completed', turnsCompleted, turnsRun: 0, callsMade: 0 };
    }
  } else {
    const runStart: TranscriptEvent = {
      ...base(),
      turn: 0,
      type: 'run-start',
      language: pack.meta.tag,
      model: spec.modelRef,
      dose: spec.dose,
      replicate: spec.replicate,
      seed: spec.seed,
      agents,
    };
    opening = [runStart];
  }

  let callsMade = 0;
  let turnsRun = 0;
  for (let turn = turnsCompleted + 1; turn <= spec.turns; turn += 1) {
    if (options.shouldStop?.() === true) {
      return { runId: spec.runId, status: 'stopped', turnsCompleted: turn - 1, turnsRun, callsMade };
    }
    const scenarioTurn = pack.scenario.turns[turn - 1];
    const phase = scenarioPhaseAt(pack.scenario, turn);
    if (scenarioTurn === undefined || phase === undefined) {
      throw new Error(`scenario of ${pack.meta.tag} has no turn ${turn}`);
    }
    const order = policy.order(
      agents.map((agent) => agent.id),
      spec.seed,
      turn,
    );
    const events: TranscriptEvent[] = [];
    const calls: CallRecord[] = [];
    const emit = (event: TranscriptEvent, feedNow: boolean) => {
      events.push(event);
      if (feedNow) for (const memory of memories.values()) memory.observe(event);
    };
    emit({ ...base(), turn, type: 'turn-start', order }, true);
    emit(
      {
        ...base(),
        turn,
        type: 'event-injected',
        phase: phase.name,
        text: fillTemplate(scenarioTurn.text, { target: targetName }),
      },
      true,
    );

    const act = async (agentId: string) => {
      const messages = memories.get(agentId)!.nextMessages();
      const parser = parsers.get(agentId)!;
      return callAgent(spec, agentId, turn, messages, parser.participants);
    };

    if (simultaneous) {
      const outcomes = await Promise.all(order.map((agentId) => act(agentId)));
      const outcomeEvents = outcomes.map((outcome, index) => toEvent(outcome, order[index]!, turn));
      for (const outcome of outcomes) calls.push(outcome.call);
      for (const event of outcomeEvents) events.push(event);
      feedTurn(memories, outcomeEvents, true);
    } else {
      for (const agentId of order) {
        const outcome = await act(agentId);
        calls.push(outcome.call);
        emit(toEvent(outcome, agentId, turn), true);
      }
    }
    callsMade += calls.length;
    emit({ ...base(), turn, type: 'turn-end' }, false);
    if (turn === spec.turns) emit({ ...base(), turn, type: 'run-end', status: 'completed' }, false);
    await sink.commitTurn({ turn, events: opening.length === 0 ? events : [...opening, ...events], calls });
    opening = [];
    turnsRun += 1;
    options.onTurn?.(turn, calls.length);
  }
  if (opening.length > 0) await sink.commitTurn({ turn: 0, events: opening, calls: [] });
  return { runId: spec.runId, status: 'completed', turnsCompleted: spec.turns, turnsRun, callsMade };

  function toEvent(outcome: AgentOutcome, agentId: string, turn: number): TranscriptEvent {
    const callId = outcome.call.callId;
    if (outcome.kind === 'action') {
      return {
        ...base(),
        turn,
        type: 'action',
        agent: agentId,
        channel: outcome.channel,
        ...(outcome.target === undefined ? {} : { target: outcome.target }),
        text: outcome.text,
        callId,
      };
    }
    if (outcome.kind === 'parse-error') {
      return { ...base(), turn, type: 'parse-error', agent: agentId, callId, raw: outcome.raw, reason: outcome.reason };
    }
    return {
      ...base(),
      turn,
      type: 'call-error',
      agent: agentId,
      callId,
      kind: outcome.errorKind,
      message: outcome.message,
      attempts: outcome.attempts,
    };
  }

  async function callAgent(
    runSpec: RunSpec,
    agentId: string,
    turn: number,
    messages: RunSpecMessages,
    participants: readonly Participant[],
  ): Promise<AgentOutcome> {
    const request = {
      messages,
      temperature: runSpec.sampling.temperature,
      maxTokens: runSpec.sampling.maxTokens,
      topP: runSpec.sampling.topP,
      seed: deriveSeed(runSpec.seed, 'call', turn, agentId),
      metadata: {
        runId: runSpec.runId,
        cellId: runSpec.cellId,
        agentId,
        turn,
        language: pack.meta.tag,
        replicate: runSpec.replicate,
        participants: participants.map(({ id, name }) => ({ id, name })),
      },
    };
    const callId = engineCallId(request.metadata);
    try {
      const result = await recordedModel.generate(request);
      const parsed = parsers.get(agentId)!.parse(result.text);
      const call = callRecords.take(callId, parsed.ok ? parsed.notes : []);
      if (!parsed.ok) return { kind: 'parse-error', call, raw: result.text, reason: parsed.reason };
      return { kind: 'action', call, channel: parsed.channel, target: parsed.target, text: parsed.text };
    } catch (error) {
      // A spent budget stops the run (the turn is not committed); other call failures are data.
      if (error instanceof ModelCallError && error.kind !== 'budget') {
        const call = callRecords.take(callId);
        return {
          kind: 'call-error',
          call,
          errorKind: error.kind,
          message: error.message,
          attempts: call.attempts.length,
        };
      }
      throw error;
    }
  }
}

type RunSpecMessages = ReturnType<AgentMemory['nextMessages']>;

/** A call's id in events and records: `<runId>/t<turn>/<agentId>` (one call per agent and turn). */
function engineCallId(metadata: CallMetadata): string {
  return `${metadata.runId}/t${metadata.turn}/${metadata.agentId}`;
}

// Conversations are append-only and their message objects persist between calls, so each message is
// hashed once; a call's hash then covers its settings and the list of message hashes. Hashing the
// whole conversation again at every call made request hashing a fifth of a surrogate study's time.
// A message is hashed as its role, a newline (no role contains one) and its content, in one call of
// the one-shot `crypto.hash` (Node >= 20.12): a Hash object per message, JSON-encoding each message
// first and concatenating buffers cost more than the hashing did.
const sha256Hex: (data: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (data) => nodeCrypto.hash('sha256', data)
    : (data) => nodeCrypto.createHash('sha256').update(data).digest('hex');
const messageDigestCache = new WeakMap<object, string>();
function messageDigest(message: RunSpecMessages[number]): string {
  let digest = messageDigestCache.get(message);
  if (digest === undefined) {
    digest = sha256Hex(`${message.role}\n${message.content}`);
    messageDigestCache.set(message, digest);
  }
  return digest;
}

/**
 * The request hash of a built-in model's call: its settings, then each message's own hash (each
 * message is hashed once per run, not once per call). Exported so that readers which rebuild a call's
 * messages (the viewer) can be checked against what the engine sent.
 */
export function builtinRequestHash(
  modelRef: string,
  request: Pick<GenerateRequest, 'messages' | 'temperature' | 'maxTokens' | 'topP' | 'seed'>,
): string {
  const settings = JSON.stringify([
    modelRef,
    request.temperature,
    request.maxTokens,
    request.topP ?? null,
    request.seed,
  ]);
  let digests = '';
  for (const message of request.messages) digests += messageDigest(message);
  return sha256Hex(`${settings}\n${digests}`);
}

type AgentOutcome =
  | { kind: 'action'; call: CallRecord; channel: Channel; target: string | undefined; text: string }
  | { kind: 'parse-error'; call: CallRecord; raw: string; reason: string }
  | { kind: 'call-error'; call: CallRecord; errorKind: string; message: string; attempts: number };

function groupByTurn(events: readonly TranscriptEvent[]): TranscriptEvent[][] {
  const turns: TranscriptEvent[][] = [];
  for (const event of events) {
    const last = turns[turns.length - 1];
    if (last !== undefined && last[0]?.turn === event.turn) last.push(event);
    else turns.push([event]);
  }
  return turns;
}

const AGENT_OUTCOMES = new Set(['action', 'parse-error', 'call-error']);

/**
 * Feeds one turn's events to every memory. Sequential turns are fed in order. In a simultaneous turn
 * every agent acted on the same view, so each agent first records its own outcome and only then
 * sees what the others did.
 */
function feedTurn(
  memories: ReadonlyMap<string, AgentMemory>,
  events: readonly TranscriptEvent[],
  simultaneous: boolean,
): void {
  if (!simultaneous) {
    for (const event of events) for (const memory of memories.values()) memory.observe(event);
    return;
  }
  const outcomes = events.filter((event) => AGENT_OUTCOMES.has(event.type));
  for (const event of events) {
    if (AGENT_OUTCOMES.has(event.type)) continue;
    if (event.type === 'turn-end' || event.type === 'run-end') continue;
    for (const memory of memories.values()) memory.observe(event);
  }
  for (const [agentId, memory] of memories) {
    for (const event of outcomes) if ('agent' in event && event.agent === agentId) memory.observe(event);
    for (const event of outcomes) if ('agent' in event && event.agent !== agentId) memory.observe(event);
  }
}
