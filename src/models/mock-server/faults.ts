import { createHash } from 'node:crypto';
import type { MockFault, MockFaultRates } from './types.js';

/**
 * Fault injection: which outcome a chat request gets. A script decides the first requests in
 * arrival order; after it, the fault rates decide from a uniform drawn from the seed, the body and
 * how many times that exact body was seen before (so a retry draws afresh, and concurrency does not
 * change who fails).
 */

export function chooseFault(
  script: readonly (MockFault | 'ok')[],
  faults: MockFaultRates,
  index: number,
  uniform: number,
): MockFault | 'ok' {
  const scripted = script[index];
  if (scripted !== undefined) {
    return scripted;
  }
  const table: [MockFault, number][] = [
    ['rate-limit', faults.rateLimit ?? 0],
    ['server-error', faults.serverError ?? 0],
    ['timeout', faults.timeout ?? 0],
    ['malformed', faults.malformed ?? 0],
    ['truncated', faults.truncated ?? 0],
  ];
  let threshold = 0;
  for (const [fault, rate] of table) {
    threshold += rate;
    if (uniform < threshold) {
      return fault;
    }
  }
  return 'ok';
}

/** Counts each request body's occurrences, to key its fault and latency draws. */
export class DrawKeys {
  private readonly seenBodies = new Map<string, number>();

  constructor(private readonly seed: number) {}

  /** `<seed>:<sha-256 of the body>:<occurrence>`; the fault draw is `fault:<key>`, latency `latency:<key>:<n>`. */
  next(rawBody: string): string {
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    const occurrence = this.seenBodies.get(bodyHash) ?? 0;
    this.seenBodies.set(bodyHash, occurrence + 1);
    return `${this.seed}:${bodyHash}:${occurrence}`;
  }

  reset(): void {
    this.seenBodies.clear();
  }
}

/** The headers of a 429: `retry-after-ms`, `retry-after` (whole seconds), both or neither. */
export function retryAfterHeaders(
  retryAfterMs: number,
  which: 'both' | 'seconds' | 'milliseconds' | 'none',
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (which === 'both' || which === 'milliseconds') {
    headers['retry-after-ms'] = String(retryAfterMs);
  }
  if (which === 'both' || which === 'seconds') {
    headers['retry-after'] = String(Math.ceil(retryAfterMs / 1000));
  }
  return headers;
}
