/**
 * Prompt-prefix measurement: for each agent, how much of each prompt is a prefix of that agent's
 * previous prompt. Hosted prompt caches and vLLM's prefix caching skip (and bill less for) exactly
 * that part, so the engine's prompt layout should keep it high (DESIGN.md: >= 90% for consecutive
 * calls of one agent).
 *
 * Tokens are approximated without a model tokenizer: a run of letters or digits is one token, except
 * that each Han, kana and Hangul character is one token (those scripts do not separate words with
 * spaces), every other non-space character is one token, and whitespace runs are one token.
 */

const TOKEN_PATTERN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}\p{N}_]+|[^\s]|\s+/gu;

export function approximateTokens(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/** The prompt as one token sequence; role markers are tokens too, as in real chat templates. */
export function promptTokens(messages: readonly { role: string; content: string }[]): string[] {
  const tokens: string[] = [];
  for (const message of messages) {
    tokens.push(`<|${message.role}|>`, ...approximateTokens(message.content), '<|end|>');
  }
  return tokens;
}

export function sharedPrefixLength(previous: readonly string[], current: readonly string[]): number {
  const length = Math.min(previous.length, current.length);
  let index = 0;
  while (index < length && previous[index] === current[index]) {
    index += 1;
  }
  return index;
}

export interface AgentPrefixStats {
  calls: number;
  /** Calls after the agent's first (each compared with the one before). */
  pairs: number;
  /** Prompt tokens of those later calls. */
  promptTokens: number;
  sharedPrefixTokens: number;
  /** sharedPrefixTokens / promptTokens, or null before the second call. */
  share: number | null;
  /** The share of the most recent call, or null before the second call. */
  lastShare: number | null;
}

export interface PrefixSummary {
  agents: number;
  pairs: number;
  promptTokens: number;
  sharedPrefixTokens: number;
  share: number | null;
  /** The smallest per-call share seen. */
  minimumShare: number | null;
}

/** Previous prompts kept for at most this many agents (least recently seen dropped first). */
const REMEMBERED_AGENTS = 4096;

export class PrefixTracker {
  readonly #previous = new Map<string, string[]>();
  readonly #stats = new Map<string, AgentPrefixStats>();
  #minimumShare: number | null = null;

  /** Records a prompt of `agent`; returns the tokens it shares with the agent's previous prompt. */
  observe(agent: string, tokens: string[]): number {
    let stats = this.#stats.get(agent);
    if (stats === undefined) {
      stats = { calls: 0, pairs: 0, promptTokens: 0, sharedPrefixTokens: 0, share: null, lastShare: null };
      this.#stats.set(agent, stats);
    }
    stats.calls += 1;
    const previous = this.#previous.get(agent);
    // Re-inserting keeps the map in least-recently-seen order.
    this.#previous.delete(agent);
    this.#previous.set(agent, tokens);
    if (this.#previous.size > REMEMBERED_AGENTS) {
      const oldest = this.#previous.keys().next();
      if (oldest.done !== true) {
        this.#previous.delete(oldest.value);
      }
    }
    if (previous === undefined) {
      return 0;
    }
    const shared = sharedPrefixLength(previous, tokens);
    stats.pairs += 1;
    stats.promptTokens += tokens.length;
    stats.sharedPrefixTokens += shared;
    stats.share = stats.promptTokens === 0 ? null : stats.sharedPrefixTokens / stats.promptTokens;
    stats.lastShare = tokens.length === 0 ? null : shared / tokens.length;
    if (stats.lastShare !== null) {
      this.#minimumShare =
        this.#minimumShare === null ? stats.lastShare : Math.min(this.#minimumShare, stats.lastShare);
    }
    return shared;
  }

  agents(): Record<string, AgentPrefixStats> {
    return Object.fromEntries([...this.#stats].map(([agent, stats]) => [agent, { ...stats }]));
  }

  summary(): PrefixSummary {
    let pairs = 0;
    let prompt = 0;
    let shared = 0;
    for (const stats of this.#stats.values()) {
      pairs += stats.pairs;
      prompt += stats.promptTokens;
      shared += stats.sharedPrefixTokens;
    }
    return {
      agents: this.#stats.size,
      pairs,
      promptTokens: prompt,
      sharedPrefixTokens: shared,
      share: prompt === 0 ? null : shared / prompt,
      minimumShare: this.#minimumShare,
    };
  }

  reset(): void {
    this.#previous.clear();
    this.#stats.clear();
    this.#minimumShare = null;
  }
}
