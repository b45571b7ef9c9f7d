import type { CallMetadata, GenerateRequest, GenerateResult } from '../contracts/index.js';
import type { ChatModel } from './chat-model.js';

/**
 * Small builders shared by the model layer's tests (requests, and a model that plays back a list of
 * outcomes). Not part of the public surface.
 */

export function testRequest(
  overrides: Omit<Partial<GenerateRequest>, 'metadata'> & { metadata?: Partial<CallMetadata> } = {},
): GenerateRequest {
  const { metadata, ...rest } = overrides;
  return {
    messages: [
      { role: 'system', content: 'You are Aiko, a member of the group.' },
      { role: 'user', content: 'Turn 1. The facility rules were read out. What do you do?' },
    ],
    temperature: 0.7,
    maxTokens: 64,
    seed: 42,
    ...rest,
    metadata: {
      runId: 'run-1',
      cellId: 'en.k0',
      agentId: 'agent-1',
      turn: 1,
      language: 'en',
      replicate: 0,
      participants: [],
      ...metadata,
    },
  };
}

export function testResult(overrides: Partial<GenerateResult> = {}): GenerateResult {
  return {
    text: '[talk] hello',
    usage: { promptTokens: 100, completionTokens: 20 },
    finishReason: 'stop',
    modelVersion: 'test-model@fp_1',
    warnings: [],
    ...overrides,
  };
}

/** A model answering from `outcomes` in order (an Error is thrown), repeating the last one. */
export function sequenceModel(
  outcomes: readonly (
    | GenerateResult
    | Error
    | ((request: GenerateRequest) => GenerateResult | Promise<GenerateResult>)
  )[],
  ref = 'test:model',
): ChatModel & { calls: GenerateRequest[] } {
  const calls: GenerateRequest[] = [];
  return {
    ref,
    surrogate: false,
    calls,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const outcome = outcomes[Math.min(calls.length, outcomes.length - 1)];
      calls.push(request);
      if (outcome === undefined) {
        throw new Error('sequenceModel has no outcomes');
      }
      if (outcome instanceof Error) {
        throw outcome;
      }
      if (typeof outcome === 'function') {
        return outcome(request);
      }
      return structuredClone(outcome);
    },
  };
}
