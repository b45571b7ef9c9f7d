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
  /** The converters' dictionaries (documented in opencc-js's README); `configs` names each converter's chain. */
  Locale?: { configs?: Record<string, unknown> };
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
    const pieces = pieceTables(opencc, options, changing);
    converter =
      pieces === null
        ? (text) => (mayChange(text, changing) ? convert(text) : text)
        : (text) => (mayChange(text, changing, pieces) ? convertPieces(text, convert, pieces) : text);
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
 * of matching a Chinese text. Built once per converter (about 28,000 one-character calls). A
 * dictionary phrase can convert while none of its characters does alone (the tw2s chain has 287
 * such "phrase-only" keys in the Basic Multilingual Plane, as 反覆 -> 反复), so `mayChange` also
 * looks for those where the piece tables know them: Traditional text is converted, as the lexicon
 * format promises, even when its only Traditional form is a phrase.
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
function mayChange(text: string, changing: Uint8Array, pieces: PieceTables | null = null): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (changing[code] === 1) return true;
    if (pieces !== null && pieces.phraseOnlyFirst[code] === 1 && startsPhraseOnlyKey(text, index, pieces)) return true;
    // A high surrogate of U+20000-U+3FFFF followed by a low surrogate.
    if (code >= 0xd840 && code <= 0xd8bf) {
      const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) return true;
    }
  }
  return false;
}

/**
 * Where a text that must be converted can be cut, and which of its pieces need the dictionaries.
 *
 * opencc-js converts by longest match, dictionary after dictionary (and segments by longest match
 * first). A character that occurs in no key of any of the converter's dictionaries ("inert": most
 * punctuation, Latin letters, and Han characters no entry names) is never inside a match and is
 * copied through every stage, so the conversion of a text is the conversion of the pieces between
 * its inert characters, with those characters kept. A piece holding no character that changes
 * alone and no "phrase-only" key (a key without such a character that maps to something else, as
 * 反覆 -> 反复) matches only keys that map to themselves, so it stays as it is. `convertPieces`
 * therefore converts one stretch, from the first piece that needs the dictionaries to the end of
 * the last: a text holding 么 (as in 什么, which converts to itself) converts a few characters
 * instead of the whole text, with the same result. Null, and the whole text converted as before,
 * when the converter's dictionaries cannot be read from the package in the shape described here.
 */
interface PieceTables {
  changing: Uint8Array;
  inert: Uint8Array;
  /** 1 for each code unit a phrase-only key starts with; the keys by that first code unit. */
  phraseOnlyFirst: Uint8Array;
  phraseOnlyKeys: Map<number, string[]>;
}

function pieceTables(opencc: OpenccModule, options: OpenccOptions, changing: Uint8Array): PieceTables | null {
  const config = opencc.Locale?.configs?.[openccConfigName(options)];
  if (config === null || typeof config !== 'object') return null;
  // opencc-js builds the converter from exactly these three chains (ConverterBuilder); anything
  // else in the entry would be a chain this reading does not know.
  const chains = Object.entries(config);
  if (chains.some(([name]) => !['normalizationChain', 'segmentation', 'conversionChain'].includes(name))) return null;
  const entries: [string, string][] = [];
  if (
    !collectEntries(
      chains.map(([, chain]) => chain),
      entries,
    )
  )
    return null;
  const inKey = new Uint8Array(0x10000);
  const phraseOnlyFirst = new Uint8Array(0x10000);
  const phraseOnlyKeys = new Map<number, string[]>();
  for (const [from, to] of entries) {
    let changesAlone = false;
    for (let index = 0; index < from.length; index += 1) {
      inKey[from.charCodeAt(index)] = 1;
      changesAlone ||= changing[from.charCodeAt(index)] === 1;
    }
    if (!changesAlone && from !== to && from !== '') {
      const first = from.charCodeAt(0);
      phraseOnlyFirst[first] = 1;
      phraseOnlyKeys.set(first, [...(phraseOnlyKeys.get(first) ?? []), from]);
    }
  }
  const inert = new Uint8Array(0x10000);
  for (let code = 0; code < 0x10000; code += 1) {
    // Surrogates and ideographic description characters (whose sequences opencc-js skips whole)
    // are never inert: convertPieces sends a text holding one through the converter whole.
    if (inKey[code] === 0 && !isSurrogate(code) && !isIdeographicDescription(code)) inert[code] = 1;
  }
  return { changing, inert, phraseOnlyFirst, phraseOnlyKeys };
}

/** The name opencc-js's ConverterBuilder gives a conversion to `cn` (the only target of the t2cn build). */
function openccConfigName(options: OpenccOptions): string {
  if (options.to !== 'cn') return '';
  if (options.from === 'twp') return 'tw2sp';
  return `${options.from}2s`;
}

/**
 * Every entry of a chain, however nested: a dictionary is either a string "key value|key value"
 * or a list of [key, value] pairs. False when something else is found.
 */
function collectEntries(chain: unknown, into: [string, string][]): boolean {
  if (typeof chain === 'string') {
    if (chain === '') return true;
    for (const line of chain.split('|')) {
      const [from, to, ...rest] = line.split(' ');
      if (from === undefined || to === undefined || rest.length > 0) return false;
      into.push([from, to]);
    }
    return true;
  }
  if (!Array.isArray(chain)) return false;
  if (chain.length === 2 && typeof chain[0] === 'string' && typeof chain[1] === 'string' && !chain[0].includes(' ')) {
    into.push([chain[0], chain[1]]);
    return true;
  }
  return chain.every((part) => collectEntries(part, into));
}

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function isIdeographicDescription(code: number): boolean {
  return code >= 0x2ff0 && code <= 0x2fff;
}

/** The converter's answer for `text` (see PieceTables), from one call on the stretch of the pieces that need it. */
function convertPieces(text: string, convert: (text: string) => string, tables: PieceTables): string {
  const { changing, inert, phraseOnlyFirst } = tables;
  let stretchStart = -1;
  let stretchEnd = -1;
  let index = 0;
  while (index < text.length) {
    if (inert[text.charCodeAt(index)] === 1) {
      index += 1;
      continue;
    }
    const start = index;
    let needsConverting = false;
    for (; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (inert[code] === 1) break;
      if (isSurrogate(code) || isIdeographicDescription(code)) return convert(text);
      if (needsConverting) continue;
      if (changing[code] === 1) needsConverting = true;
      else if (phraseOnlyFirst[code] === 1 && startsPhraseOnlyKey(text, index, tables)) needsConverting = true;
    }
    if (!needsConverting) continue;
    if (stretchStart === -1) stretchStart = start;
    stretchEnd = index;
  }
  if (stretchStart === -1) return text;
  const stretch = text.slice(stretchStart, stretchEnd);
  const converted = convert(stretch);
  return converted === stretch ? text : text.slice(0, stretchStart) + converted + text.slice(stretchEnd);
}

function startsPhraseOnlyKey(text: string, index: number, tables: PieceTables): boolean {
  const keys = tables.phraseOnlyKeys.get(text.charCodeAt(index));
  return keys?.some((key) => text.startsWith(key, index)) === true;
}

/** Escapes a character for use inside a RegExp character class; a lone "-" of a range stays. */
function escapeInClass(character: string): string {
  return character === '-' ? '-' : character.replace(/[\\\]^[]/g, '\\$&');
}
