import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadLanguagePack } from '../languages/index.js';
import { createScriptNormaliser } from './script-normalisation.js';

const require = createRequire(import.meta.url);
const opencc = require('opencc-js/t2cn') as {
  Converter(options: { from: string; to: string }): (text: string) => string;
};

/**
 * The Chinese conversion stated plainly: a text holding a Han character that opencc changes on its
 * own (or an astral Han character) goes through the converter whole; any other text stays as it
 * is. The normaliser converts only the stretch of such a text that needs the dictionaries
 * (script-normalisation.ts, PieceTables): it must answer exactly this, phrase-only keys included.
 */
function statedPlainly(convert: (text: string) => string): (text: string) => string {
  return (text) => {
    for (const character of text) {
      const code = character.codePointAt(0)!;
      if (code >= 0x20000 && code <= 0x3ffff) return convert(text);
      const han =
        (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff);
      if (han && convert(character) !== character) return convert(text);
    }
    return text;
  };
}

describe('Traditional-to-Simplified conversion through the pieces that need it', () => {
  const pack = loadLanguagePack('zh');
  const options = pack.capabilities.scriptNormalisation?.opencc;
  const normalise = createScriptNormaliser(pack.capabilities)!;
  const expected = statedPlainly(opencc.Converter({ from: options!.from, to: options!.to }));

  it('converts the stretch around a character that changes alone, and phrase-only keys elsewhere in the text', () => {
    // 么 alone becomes 幺, in 什么 it stays; 反覆 becomes 反复 though neither character changes alone,
    // and only in a text that is converted at all.
    expect(normalise('什么')).toBe('什么');
    expect(normalise('么')).toBe(expected('么'));
    expect(normalise('反覆')).toBe('反覆');
    expect(normalise('你说什么？我们反覆想了。')).toBe(expected('你说什么？我们反覆想了。'));
    expect(normalise('你说什么？我们反覆想了。')).toContain('反复');
  });

  it('answers as the whole-text conversion on the pack, mixed scripts and every Han character in 么 contexts', () => {
    const sentences = [...Object.values(pack.phraseBank).flat(), ...pack.scenario.turns.map((turn) => turn.text)];
    const extras = [
      '反覆',
      '什麼',
      '么',
      '坏土',
      '⿰木木么',
      '𠔜么',
      'abc么def',
      '一目瞭然',
      '這么',
      '么麼',
      '臺灣',
      '反覆思量',
    ];
    const pool = [...sentences, ...extras];
    const texts: string[] = [];
    for (let index = 0; index < 3000; index += 1) {
      texts.push(
        [pool[(index * 31) % pool.length], extras[index % extras.length], pool[(index * 7 + 3) % pool.length]].join(
          index % 3 === 0 ? ' ' : '',
        ),
      );
    }
    for (let code = 0x3400; code <= 0x9fff; code += 3) {
      const character = String.fromCharCode(code);
      texts.push(`么${character}`, `${character}么`, `什${character}么`, `${character}，什么${character}`);
    }
    let differences = 0;
    for (const text of texts) if (normalise(text) !== expected(text)) differences += 1;
    expect(differences).toBe(0);
  });
});
