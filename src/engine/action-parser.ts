import type { Channel } from '../contracts/index.js';

/**
 * A tolerant parser for the action format every model must use:
 *
 *   [talk] text            [whisper -> Name] text            [monologue] text
 *
 * Tolerated: full-width or other brackets, localised channel names (from the pack's aliases), other
 * arrows or "to", a "Action:" preamble, Markdown fences, reasoning blocks (<think>...</think>), quotes
 * around the text, and several actions (the first is taken, with a note). What cannot be read becomes a
 * `parse-error` event with the reason, never a guess.
 */

export interface Participant {
  id: string;
  name: string;
}

export type ParsedAction =
  | { ok: true; channel: Channel; target?: string; text: string; notes: string[] }
  | { ok: false; reason: string };

export interface ActionParserOptions {
  aliases: Record<Channel, readonly string[]>;
  /** Other group members (whisper targets); the speaker is excluded by the caller. */
  participants: readonly Participant[];
}

const OPEN_BRACKETS = '\\[【［〔(（<';
const CLOSE_BRACKETS = '\\]】］〕)）>';
const ARROW = '(?:->|→|=>|⇒|➔|—>|-->|:|：|\\bto\\b|\\ba\\b|\\ban\\b|\\bà\\b)';
const SQUARE_OPEN = new Set(['[', '【', '［', '〔']);
const THINK_BLOCK = /<think>[\s\S]*?<\/think>/gi;
const FENCE = /```[a-z]*\n?|```/gi;

interface ChannelPatterns {
  channelWords: Map<string, Channel>;
  bracketTag: RegExp;
  colonTag: RegExp;
}

// One set per pack (its aliases object): a study builds a parser per agent per run, and these
// patterns depend only on the channel words.
const channelPatternsByAliases = new WeakMap<ActionParserOptions['aliases'], ChannelPatterns>();

function channelPatterns(aliases: ActionParserOptions['aliases']): ChannelPatterns {
  const known = channelPatternsByAliases.get(aliases);
  if (known !== undefined) return known;
  const channelWords = new Map<string, Channel>();
  for (const channel of ['talk', 'whisper', 'monologue'] as const) {
    channelWords.set(channel, channel);
    for (const alias of aliases[channel]) channelWords.set(normaliseWord(alias), channel);
  }
  const wordAlternation = [...channelWords.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex)
    .join('|');
  const patterns: ChannelPatterns = {
    channelWords,
    bracketTag: new RegExp(
      `[${OPEN_BRACKETS}]\\s*(${wordAlternation})\\s*(?:${ARROW}\\s*([^${CLOSE_BRACKETS.replace('>', '')}\\n]*?))?\\s*[${CLOSE_BRACKETS}]`,
      'giu',
    ),
    colonTag: new RegExp(`^\\s*\\**(${wordAlternation})\\**\\s*(?:${ARROW}\\s*([^:：\\n]+?))?\\s*[:：]`, 'iu'),
  };
  channelPatternsByAliases.set(aliases, patterns);
  return patterns;
}

