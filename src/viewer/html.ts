/**
 * The viewer's only way to make HTML: a tagged template that escapes every interpolated value with
 * `escapeHtml` unless it is already `SafeHtml` (made by this same template). Model text, names from
 * language packs and study files, ids from the URL: all of it goes through here, so there is one
 * escaping function to get right, and no page builds markup by string concatenation.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    out += render(values[index]) + (strings[index + 1] ?? '');
  }
  return new SafeHtml(out);
}

/**
 * Directional controls (U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C) in model text could reorder
 * what a reader sees around them. They are shown as visible code points instead, and every piece of
 * model text is also isolated (`<bdi>`), so nothing it contains can spill onto the page around it.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function untrustedText(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(BIDI_CONTROLS)) {
    const index = match.index ?? 0;
    parts.push(html`${text.slice(last, index)}`);
    const code = (match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    parts.push(html`<span class="control" title="a directional control character">[U+${code}]</span>`);
    last = index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}

/** A link target built from our own route and URL-encoded parts (never from model text as a URL). */
export function href(
  path: string,
  query: Record<string, string | number | readonly string[] | undefined> = {},
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}
