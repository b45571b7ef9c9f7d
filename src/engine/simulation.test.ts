import { describe, expect, it } from 'vitest';
import { type GenerateRequest, ModelCallError, type TranscriptEvent } from '../contracts/index.js';
import { loadLanguagePack } from '../languages/index.js';
import { createMockModel, errorFromRecord } from '../models/index.js';
import { builtinRequestHash, planAgents, type RunSpec, simulateRun, type TurnBatch } from './simulation.js';

const pack = loadLanguagePack('en');

function spec(overrides: Partial<RunSpec> & Pick<RunSpec, 'model'>): RunSpec {
  return {
    runId: 'run-1',
    cellId: 'en.k2',
    pack,
    modelRef: overrides.model.ref,
    agents: 4,
    turns: 3,
    dose: 2,
    doseIntervention: 'alignment',
    background: [],
    placement: 'random',
    seed: 11,
    replicate: 0,
    sampling: { temperature: 0.9, maxTokens: 64 },
    memoryWindow: null,
    turnPolicy: 'sequential-shuffled',
    ...overrides,
  };
}

const talker = (request: GenerateRequest, index: number) => `[talk] message ${index} from ${request.metadata.agentId}`;

async function collect(runSpec: RunSpec, stored: TranscriptEvent[] = []) {
  const batches: TurnBatch[] = [];
  const outcome = await simulateRun(runSpec, { commitTurn: (batch) => batches.push(batch) }, stored);
  return { batches, outcome, events: batches.flatMap((batch) => batch.events) };
}

