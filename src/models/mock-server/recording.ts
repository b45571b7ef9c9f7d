import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MockOutcome, RecordedLatency, RecordedRequest } from './types.js';

/**
 * Recording: the last requests (without credentials), the count of each outcome, the drawn
 * latencies (when asked for) and the concurrency the server saw. `requests` stays one array for the
 * server's life, so `MockServer.requests` can hand it out directly.
 */
export class RequestRecorder {
  readonly requests: RecordedRequest[] = [];
  readonly latencies: RecordedLatency[] = [];
  private outcomes = emptyOutcomes();
  private inFlight = 0;
  private maxInFlight = 0;

  constructor(private readonly maxRecorded: number) {}

  record(entry: RecordedRequest): void {
    this.requests.push(entry);
    if (this.requests.length > this.maxRecorded) {
      this.requests.shift();
    }
    this.outcomes[entry.outcome] += 1;
  }

  recordLatency(entry: RecordedLatency): void {
    this.latencies.push(entry);
  }

  /** Counts a request as in flight until its response closes. */
  trackInFlight(response: ServerResponse): void {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.on('close', () => {
      this.inFlight -= 1;
    });
  }

  load(): { outcomes: Record<MockOutcome, number>; inFlight: number; maxInFlight: number } {
    return { outcomes: { ...this.outcomes }, inFlight: this.inFlight, maxInFlight: this.maxInFlight };
  }

  /** Forgets requests, outcomes and latencies; the peak restarts from what is in flight now. */
  reset(): void {
    this.requests.length = 0;
    this.latencies.length = 0;
    this.outcomes = emptyOutcomes();
    this.maxInFlight = this.inFlight;
  }
}

function emptyOutcomes(): Record<MockOutcome, number> {
  return {
    ok: 0,
    'rate-limit': 0,
    'server-error': 0,
    timeout: 0,
    malformed: 0,
    truncated: 0,
    'wrong-shape': 0,
    unauthorized: 0,
    'bad-request': 0,
    'not-found': 0,
  };
}

export function presentedKey(incoming: IncomingMessage): string | undefined {
  const header = incoming.headers['x-api-key'];
  if (typeof header === 'string') {
    return header;
  }
  const authorization = incoming.headers.authorization;
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) {
    return authorization.slice('bearer '.length);
  }
  return undefined;
}

/** How a credential was presented and whether it matched; never the credential itself. */
export function authOf(incoming: IncomingMessage, apiKey: string | undefined): RecordedRequest['auth'] {
  const scheme =
    typeof incoming.headers['x-api-key'] === 'string'
      ? 'x-api-key'
      : typeof incoming.headers.authorization === 'string'
        ? 'bearer'
        : null;
  return { scheme, matches: apiKey === undefined ? null : presentedKey(incoming) === apiKey };
}

/** The request's headers without `authorization` and `x-api-key`. */
export function publicHeaders(incoming: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (name === 'authorization' || name === 'x-api-key' || value === undefined) {
      continue;
    }
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
