import { type IncomingMessage, Agent as HttpAgent, type RequestOptions, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { urlToHttpOptions } from 'node:url';

/**
 * The HTTP transport under the official SDKs. The SDKs build and parse every request (the wire
 * protocol is theirs); this only moves bytes, through Node's own `http`/`https` clients on a
 * keep-alive pool per adapter, instead of the global `fetch`.
 *
 * Why not `fetch` (undici): before reusing a keep-alive socket, undici waits for the event loop's
 * check phase (a guard against servers that close connections they promised to keep). A study keeps
 * hundreds of requests in flight from one thread; when a burst of responses arrives, the loop's poll
 * phase processes all of them before any check phase, so every follow-up request waits for the whole
 * burst and goes out with the others. Runs then move in lockstep, the server and the orchestrator
 * take turns being idle, and throughput falls well short of the slots available (bench/README.md,
 * scheduler efficiency; bench/RESULTS.md has the figures). Node's agent hands a free socket over at
 * once, so each run's next request leaves as soon as its previous answer is processed. The race
 * undici guards against (the server closing a socket as it is reused) surfaces here as a connection
 * error, which the retry wrapper retries. `fetch` also costs about twice the CPU per call.
 *
 * Scope: non-streaming calls, which are the only ones backfire makes. A whole response body is read
 * before the `Response` (a `BufferedResponse`) is handed over, so a body cut short fails the call
 * inside `fetch`, which the SDK reports as a connection error (retryable). Bodies the transport
 * cannot send (streams, forms) go to the global `fetch` unchanged.
 *
 * Timeouts: the transport has none of its own; the SDK's timeout and backfire's timeout wrapper
 * abort through the request's signal, so one setting decides (a local model may take minutes).
 */

export interface HttpTransport {
  fetch: typeof globalThis.fetch;
  /** Closes pooled connections; calls in flight fail. */
  close(): Promise<void>;
}

/** Idle keep-alive sockets kept per host (more than any study's request slots). */
const FREE_SOCKETS_KEPT = 65_536;

/** Parsed request targets remembered per transport (an adapter sends every call to one URL). */
const TARGETS_REMEMBERED = 64;

// Statuses whose responses have no body (the Response constructor rejects one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** The body as bytes to send; `null` for none, `undefined` when the transport cannot send it. */
function sendableBody(body: RequestInit['body']): string | Uint8Array | null | undefined {
  if (body === undefined || body === null) {
    return null;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    return body;
  }
  if (body instanceof ArrayBuffer) {
    return new Uint8Array(body);
  }
  return undefined;
}

/** Request headers as Node takes them (names lower-cased; a repeated name keeps every value). */
function headerRecord(headers: RequestInit['headers']): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  if (headers === undefined) {
    return record;
  }
  const pairs =
    headers instanceof Headers || Array.isArray(headers)
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, string>);
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    const existing = record[name];
    record[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return record;
}

function responseHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    headers.append(raw[index] as string, raw[index + 1] as string);
  }
  return headers;
}

// TypeScript's lib types declare Response's members as properties, which a subclass may not
// redefine as methods or accessors; at runtime they are ordinary prototype members.
const ResponseBase: new (body: null, init: ResponseInit) => object = Response;

/**
 * A Response whose body is already in memory. A standard Response wraps its body in a web stream
 * and reads it back through one; for a JSON answer of a few kilobytes that machinery cost more CPU
 * than parsing it, at every call. Here `text()`, `json()` and the other readers decode the bytes
 * directly; the stream is built only if someone asks for `body` (the Anthropic SDK does), and
 * reading twice fails as the standard says.
 */
export class BufferedResponse extends ResponseBase {
  readonly #bytes: Buffer | null;
  #read = false;
  #streamed: Response | undefined;

  constructor(bytes: Buffer | null, init: ResponseInit) {
    super(null, init);
    this.#bytes = bytes;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#bytes === null) return null;
    this.#streamed ??= new Response(this.#bytes);
    return this.#streamed.body;
  }

