import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadLanguagePack } from '../languages/index.js';
import { createScriptNormaliser } from './script-normalisation.js';

const require = createRequire(import.meta.url);
const opencc = require('opencc-js/t2cn') as {
  Converter(options: { from: string; to: string }): (text: string) => string;
};

/**
 * The Chinese conversion stated plainly is opencc's own conversion of the whole text. The
 * normaliser skips texts that cannot change and converts only the stretch of a text that needs the
 * dictionaries (script-normalisation.ts, mayChange and PieceTables): it must answer exactly as
 * opencc does, phrase-only keys (反覆 -> 反复, neither character changing alone) included.
 */
describe('Traditional-to-Simplified conversion through the pieces that need it', () => {
  const pack = loadLanguagePack('zh');
  const options = pack.capabilities.scriptNormalisation?.opencc;
  const normalise = createScriptNormaliser(pack.capabilities)!;
  const expected = opencc.Converter({ from: options!.from, to: options!.to });

  it('converts a character that changes alone and a phrase-only key, alone or elsewhere in the text', () => {
    // 么 alone becomes 幺, in 什么 it stays; 反覆 becomes 反复 though neither character changes alone.
    expect(normalise('什么')).toBe('什么');
    expect(normalise('么')).toBe(expected('么'));
    expect(normalise('反覆')).toBe('反复');
    expect(normalise('我们反覆想了。')).toBe('我们反复想了。');
    expect(normalise('你说什么？我们反覆想了。')).toBe(expected('你说什么？我们反覆想了。'));
    expect(normalise('你说什么？我们反覆想了。')).toContain('反复');
  });

  it('answers as opencc on the whole text, on the pack, mixed scripts and every Han character in 么 contexts', () => {
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
