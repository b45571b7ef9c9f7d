import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { authOf, publicHeaders, type RequestRecorder } from './recording.js';
import { sendError, sendJson } from './responses.js';
import type { MockServerStats, RecordedRequest } from './types.js';

/**
 * Routing: the server's own routes (`/__stats`, `/__latencies`, `/__reset`, the model list), the
 * two chat protocols, and a recorded 404 for anything else. Chat requests go to `chat`; the
 * server's own routes are not load, so they do not count as in flight.
 */

export type ChatRequestBase = Omit<RecordedRequest, 'outcome' | 'agent' | 'body'>;

export interface Routes {
  recorder: RequestRecorder;
  apiKey: string | undefined;
  stats: () => MockServerStats;
  reset: () => void;
  chat: (
    protocol: 'openai' | 'anthropic',
    incoming: IncomingMessage,
    response: ServerResponse,
    rawBody: string,
    base: ChatRequestBase,
    arrivedAt: number,
  ) => Promise<void>;
}

export function routeRequests(routes: Routes): RequestListener {
  const { recorder } = routes;
  let requestIndex = 0;
  return (incoming, response) => {
    const arrivedAt = performance.now();
    const index = requestIndex;
    requestIndex += 1;
    const path = new URL(incoming.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/__')) {
      recorder.trackInFlight(response);
    }
    void (async () => {
      const method = incoming.method ?? 'GET';
      const rawBody = await readBody(incoming);
      if (method === 'GET' && path === '/__stats') {
        sendJson(response, 200, routes.stats());
        return;
      }
      if (method === 'GET' && path === '/__latencies') {
        sendJson(response, 200, recorder.latencies);
        return;
      }
      if (method === 'POST' && path === '/__reset') {
        routes.reset();
        sendJson(response, 200, { ok: true });
        return;
      }
      if (method === 'GET' && (path === '/v1/models' || path === '/models')) {
        sendJson(response, 200, {
          object: 'list',
          data: [{ id: 'mock-model', object: 'model', owned_by: 'backfire' }],
        });
        return;
      }
      const base: ChatRequestBase = {
        index,
        method,
        path,
        headers: publicHeaders(incoming),
        auth: authOf(incoming, routes.apiKey),
      };
      if (method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
        await routes.chat('openai', incoming, response, rawBody, base, arrivedAt);
        return;
      }
      if (method === 'POST' && (path === '/v1/messages' || path === '/messages')) {
        await routes.chat('anthropic', incoming, response, rawBody, base, arrivedAt);
        return;
      }
      recorder.record({ ...base, body: rawBody, agent: 'unknown', outcome: 'not-found' });
      sendError(response, 'openai', 404, 'not_found_error', `no route ${method} ${path}`);
    })().catch((error: unknown) => {
      if (!response.headersSent) {
        sendError(response, 'openai', 500, 'server_error', `mock server failure: ${String(error)}`);
      }
    });
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