export function createActionParser(options: ActionParserOptions): (raw: string) => ParsedAction {
  const { channelWords, bracketTag, colonTag } = channelPatterns(options.aliases);

  const participantsByName = options.participants.map((participant) => ({
    participant,
    full: normaliseWord(participant.name),
    tokens: normaliseWord(participant.name).split(/\s+/u),
  }));

  /**
   * Who a written name means: the full name; else the one member sharing the most name tokens with
   * it (a given name alone, "Khoa" for "Đặng Minh Khoa", or a name with a patronymic added); else a
   * unique prefix. Ambiguity is not guessed.
   */
  function resolveTarget(written: string | undefined): Participant | undefined {
    if (written === undefined) return undefined;
    const wanted = normaliseWord(
      written.replace(/^[@"'“”「」]+|["'“”「」]+$/gu, '').replace(/(さん|様|君|ちゃん|씨|님)$/u, ''),
    );
    if (wanted === '') return undefined;
    const exact = participantsByName.find((entry) => entry.full === wanted);
    if (exact !== undefined) return exact.participant;
    const wantedTokens = wanted.split(/\s+/u);
    const scored = participantsByName
      .map((entry) => ({ entry, shared: wantedTokens.filter((token) => entry.tokens.includes(token)).length }))
      .filter((candidate) => candidate.shared > 0)
      .sort((a, b) => b.shared - a.shared);
    if (scored.length > 0 && (scored.length === 1 || scored[0]!.shared > scored[1]!.shared))
      return scored[0]!.entry.participant;
    const prefixed = participantsByName.filter(
      (entry) => entry.full.startsWith(wanted) || wanted.startsWith(entry.full),
    );
    return prefixed.length === 1 ? prefixed[0]!.participant : undefined;
  }

  return (raw: string): ParsedAction => {
    const cleaned = raw.replace(THINK_BLOCK, '').replace(FENCE, '').trim();
    if (cleaned === '') return { ok: false, reason: 'empty response' };
    const notes: string[] = [];

    bracketTag.lastIndex = 0;
    const allTags = [...cleaned.matchAll(bracketTag)];
    // Only square-bracket tags after the first one split a reply into several actions; a word in
    // parentheses inside the text, "(whispering)", is text.
    const tags = allTags.filter((tag, index) => index === 0 || SQUARE_OPEN.has(tag[0].trimStart()[0] ?? ''));
    let channelWord: string | undefined;
    let targetWritten: string | undefined;
    let text: string;
    const first = tags[0];
    if (first !== undefined) {
      channelWord = first[1];
      targetWritten = first[2]?.trim() || undefined;
      const start = first.index + first[0].length;
      const second = tags[1];
      text = cleaned.slice(start, second === undefined ? undefined : second.index);
      if (second !== undefined) notes.push(`response held ${tags.length} actions; the first was taken`);
      const preamble = cleaned
        .slice(0, first.index)
        .replace(/^\s*(action|your action|行動|アクション)\s*[:：]?\s*$/iu, '');
      if (preamble.trim() !== '') notes.push('text before the action tag was ignored');
    } else {
      const colon = colonTag.exec(cleaned);
      if (colon === null) {
        return { ok: false, reason: 'no action tag such as [talk], [whisper -> Name] or [monologue] was found' };
      }
      channelWord = colon[1];
      targetWritten = colon[2]?.trim() || undefined;
      text = cleaned.slice(colon.index + colon[0].length);
      notes.push('action written as "channel:" instead of "[channel]"');
    }
    const channel = channelWord === undefined ? undefined : channelWords.get(normaliseWord(channelWord));
    if (channel === undefined) return { ok: false, reason: `unknown channel "${channelWord ?? ''}"` };

    text = stripQuotes(text.trim());
    if (text === '') return { ok: false, reason: `the ${channel} action has no text` };

    if (channel === 'whisper') {
      if (targetWritten === undefined) {
        // "[whisper] Name: text" is a common variant.
        const leading = /^([^:：,，\n]{1,40})[:：,，]\s*/u.exec(text);
        const candidate = leading?.[1] === undefined ? undefined : resolveTarget(leading[1]);
        if (candidate === undefined || leading === null) {
          return { ok: false, reason: 'a whisper must name its recipient: [whisper -> Name] text' };
        }
        text = stripQuotes(text.slice(leading[0].length).trim());
        return { ok: true, channel, target: candidate.id, text, notes };
      }
      const target = resolveTarget(targetWritten);
      if (target === undefined) {
        return { ok: false, reason: `whisper recipient "${targetWritten}" is not another member of the group` };
      }
      return { ok: true, channel, target: target.id, text, notes };
    }
    if (targetWritten !== undefined) notes.push(`a recipient was given for ${channel} and ignored`);
    return { ok: true, channel, text, notes };
  };
}

/** The canonical written form of an action (what an agent's own history shows). */
export function formatAction(channel: Channel, text: string, targetName?: string): string {
  if (channel === 'whisper') return `[whisper -> ${targetName ?? '?'}] ${text}`;
  return `[${channel}] ${text}`;
}

function normaliseWord(word: string): string {
  return word.normalize('NFKC').toLowerCase().trim();
}

function stripQuotes(text: string): string {
  const pairs: [string, string][] = [
    ['"', '"'],
    ['“', '”'],
    ['「', '」'],
    ['«', '»'],
    ["'", "'"],
  ];
  for (const [open, close] of pairs) {
    if (
      text.length >= 2 &&
      text.startsWith(open) &&
      text.endsWith(close) &&
      text.indexOf(close, open.length) === text.length - close.length
    ) {
      return text.slice(open.length, -close.length).trim();
    }
  }
  return text;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
