import { createRequire } from 'node:module';
import type { Capabilities } from '../contracts/index.js';

/**
 * A pack's declared script normalisation (capabilities.scriptNormalisation) as one function over
 * already NFKC-normalised, lower-cased text: Chinese variants converted (`opencc`), then characters
 * removed, then letters folded. The lexicon applies it to texts, terms, exclusions and negation cues
 * alike, so a vocalised Arabic word, a Hindi word written with or without its nukta, or a Traditional
 * Chinese phrase meets the same term. Shared code knows no script: the pack names the characters
 * and the conversion.
 */
export function createScriptNormaliser(
  capabilities: Pick<Capabilities, 'scriptNormalisation'>,
): ((text: string) => string) | null {
  if (capabilities.scriptNormalisation === undefined) return null;
  const { remove, fold, opencc } = capabilities.scriptNormalisation;
  const folds = Object.entries(fold);
  const convert = opencc === undefined ? null : createChineseConverter(opencc);
  if (remove.length === 0 && folds.length === 0 && convert === null) return null;
  const removal =
    remove.length === 0
      ? null
      : new RegExp(`[${remove.map((entry) => [...entry].map(escapeInClass).join('')).join('')}]`, 'gu');
  const foldTable = new Map(folds);
  const folding =
    folds.length === 0 ? null : new RegExp(`[${folds.map(([from]) => escapeInClass(from)).join('')}]`, 'gu');
  return (text) => {
    let result = convert === null ? text : convert(text);
    if (removal !== null) result = result.replace(removal, '');
    if (folding !== null) result = result.replace(folding, (letter) => foldTable.get(letter) ?? letter);
    return result;
  };
}

type OpenccOptions = NonNullable<NonNullable<Capabilities['scriptNormalisation']>['opencc']>;

interface OpenccModule {
  Converter(options: { from: string; to: string }): (text: string) => string;
}

const require = createRequire(import.meta.url);
const converters = new Map<string, (text: string) => string>();

/**
 * An opencc-js converter (the maintained JavaScript port of Open Chinese Convert). Its `t2cn` build
 * holds only the Traditional-to-Simplified dictionaries (about 100 kB, loaded on first use, once per
 * process). Texts without a Han character are returned as they are, without a dictionary pass.
 */
function createChineseConverter(options: OpenccOptions): (text: string) => string {
  const key = `${options.from}>${options.to}`;
  let converter = converters.get(key);
  if (converter === undefined) {
    const opencc = require('opencc-js/t2cn') as OpenccModule;
    const convert = opencc.Converter({ from: options.from, to: options.to });
    const changing = changingCharacters(convert);
    converter = (text) => (mayChange(text, changing) ? convert(text) : text);
    converters.set(key, converter);
  }
  return converter;
}

/** The blocks of Han characters in the Basic Multilingual Plane (the unified ideographs and their extension A, compatibility ideographs). */
const HAN_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
];

/**
 * The characters the converter changes on their own, as a table over UTF-16 code units (1: it
 * changes). Most texts scored with a Chinese pack are already Simplified and hold none of them,
 * and the dictionary pass then cannot change them, so it is skipped: it cost a third of the time
 * of matching a Chinese text. Built once per converter (about 28,000 one-character calls). The
 * skip is exact unless a dictionary phrase converts while none of its characters does alone,
 * which the Traditional-to-Simplified dictionaries do not rely on for the characters tested.
 */
function changingCharacters(convert: (text: string) => string): Uint8Array {
  const changing = new Uint8Array(0x10000);
  for (const [first, last] of HAN_RANGES) {
    for (let code = first; code <= last; code += 1) {
      const character = String.fromCharCode(code);
      if (convert(character) !== character) changing[code] = 1;
    }
  }
  return changing;
}

/**
 * Whether the text holds a character of the table, or an astral Han character (extensions B and
 * later, U+20000-U+3FFFF: rare, so any of them sends the text through): what the RegExp
 * `[<changing>]|[\u{20000}-\u{3FFFF}]` (u flag) answered, read as a table (the RegExp's class of
 * some 2,700 characters cost a tenth of the time of matching a Chinese text).
 */
function mayChange(text: string, changing: Uint8Array): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (changing[code] === 1) return true;
    // A high surrogate of U+20000-U+3FFFF followed by a low surrogate.
    if (code >= 0xd840 && code <= 0xd8bf) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) return true;
    }
  }
  return false;
}

/** Escapes a character for use inside a RegExp character class; a lone "-" of a range stays. */
function escapeInClass(character: string): string {
  return character === '-' ? '-' : character.replace(/[\\\]^[]/g, '\\$&');
}