  get bodyUsed(): boolean {
    return this.#read || (this.#streamed?.bodyUsed ?? false);
  }

  #take(): Buffer {
    if (this.bodyUsed || this.#streamed?.body?.locked === true) {
      throw new TypeError('Body is unusable: Body has already been read');
    }
    this.#read = true;
    return this.#bytes ?? Buffer.alloc(0);
  }

  async text(): Promise<string> {
    return this.#take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.#take().toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.#response.headers.get('content-type') ?? '' });
  }

  clone(): Response {
    if (this.bodyUsed) {
      throw new TypeError('Response.clone: Body has already been consumed.');
    }
    const { status, statusText, headers } = this.#response;
    return new BufferedResponse(this.#bytes, { status, statusText, headers }).asResponse();
  }

  /** This object with its real type. */
  asResponse(): Response {
    return this as unknown as Response;
  }

  get #response(): Response {
    return this as unknown as Response;
  }
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) {
    return signal.reason;
  }
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}

export interface HttpTransportOptions {
  /** An extra trusted certificate authority (PEM) for HTTPS, beside Node's bundled roots. */
  ca?: string | undefined;
}

export function createHttpTransport(options: HttpTransportOptions = {}): HttpTransport {
  // Every free socket is kept: Node's default keeps 256 per host and closes the rest, so a study
  // with more slots than that would reconnect on every wave of calls.
  const pool = { keepAlive: true, maxFreeSockets: FREE_SOCKETS_KEPT };
  const agents = {
    http: new HttpAgent(pool),
    https: new HttpsAgent(options.ca === undefined ? pool : { ...pool, ca: [...rootCertificates, options.ca] }),
  };

  // The URL of a call parsed once, not at every call (URL parsing, then Node's conversion of the URL
  // into request options, were measurable CPU per call at hundreds of calls a second).
  const targets = new Map<string, RequestOptions>();
  const targetOf = (input: string | URL): RequestOptions => {
    const href = typeof input === 'string' ? input : input.href;
    let target = targets.get(href);
    if (target === undefined) {
      if (targets.size >= TARGETS_REMEMBERED) targets.clear();
      target = urlToHttpOptions(new URL(href));
      targets.set(href, target);
    }
    return target;
  };

  const transportFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = sendableBody(init?.body);
    const target = input instanceof Request ? undefined : targetOf(input);
    if (target === undefined || body === undefined || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      return globalThis.fetch(input, init);
    }
    const signal = init?.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortError(signal));
        return;
      }
      const headers = headerRecord(init?.headers);
      if (body !== null && headers['content-length'] === undefined) {
        headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
      }
      const https = target.protocol === 'https:';
      const outgoing = (https ? httpsRequest : httpRequest)({
        ...target,
        method: init?.method ?? 'GET',
        headers,
        agent: https ? agents.https : agents.http,
      });
      const onAbort = (): void => {
        outgoing.destroy(abortError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      outgoing.on('error', (error) => {
        settle();
        reject(error);
      });
      outgoing.on('response', (message) => {
        const chunks: Buffer[] = [];
        message.on('data', (chunk: Buffer) => chunks.push(chunk));
        // A body cut short ends with 'aborted' and an error, never with 'end'.
        message.on('error', (error) => {
          settle();
          reject(error);
        });
        message.on('end', () => {
          settle();
          if (!message.complete) {
            reject(new Error('the connection closed before the response body was complete (socket terminated)'));
            return;
          }
          const status = message.statusCode ?? 0;
          resolve(
            new BufferedResponse(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
              status,
              headers: responseHeaders(message),
            }).asResponse(),
          );
        });
      });
      outgoing.end(body ?? undefined);
    });
  };

  return {
    fetch: transportFetch as typeof globalThis.fetch,
    close: async () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
