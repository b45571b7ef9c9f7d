/**
 * Secret hygiene for everything the model layer emits (error messages, warnings, attempt records).
 * API keys are read from the environment once, handed to the SDK client, and otherwise exist only
 * inside a `Redactor`: any text that leaves the model layer passes through `redact` first, so a
 * provider echoing a key back ("Incorrect API key provided: sk-...") never reaches the store.
 */

const REDACTED = '[redacted]';

/** Shapes of provider keys and auth headers, caught even when the exact value is unknown to us. */
const KEY_SHAPE = /\b(?:sk|pk|rk|gsk|xai|fw)-[A-Za-z0-9_*-]{6,}/g;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=*-]{6,}/gi;
const NAMED_CREDENTIAL =
  /\b(api[-_]?key|x-api-key|authorization|access[-_]?token)(["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|\[redacted\])[^\s"',;&]{6,}/gi;

export class Redactor {
  readonly #secrets: string[];

  constructor(secrets: readonly (string | undefined)[] = []) {
    // Very short values would redact ordinary words; no real key is shorter than 8 characters.
    this.#secrets = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 8);
  }

  /** A redactor that also knows `secrets`. */
  with(secrets: readonly (string | undefined)[]): Redactor {
    return new Redactor([...this.#secrets, ...secrets]);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) {
      result = result.split(secret).join(REDACTED);
    }
    return result
      .replace(KEY_SHAPE, REDACTED)
      .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
      .replace(NAMED_CREDENTIAL, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`);
  }
}

/** Redacts with the generic patterns only (no known secret values). */
export const defaultRedactor = new Redactor();
