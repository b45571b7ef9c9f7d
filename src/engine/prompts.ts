import type { ChatMessage, LanguagePack, Persona, TranscriptEvent } from '../contracts/index.js';
import { formatAction } from './action-parser.js';

/**
 * Prompt rendering and per-agent memory. Each agent's conversation is laid out append-only:
 *
 *   system (interventions + persona + setting + action format)
 *   user (what the agent observed since its last action)   assistant (its action)
 *   user ...                                               assistant ...
 *
 * so consecutive calls of one agent share everything but the newest user message as a prefix, which
 * hosted prompt caches and vLLM prefix caching bill or skip. The memory is built from transcript
 * events only, by the same code live and on resume, so a resumed run sees exactly the same prompts.
 */

export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, key: string) => {
    const value = values[key];
    return value === undefined ? whole : String(value);
  });
}

export interface AgentIdentity {
  id: string;
  persona: Persona;
  interventions: readonly string[];
}

export function renderSystemPrompt(
  pack: LanguagePack,
  agent: AgentIdentity,
  others: readonly AgentIdentity[],
  turns: number,
): string {
  const othersList = others.map((other) => other.persona.name).join(', ');
  const interventionTexts = agent.interventions.map((id) => {
    const text = pack.prompts.interventions[id];
    if (text === undefined) throw new Error(`language pack ${pack.meta.tag} has no intervention "${id}"`);
    return text.trim();
  });
  const system = fillTemplate(pack.prompts.system, {
    name: agent.persona.name,
    persona: `${agent.persona.role}. ${agent.persona.description}`,
    setting: pack.scenario.setting,
    others: othersList,
    turns,
  });
  const format = fillTemplate(pack.prompts.actionFormat, { others: othersList });
  return [...interventionTexts, system.trim(), format.trim()].join('\n\n');
}

interface Observation {
  turn: number;
  line: string;
}

/** One agent's view of the run, fed event by event. */
export class AgentMemory {
  private readonly messages: ChatMessage[];
  private pending: Observation[] = [];
  /** `nextMessages()` until the memory changes: the request and the committed history then share
   * message objects, which the engine's request hashing relies on to hash each message once. */
  private next: ChatMessage[] | undefined;

  constructor(
    private readonly pack: LanguagePack,
    private readonly agentId: string,
    systemPrompt: string,
    private readonly namesById: ReadonlyMap<string, string>,
    private readonly totalTurns: number,
    private readonly memoryWindow: number | null,
  ) {
    this.messages = [{ role: 'system', content: systemPrompt }];
  }

  observe(event: TranscriptEvent): void {
    this.next = undefined;
    const prompts = this.pack.prompts;
    switch (event.type) {
      case 'event-injected': {
        this.pending.push({
          turn: event.turn,
          line: fillTemplate(prompts.turnHeader, { turn: event.turn, turns: this.totalTurns }),
        });
        this.pending.push({ turn: event.turn, line: fillTemplate(prompts.announcement, { text: event.text }) });
        return;
      }
      case 'action': {
        if (event.agent === this.agentId) {
          this.commitOwn(
            formatAction(
              event.channel,
              event.text,
              event.target === undefined ? undefined : this.namesById.get(event.target),
            ),
          );
          return;
        }
        const speaker = this.namesById.get(event.agent) ?? event.agent;
        if (event.channel === 'talk') {
          this.pending.push({
            turn: event.turn,
            line: fillTemplate(prompts.talkObserved, { speaker, text: event.text }),
          });
        } else if (event.channel === 'whisper' && event.target === this.agentId) {
          this.pending.push({
            turn: event.turn,
            line: fillTemplate(prompts.whisperObserved, { speaker, text: event.text }),
          });
        }
        return;
      }
      case 'parse-error': {
        // The agent's unreadable answer stays in its own history: that is what it said.
        if (event.agent === this.agentId) this.commitOwn(event.raw);
        return;
      }
      case 'call-error': {
        if (event.agent === this.agentId) this.recordFailedCall();
        return;
      }
      default:
        return;
    }
  }

  /** The messages for this agent's next call: history plus a user message of what it observed. */
  nextMessages(): ChatMessage[] {
    this.next ??= this.buildNextMessages();
    return this.next;
  }

  private buildNextMessages(): ChatMessage[] {
    const observationText = this.renderPending();
    const history = this.windowed();
    const last = history[history.length - 1];
    // After a failed call there is no assistant turn; extend the open user message (still a prefix).
    if (last !== undefined && last.role === 'user') {
      return [...history.slice(0, -1), { role: 'user', content: `${last.content}\n\n${observationText}` }];
    }
    return [...history, { role: 'user', content: observationText }];
  }

  /** This agent's call failed: its observations stay in the conversation, unanswered. */
  private recordFailedCall(): void {
    const messages = this.nextMessages();
    this.messages.length = 0;
    this.messages.push(...messages);
    this.pending = [];
    this.next = undefined;
  }

  private commitOwn(actionText: string): void {
    const messages = this.nextMessages();
    this.messages.length = 0;
    this.messages.push(...messages, { role: 'assistant', content: actionText });
    this.pending = [];
    this.next = undefined;
  }

  private renderPending(): string {
    const lines = this.pending.map((observation) => observation.line);
    if (lines.length === 0) lines.push(this.pack.prompts.nothingObserved);
    lines.push(this.pack.prompts.actionRequest);
    return lines.join('\n');
  }

  /** Full history, or the system prompt plus the last `memoryWindow` exchanges. */
  private windowed(): ChatMessage[] {
    if (this.memoryWindow === null) return this.messages;
    const [system, ...rest] = this.messages;
    const keep = this.memoryWindow * 2 + (rest.length % 2);
    return system === undefined ? rest : [system, ...rest.slice(Math.max(0, rest.length - keep))];
  }
}
