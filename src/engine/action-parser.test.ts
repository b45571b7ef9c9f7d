import { describe, expect, it } from 'vitest';
import { createActionParser, formatAction } from './action-parser.js';

const parse = createActionParser({
  aliases: { talk: ['say', '発言'], whisper: ['囁き', 'dm'], monologue: ['独白', 'thought'] },
  participants: [
    { id: 'p02', name: 'Daniel Brooks' },
    { id: 'p07', name: 'Owen Price' },
    { id: 'p05', name: '加藤 翔' },
    { id: 'p08', name: 'Đặng Minh Khoa' },
    { id: 'p09', name: 'Анна Петрова' },
  ],
});

describe('the action parser', () => {
  it('reads the three canonical forms', () => {
    expect(parse('[talk] We stay together.')).toEqual({
      ok: true,
      channel: 'talk',
      text: 'We stay together.',
      notes: [],
    });
    expect(parse('[whisper -> Owen Price] Are you all right?')).toEqual({
      ok: true,
      channel: 'whisper',
      target: 'p07',
      text: 'Are you all right?',
      notes: [],
    });
    expect(parse('[monologue] I am afraid.')).toMatchObject({ ok: true, channel: 'monologue', text: 'I am afraid.' });
  });

  it('tolerates variants real models produce', () => {
    expect(parse('【独白】怖い。')).toMatchObject({ ok: true, channel: 'monologue', text: '怖い。' });
    expect(parse('[WHISPER → owen] psst')).toMatchObject({ ok: true, channel: 'whisper', target: 'p07', text: 'psst' });
    expect(parse('[whisper to Daniel] hi')).toMatchObject({ ok: true, target: 'p02' });
    expect(parse('[囁き -> 加藤さん] 大丈夫？')).toMatchObject({ ok: true, target: 'p05' });
    expect(parse('[whisper -> Khoa] ổn không?')).toMatchObject({ ok: true, target: 'p08' });
    expect(parse('[whisper -> Анна Сергеевна Петрова] тихо')).toMatchObject({ ok: true, target: 'p09' });
    expect(parse('<think>they want me to comply</think>\n[talk] "No."')).toMatchObject({
      ok: true,
      channel: 'talk',
      text: 'No.',
    });
    expect(parse('```\n[say] fine\n```')).toMatchObject({ ok: true, channel: 'talk', text: 'fine' });
    expect(parse('Talk: I agree.')).toMatchObject({ ok: true, channel: 'talk', text: 'I agree.' });
    expect(parse('[whisper] Owen Price: keep your head down')).toMatchObject({
      ok: true,
      target: 'p07',
      text: 'keep your head down',
    });
  });

  it('reads a word in parentheses as text, not as a second action', () => {
    expect(parse('[whisper -> Owen Price] (murmuring) Courage.')).toMatchObject({
      ok: true,
      text: '(murmuring) Courage.',
    });
  });

  it('takes the first of several actions and says so', () => {
    const parsed = parse('[talk] one [monologue] two');
    expect(parsed).toMatchObject({ ok: true, channel: 'talk', text: 'one' });
    expect(parsed.ok && parsed.notes[0]).toMatch(/2 actions/);
  });

  it('turns unreadable answers into reasons, never guesses', () => {
    expect(parse('')).toEqual({ ok: false, reason: 'empty response' });
    expect(parse('I think we should stay calm.')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no action tag/),
    });
    expect(parse('[talk]   ')).toMatchObject({ ok: false, reason: expect.stringMatching(/no text/) });
    expect(parse('[whisper -> Nobody] hi')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not another member/),
    });
    expect(parse('[whisper] hello there')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must name its recipient/),
    });
  });

  it('formats actions canonically', () => {
    expect(formatAction('whisper', 'hi', 'Owen Price')).toBe('[whisper -> Owen Price] hi');
    expect(formatAction('talk', 'hi')).toBe('[talk] hi');
  });
});
