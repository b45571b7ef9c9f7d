/**
 * Prompt-prefix measurement: for each agent, how much of each prompt is a prefix of that agent's
 * previous prompt. Hosted prompt caches and vLLM's prefix caching skip (and bill less for) exactly
 * that part, so the engine's prompt layout should keep it high (bench/README.md: >= 90% for consecutive
 * calls of one agent).
 *
 * Tokens are approximated without a model tokenizer: a run of letters or digits is one token, except
 * that each Han, kana and Hangul character is one token (those scripts do not separate words with
 * spaces), every other non-space character is one token, and whitespace runs are one token. Role
 * markers are one token each, as in real chat templates.
 *
 * The tracker is incremental because it runs inside the mock server on every request, and the
 * server's own work must not inflate the "fixed" latency the scheduler benchmark relies on: only the
 * part of a prompt after its divergence from the agent's previous prompt is tokenized. The result is
 * exactly that of comparing the two full token sequences (`sharedPrefixLength`), which the tests check.
 */

// Every character matches one of the alternatives, so a sticky scan never skips text.
const TOKEN_PATTERN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}\p{N}_]+|[^\s]|\s+/uy;

export function approximateTokens(text: string): string[] {
  const ends = tokenSpans(text, 0);
  return ends.map((end, index) => text.slice(index === 0 ? 0 : ends[index - 1], end));
}

/** Exclusive end offsets of the tokens of `text` from `start` (which must be a token boundary). */
function tokenSpans(text: string, start: number): number[] {
  const ends: number[] = [];
  TOKEN_PATTERN.lastIndex = start;
  while (TOKEN_PATTERN.lastIndex < text.length) {
    if (TOKEN_PATTERN.exec(text) === null) {
      break;
    }
    ends.push(TOKEN_PATTERN.lastIndex);
  }
  return ends;
}

// Private-use characters stand for the chat template's markers: each is one `[^\s]` token and never
// occurs in the engine's prompts.
const ROLE_MARKERS: Record<string, string> = { system: '\uE000', user: '\uE001', assistant: '\uE002' };
const OTHER_ROLE_MARKER = '\uE003';
const END_MARKER = '\uE004';

/** The prompt as one string in which each role and end marker is a single token. */
export function flattenPrompt(messages: readonly { role: string; content: string }[]): string {
  let flat = '';
  for (const message of messages) {
    flat += (ROLE_MARKERS[message.role] ?? OTHER_ROLE_MARKER) + message.content + END_MARKER;
  }
  return flat;
}

/** The prompt as one token sequence (the reference form of the measure; the tracker avoids building it). */
export function promptTokens(messages: readonly { role: string; content: string }[]): string[] {
  return approximateTokens(flattenPrompt(messages));
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

/** One observed prompt: its flattened text and its tokens' exclusive end offsets. */
export interface TokenizedPrompt {
  text: string;
  ends: number[];
}

/** Previous prompts kept for at most this many agents (least recently seen dropped first). */
const REMEMBERED_AGENTS = 4096;

/** Length of the common prefix of two strings, never splitting a surrogate pair. */
function commonPrefixLength(first: string, second: string): number {
  const length = Math.min(first.length, second.length);
  let index = 0;
  while (index < length && first.charCodeAt(index) === second.charCodeAt(index)) {
    index += 1;
  }
  if (index > 0 && index < length) {
    const previous = first.charCodeAt(index - 1);
    if (previous >= 0xd800 && previous <= 0xdbff) {
      index -= 1;
    }
  }
  return index;
}

/** Number of entries of the ascending `ends` that are below `limit`. */
function countBelow(ends: readonly number[], limit: number): number {
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ends[middle] as number) < limit) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/**
 * Tokenizes `text` reusing `previous`: a token of the previous prompt that ends before the first
 * differing character is also a token of this one (the scan decides where a token ends by looking at
 * the character at its end, identical in both), so scanning restarts at the first token that may
 * differ. Returns the tokens and how many leading tokens the two prompts share.
 */
export function tokenizeAgainst(
  previous: TokenizedPrompt | undefined,
  text: string,
): { prompt: TokenizedPrompt; shared: number } {
  if (previous === undefined) {
    return { prompt: { text, ends: tokenSpans(text, 0) }, shared: 0 };
  }
  const stable = countBelow(previous.ends, commonPrefixLength(previous.text, text));
  const restart = stable === 0 ? 0 : (previous.ends[stable - 1] as number);
  const ends = previous.ends.slice(0, stable);
  for (const end of tokenSpans(text, restart)) {
    ends.push(end);
  }
  // Tokens from `restart` on may still coincide (e.g. "cat." and "cat!" share "cat").
  let shared = stable;
  const limit = Math.min(ends.length, previous.ends.length);
  while (shared < limit) {
    const start = shared === 0 ? 0 : (ends[shared - 1] as number);
    const previousStart = shared === 0 ? 0 : (previous.ends[shared - 1] as number);
    if (
      start !== previousStart ||
      ends[shared] !== previous.ends[shared] ||
      text.slice(start, ends[shared]) !== previous.text.slice(previousStart, previous.ends[shared])
    ) {
      break;
    }
    shared += 1;
  }
  return { prompt: { text, ends }, shared };
}

export class PrefixTracker {
  readonly #previous = new Map<string, TokenizedPrompt>();
  readonly #stats = new Map<string, AgentPrefixStats>();
  #minimumShare: number | null = null;

  /**
   * Records a prompt of `agent` (flattened by `flattenPrompt`); returns its token count and the
   * tokens it shares with the agent's previous prompt.
   */
  observe(agent: string, text: string): { promptTokens: number; sharedTokens: number } {
    let stats = this.#stats.get(agent);
    if (stats === undefined) {
      stats = { calls: 0, pairs: 0, promptTokens: 0, sharedPrefixTokens: 0, share: null, lastShare: null };
      this.#stats.set(agent, stats);
    }
    stats.calls += 1;
    const previous = this.#previous.get(agent);
    const { prompt, shared } = tokenizeAgainst(previous, text);
    const tokens = prompt.ends.length;
    // Re-inserting keeps the map in least-recently-seen order.
    this.#previous.delete(agent);
    this.#previous.set(agent, prompt);
    if (this.#previous.size > REMEMBERED_AGENTS) {
      const oldest = this.#previous.keys().next();
      if (oldest.done !== true) {
        this.#previous.delete(oldest.value);
      }
    }
    if (previous === undefined) {
      return { promptTokens: tokens, sharedTokens: 0 };
    }
    stats.pairs += 1;
    stats.promptTokens += tokens;
    stats.sharedPrefixTokens += shared;
    stats.share = stats.promptTokens === 0 ? null : stats.sharedPrefixTokens / stats.promptTokens;
    stats.lastShare = tokens === 0 ? null : shared / tokens;
    if (stats.lastShare !== null) {
      this.#minimumShare =
        this.#minimumShare === null ? stats.lastShare : Math.min(this.#minimumShare, stats.lastShare);
    }
    return { promptTokens: tokens, sharedTokens: shared };
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
