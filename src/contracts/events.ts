import { z } from 'zod';
import { ChannelSchema } from './language-pack.js';
import { PhaseNameSchema } from './scenario-phases.js';

/**
 * Transcript events: an append-only, versioned discriminated union. A run is reproducible from its
 * events plus its manifest. Events carry no wall-clock time, so that two runs with the same seeds have
 * identical transcripts; timing lives with the calls.
 */

export const EVENT_FORMAT_VERSION = 1;

const EventBase = {
  v: z.literal(EVENT_FORMAT_VERSION),
  runId: z.string(),
  /** Position in the run's transcript, from 0, without gaps. */
  seq: z.number().int().min(0),
  turn: z.number().int().min(0),
};

export const AgentSetupSchema = z
  .object({
    id: z.string(),
    personaId: z.string(),
    name: z.string(),
    interventions: z.array(z.string()),
  })
  .strict();
export type AgentSetup = z.infer<typeof AgentSetupSchema>;

export const RunStartEventSchema = z
  .object({
    ...EventBase,
    type: z.literal('run-start'),
    language: z.string(),
    model: z.string(),
    dose: z.number().int(),
    replicate: z.number().int(),
    seed: z.number().int(),
    agents: z.array(AgentSetupSchema),
  })
  .strict();

export const TurnStartEventSchema = z
  .object({ ...EventBase, type: z.literal('turn-start'), order: z.array(z.string()) })
  .strict();

export const EventInjectedEventSchema = z
  .object({ ...EventBase, type: z.literal('event-injected'), phase: PhaseNameSchema, text: z.string() })
  .strict();

export const ActionEventSchema = z
  .object({
    ...EventBase,
    type: z.literal('action'),
    agent: z.string(),
    channel: ChannelSchema,
    /** Whisper recipient (agent id). */
    target: z.string().optional(),
    text: z.string(),
    callId: z.string(),
  })
  .strict();

export const ParseErrorEventSchema = z
  .object({
    ...EventBase,
    type: z.literal('parse-error'),
    agent: z.string(),
    callId: z.string(),
    raw: z.string(),
    reason: z.string(),
  })
  .strict();

export const CallErrorEventSchema = z
  .object({
    ...EventBase,
    type: z.literal('call-error'),
    agent: z.string(),
    callId: z.string(),
    kind: z.string(),
    message: z.string(),
    attempts: z.number().int().min(0),
  })
  .strict();

export const TurnEndEventSchema = z.object({ ...EventBase, type: z.literal('turn-end') }).strict();

export const RunEndEventSchema = z
  .object({
    ...EventBase,
    type: z.literal('run-end'),
    status: z.enum(['completed', 'failed', 'stopped']),
    reason: z.string().optional(),
  })
  .strict();

export const TranscriptEventSchema = z.discriminatedUnion('type', [
  RunStartEventSchema,
  TurnStartEventSchema,
  EventInjectedEventSchema,
  ActionEventSchema,
  ParseErrorEventSchema,
  CallErrorEventSchema,
  TurnEndEventSchema,
  RunEndEventSchema,
]);

export type TranscriptEvent = z.infer<typeof TranscriptEventSchema>;
export type RunStartEvent = z.infer<typeof RunStartEventSchema>;
export type ActionEvent = z.infer<typeof ActionEventSchema>;
export type ParseErrorEvent = z.infer<typeof ParseErrorEventSchema>;
export type CallErrorEvent = z.infer<typeof CallErrorEventSchema>;
export type RunEndEvent = z.infer<typeof RunEndEventSchema>;

/** An event before the store assigns it a position. */
export type UnsequencedEvent = TranscriptEvent extends infer E
  ? E extends TranscriptEvent
    ? Omit<E, 'seq' | 'v' | 'runId'>
    : never
  : never;