describe('simulateRun', () => {
  it('emits a well-formed transcript: run-start, then per turn start, announcement, N outcomes, end', async () => {
    const model = createMockModel(talker);
    const { events, batches, outcome } = await collect(spec({ model }));
    expect(outcome).toMatchObject({ status: 'completed', turnsCompleted: 3, callsMade: 12 });
    // The run-start is committed with the first turn (one transaction per turn, none extra).
    expect(batches.map((batch) => batch.turn)).toEqual([1, 2, 3]);
    expect(batches[0]?.events[0]?.type).toBe('run-start');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index));
    expect(events[0]?.type).toBe('run-start');
    const turnOne = events.filter((event) => event.turn === 1).map((event) => event.type);
    expect(turnOne).toEqual(['turn-start', 'event-injected', 'action', 'action', 'action', 'action', 'turn-end']);
    expect(events[events.length - 1]).toMatchObject({ type: 'run-end', status: 'completed' });
    // Real re-samples: every call carries its own seed and the replicate index.
    const seeds = new Set(model.requests.map((request) => request.seed));
    expect(seeds.size).toBe(12);
    expect(model.requests.every((request) => request.metadata.replicate === 0)).toBe(true);
  });

  it('places the dose on exactly k agents, seeded', () => {
    const agents = planAgents({
      pack,
      agents: 10,
      dose: 3,
      doseIntervention: 'alignment',
      background: ['individuation'],
      placement: 'random',
      seed: 5,
    });
    expect(agents.filter((agent) => agent.interventions.includes('alignment'))).toHaveLength(3);
    expect(agents.every((agent) => agent.interventions[0] === 'individuation')).toBe(true);
    expect(
      planAgents({
        pack,
        agents: 10,
        dose: 3,
        doseIntervention: 'alignment',
        background: [],
        placement: 'random',
        seed: 5,
      }),
    ).toEqual(
      planAgents({
        pack,
        agents: 10,
        dose: 3,
        doseIntervention: 'alignment',
        background: [],
        placement: 'random',
        seed: 5,
      }),
    );
    // The scenario's target member always plays, even in a small group.
    const small = planAgents({
      pack,
      agents: 3,
      dose: 0,
      doseIntervention: 'alignment',
      background: [],
      placement: 'first',
      seed: 1,
    });
    expect(small.map((agent) => agent.id)).toContain(pack.scenario.targetPersonaId);
  });

  it('lays prompts out append-only: each call of an agent extends its previous call', async () => {
    const model = createMockModel(talker);
    await collect(spec({ model, turns: 5 }));
    const byAgent = new Map<string, GenerateRequest[]>();
    for (const request of model.requests) {
      byAgent.set(request.metadata.agentId, [...(byAgent.get(request.metadata.agentId) ?? []), request]);
    }
    for (const requests of byAgent.values()) {
      for (let index = 1; index < requests.length; index += 1) {
        const previous = requests[index - 1]!.messages;
        const current = requests[index]!.messages;
        expect(current.slice(0, previous.length)).toEqual(previous);
        expect(current[previous.length]?.role).toBe('assistant');
        expect(current[current.length - 1]?.role).toBe('user');
      }
    }
  });

  it('gives whispers only to their recipient and monologues to nobody else', async () => {
    const model = createMockModel((request) => {
      const first = request.metadata.participants[0]!;
      if (request.metadata.agentId === 'p01') return `[whisper -> ${first.name}] secret-for-${first.id}`;
      if (request.metadata.agentId === 'p02') return '[monologue] private-thought';
      return '[talk] public-words';
    });
    await collect(spec({ model, turns: 3, agents: 4, turnPolicy: 'sequential-fixed' }));
    for (const request of model.requests) {
      const seen = request.messages
        .filter((message) => message.role === 'user')
        .map((message) => message.content)
        .join('\n');
      if (request.metadata.agentId !== 'p02') expect(seen).not.toContain('private-thought');
      // p01 acts first in every turn, so p02 sees each whisper in its very next call.
      if (request.metadata.agentId !== 'p01')
        expect(seen.includes('secret-for-p02')).toBe(request.metadata.agentId === 'p02');
    }
  });

  it('records unreadable answers and failed calls as events, and goes on', async () => {
    const model = createMockModel((request, index) => {
      if (index % 4 === 1) return 'no format at all';
      if (index % 4 === 2) return new ModelCallError('server', 'boom', { status: 500 });
      return `[talk] ok ${request.metadata.turn}`;
    });
    const { events, batches } = await collect(spec({ model }));
    expect(events.filter((event) => event.type === 'parse-error')).toHaveLength(3);
    expect(events.filter((event) => event.type === 'call-error')).toHaveLength(3);
    expect(events.filter((event) => event.type === 'action')).toHaveLength(6);
    const failed = batches.flatMap((batch) => batch.calls).filter((call) => call.error !== null);
    expect(failed).toHaveLength(3);
    expect(failed[0]?.error).toMatch(/server: boom/);
  });

  it("takes each call's record from the recorder wrapper: the engine's ids, the run's model name, parse notes", async () => {
    // A study's reference the worker mapped to a local model: records carry the study's reference.
    const model = createMockModel((request, index) => {
      if (index === 0) return new ModelCallError('rate-limit', '429 slow down', { status: 429 });
      return `Sure. [talk] ok ${request.metadata.turn}`;
    }, 'mock:local-name');
    const { events, batches } = await collect(spec({ model, modelRef: 'mock:study-name', turns: 1 }));
    const calls = batches.flatMap((batch) => batch.calls);
    const outcomes = events.filter((event) => event.type === 'action' || event.type === 'call-error');
    expect(calls.map((call) => call.callId)).toEqual(outcomes.map((event) => event.callId));
    expect(calls.every((call) => /^run-1\/t1\/p\d\d$/.test(call.callId))).toBe(true);
    expect(new Set(calls.map((call) => call.model))).toEqual(new Set(['mock:study-name']));
    const [failed, answered] = calls;
    // The decided failure text is the recorder's `<code>: <message>`, from which replay rebuilds the kind.
    expect(failed?.error).toBe('model-call-rate-limit: 429 slow down');
    expect(errorFromRecord(failed!).kind).toBe('rate-limit');
    expect(answered?.attempts).toEqual([{ attempt: 1, outcome: 'success' }]);
    expect(answered?.warnings).toEqual(['parse: text before the action tag was ignored']);
  });

  it('stores every call in the format the engine stored before the recorder wrote them (Studies 1-4 unchanged)', async () => {
    const model = createMockModel(talker);
    const { batches } = await collect(spec({ model, turns: 2 }));
    const calls = batches.flatMap((batch) => batch.calls);
    expect(calls).toHaveLength(model.requests.length);
    // Calls are recorded in the order they were made (sequential policy), so request i is call i.
    calls.forEach((call, index) => {
      const request = model.requests[index]!;
      const text = talker(request, index);
      expect({ ...call, latencyMs: 0 }).toEqual({
        callId: `run-1/t${request.metadata.turn}/${request.metadata.agentId}`,
        runId: 'run-1',
        turn: request.metadata.turn,
        agentId: request.metadata.agentId,
        model: 'mock:custom',
        modelVersion: 'mock:custom@1',
        requestHash: builtinRequestHash('mock:custom', request),
        promptTokens: request.messages.reduce((total, message) => total + Math.ceil(message.content.length / 4), 0),
        completionTokens: Math.ceil(text.length / 4),
        cachedPromptTokens: null,
        latencyMs: 0,
        attempts: [{ attempt: 1, outcome: 'success' }],
        cached: false,
        finishReason: 'stop',
        costUsd: null,
        warnings: [],
        text,
        error: null,
      });
    });
  });

  it('resumes from stored turns with the same prompts and outcome as an uninterrupted run', async () => {
    const full = createMockModel(talker);
    const uninterrupted = await collect(spec({ model: full, turns: 4 }));
    const stored = uninterrupted.batches.filter((batch) => batch.turn <= 2).flatMap((batch) => batch.events);
    const resumedModel = createMockModel((request) =>
      talker(
        request,
        full.requests.findIndex((previous) => previous.seed === request.seed),
      ),
    );
    const resumed = await collect(spec({ model: resumedModel, turns: 4 }), stored);
    expect(resumed.outcome).toMatchObject({ turnsRun: 2, turnsCompleted: 4 });
    expect([...stored, ...resumed.events]).toEqual(uninterrupted.events);
    // The resumed calls saw exactly the prompts of the uninterrupted run's turns 3 and 4.
    const later = full.requests.filter((request) => request.metadata.turn > 2);
    expect(resumedModel.requests.map((request) => request.messages)).toEqual(later.map((request) => request.messages));
    // Request hashes of models without their own key (built-in models) identify the request: the
    // resumed calls, rebuilt from stored events, hash as the uninterrupted ones did; no two calls share one.
    const hashes = (batches: TurnBatch[], fromTurn: number) =>
      batches.filter((batch) => batch.turn >= fromTurn).flatMap((batch) => batch.calls.map((call) => call.requestHash));
    expect(hashes(resumed.batches, 3)).toEqual(hashes(uninterrupted.batches, 3));
    const all = hashes(uninterrupted.batches, 1);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((hash) => /^[0-9a-f]{64}$/.test(hash))).toBe(true);
  });

  it('in the simultaneous policy every agent acts on the same view', async () => {
    const model = createMockModel(
      (request) => `[talk] said by ${request.metadata.agentId} in turn ${request.metadata.turn}`,
    );
    const { events } = await collect(spec({ model, turnPolicy: 'simultaneous', turns: 2 }));
    const turnOneRequests = model.requests.filter((request) => request.metadata.turn === 1);
    for (const request of turnOneRequests) {
      expect(request.messages.map((message) => message.content).join('\n')).not.toContain('said by');
    }
    const turnTwo = model.requests.filter((request) => request.metadata.turn === 2);
    for (const request of turnTwo) {
      const observed = request.messages[request.messages.length - 1]!.content;
      expect(request.metadata.participants).toHaveLength(3);
      for (const other of request.metadata.participants) expect(observed).toContain(`said by ${other.id} in turn 1`);
    }
    expect(events.filter((event) => event.type === 'action')).toHaveLength(8);
  });

  it('keeps only the last exchanges with a memory window', async () => {
    const model = createMockModel(talker);
    await collect(spec({ model, turns: 5, memoryWindow: 1 }));
    const lastCall = model.requests[model.requests.length - 1]!;
    expect(lastCall.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });
});
