/**
 * APA-style number formatting and escaping, shared by every output format. Pure and locale-free on
 * purpose: `toLocaleString` depends on the ICU data of the Node build, and reports must be byte-stable.
 */

/** U+2212, the typographic minus APA asks for; plain output uses the ASCII hyphen-minus instead. */
export const MINUS = '\u2212';

export interface NumberStyle {
  /** The character written before a negative number. */
  minus: string;
}

export const TYPOGRAPHIC: NumberStyle = { minus: MINUS };
export const PLAIN: NumberStyle = { minus: '-' };

const NOT_AVAILABLE = 'n/a';

/**
 * Fixed-point text with the style's minus sign. A value that rounds to zero never shows a sign
 * ("0.00", not "−0.00"): a signed zero would suggest a direction the data do not have.
 */
export function formatFixed(value: number, decimals: number, style: NumberStyle = TYPOGRAPHIC): string {
  if (!Number.isFinite(value)) {
    return NOT_AVAILABLE;
  }
  const magnitude = Math.abs(value).toFixed(decimals);
  const roundsToZero = Number(magnitude) === 0;
  return value < 0 && !roundsToZero ? style.minus + magnitude : magnitude;
}

/**
 * Decimals for an estimate: two (APA's default), more for small magnitudes so that a coefficient such
 * as 0.0667 keeps two significant digits instead of collapsing to "0.07" or "0.00"; at most four.
 */
export function decimalsFor(value: number | null | undefined): number {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) {
    return 2;
  }
  const magnitude = Math.abs(value);
  if (magnitude >= 0.1) {
    return 2;
  }
  return Math.min(4, Math.max(2, 1 - Math.floor(Math.log10(magnitude))));
}

/**
 * One number of decimals for a table column (APA: a column keeps its decimals), chosen from the
 * largest magnitude so a single near-zero entry does not stretch every number in the column.
 */
export function sharedDecimals(values: ReadonlyArray<number | null | undefined>): number {
  const finite = values.filter(
    (value): value is number => value !== null && value !== undefined && Number.isFinite(value),
  );
  if (finite.length === 0) {
    return 2;
  }
  return decimalsFor(Math.max(...finite.map((value) => Math.abs(value))));
}

export function formatEstimate(
  value: number | null | undefined,
  decimals = decimalsFor(value),
  style: NumberStyle = TYPOGRAPHIC,
): string {
  return value === null || value === undefined ? NOT_AVAILABLE : formatFixed(value, decimals, style);
}

/** Drops the leading zero, as APA asks for quantities that cannot exceed 1 in magnitude (p, r). */
export function withoutLeadingZero(text: string): string {
  return text.replace(/^(\D?)0\./, '$1.');
}

/** A correlation: two decimals, no leading zero (r = .47, r = −.12). */
export function formatCorrelation(value: number | null | undefined, style: NumberStyle = TYPOGRAPHIC): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return NOT_AVAILABLE;
  }
  return withoutLeadingZero(formatFixed(value, 2, style));
}

export interface PValueText {
  /** "<", "=" or ">". */
  relation: '<' | '=' | '>';
  /** The number without a leading zero, e.g. ".039". */
  value: string;
}

/**
 * p in APA form: exact to three decimals, "< .001" below that, "> .999" when it rounds to one.
 * Returns null for a missing p so callers can omit the clause rather than print "p = n/a".
 */
export function formatPValue(p: number | null | undefined): PValueText | null {
  if (p === null || p === undefined || !Number.isFinite(p)) {
    return null;
  }
  if (p < 0.001) {
    return { relation: '<', value: '.001' };
  }
  const rounded = p.toFixed(3);
  if (Number(rounded) >= 1) {
    return { relation: '>', value: '.999' };
  }
  return { relation: '=', value: withoutLeadingZero(rounded) };
}

/** "p = .039", "p < .001"; "p n/a" when missing. The p itself is not italicised here (plain text). */
export function formatP(p: number | null | undefined): string {
  const text = formatPValue(p);
  return text === null ? `p ${NOT_AVAILABLE}` : `p ${text.relation} ${text.value}`;
}

/** The p value alone for a table cell: ".039", "< .001", "> .999". */
export function formatPCell(p: number | null | undefined): string {
  const text = formatPValue(p);
  if (text === null) {
    return NOT_AVAILABLE;
  }
  return text.relation === '=' ? text.value : `${text.relation} ${text.value}`;
}

/** Degrees of freedom: integers as integers, Welch or Satterthwaite df with two decimals. */
export function formatDegreesOfFreedom(df: number | null | undefined): string {
  if (df === null || df === undefined || !Number.isFinite(df)) {
    return NOT_AVAILABLE;
  }
  return Number.isInteger(df) ? String(df) : df.toFixed(2);
}

/** "[−2.70, −0.98]" with the estimate's decimals, so bounds and estimate line up. */
export function formatInterval(
  interval: readonly [number, number] | null | undefined,
  decimals: number,
  style: NumberStyle = TYPOGRAPHIC,
  format: (value: number, decimals: number, style: NumberStyle) => string = formatFixed,
): string {
  if (interval === null || interval === undefined) {
    return NOT_AVAILABLE;
  }
  return `[${format(interval[0], decimals, style)}, ${format(interval[1], decimals, style)}]`;
}

/** A correlation's interval, without leading zeros. */
export function formatCorrelationInterval(
  interval: readonly [number, number] | null | undefined,
  style: NumberStyle = TYPOGRAPHIC,
): string {
  return formatInterval(interval, 2, style, (value, decimals, innerStyle) =>
    withoutLeadingZero(formatFixed(value, decimals, innerStyle)),
  );
}

/** An integer count with thousands separators: 1,174. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return NOT_AVAILABLE;
  }
  const sign = value < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(value)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rate in [0, 1] as a percentage: "3.2%". */
export function formatPercent(rate: number | null | undefined, decimals = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) {
    return NOT_AVAILABLE;
  }
  return `${(rate * 100).toFixed(decimals)}%`;
}

/** A confidence level as a percentage without trailing zeros: 0.95 -> "95%", 0.975 -> "97.5%". */
export function formatLevel(level: number): string {
  return `${Number((level * 100).toFixed(2))}%`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values (also valid inside SVG). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * Escapes untrusted text for inline Markdown: every character CommonMark could read as markup is
 * backslash-escaped, raw HTML cannot open, and line breaks cannot start a new block or table row.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(/[\\`*_[\]<>|&~#!]/g, (character) => `\\${character}`);
}

/**
 * Makes untrusted text safe for a terminal: control characters (including ESC, which starts colour
 * and cursor sequences a hostile model output could use) become U+FFFD, line breaks become spaces.
 */
export function sanitizeTerminalText(text: string): string {
  return text.replace(/\r\n?|\n|\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

/**
 * Terminal and layout width of text: East Asian wide and full-width characters take two columns.
 * An approximation (no grapheme clustering), enough to keep tables and legends aligned.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x300 && code < 0x370) || (code >= 0x200b && code <= 0x200f)) {
      continue;
    }
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Cuts text to at most `width` display columns, marking the cut with `ellipsis`. */
export function truncateToWidth(text: string, width: number, ellipsis = '\u2026'): string {
  if (displayWidth(text) <= width) {
    return text;
  }
  const budget = width - displayWidth(ellipsis);
  let result = '';
  for (const character of text) {
    if (displayWidth(result + character) > budget) {
      break;
    }
    result += character;
  }
  return result + ellipsis;
}
