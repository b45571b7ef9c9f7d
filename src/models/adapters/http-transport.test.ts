import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedResponse, createHttpTransport, type HttpTransport } from './http-transport.js';

// A real loopback server whose handler each test chooses; it counts the TCP connections it accepts.
interface TestServer {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function serve(
  handler: (request: IncomingMessage, response: ServerResponse, body: string) => void,
): Promise<TestServer> {
  let connections = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, close };
}

function transport(): HttpTransport {
  const created = createHttpTransport();
  cleanups.push(() => created.close());
  return created;
}

describe('HTTP transport under the SDKs', () => {
  it('sends method, headers and body, and returns status, repeated headers and the body as a Response', async () => {
    let seen: {
      method?: string | undefined;
      url?: string | undefined;
      headers?: IncomingMessage['headers'];
      body?: string;
    } = {};
    const server = await serve((request, response, body) => {
      seen = { method: request.method, url: request.url, headers: request.headers, body };
      response.writeHead(201, [
        ['content-type', 'application/json'],
        ['x-repeated', 'first'],
        ['x-repeated', 'second'],
      ]);
      response.end(JSON.stringify({ ok: true, echoed: body.length }));
    });
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'héllo' }] });
    const response = await transport().fetch(`${server.url}/v1/chat/completions?x=1`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', 'X-Custom': 'yes' }),
      body,
    });
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/v1/chat/completions?x=1');
    expect(seen.headers?.['x-custom']).toBe('yes');
    expect(seen.headers?.['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(seen.body).toBe(body);
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-repeated')).toBe('first, second');
    expect(await response.json()).toEqual({ ok: true, echoed: body.length });
  });

  it('gives a bodiless Response for 204 and passes error statuses through with their bodies', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/empty') {
        response.writeHead(204);
        response.end();
        return;
      }
      response.writeHead(429, { 'retry-after-ms': '250', 'content-type': 'application/json' });
      response.end('{"error":{"message":"slow down"}}');
    });
    const http = transport();
    const empty = await http.fetch(`${server.url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const limited = await http.fetch(`${server.url}/limited`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after-ms')).toBe('250');
    expect(await limited.text()).toContain('slow down');
  });

  it('keeps every connection of a wave open for the next (more than Node’s default of 256 idle sockets)', async () => {
    const server = await serve((_request, response) => {
      // Answer all of a wave together, so every request of it needs its own connection.
      setTimeout(() => response.end('ok'), 50);
    });
    const http = transport();
    const wave = () =>
      Promise.all(Array.from({ length: 300 }, () => http.fetch(`${server.url}/`).then((r) => r.text())));
    await wave();
    expect(server.connections()).toBe(300);
    await wave();
    expect(server.connections()).toBe(300);
  });

  it('aborts through the signal, before or during a request', async () => {
    const server = await serve(() => {
      // Never answers.
    });
    const http = transport();
    const early = new AbortController();
    early.abort();
    await expect(http.fetch(`${server.url}/`, { signal: early.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const late = new AbortController();
    const pending = http.fetch(`${server.url}/`, { signal: late.signal });
    setTimeout(() => late.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails a call whose body is cut short instead of returning part of it', async () => {
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"choices":');
      setImmediate(() => response.socket?.destroy());
    });
    await expect(transport().fetch(`${server.url}/`)).rejects.toThrow();
  });

  it('hands bodies it cannot send (streams) to the global fetch', async () => {
    const server = await serve((_request, response, body) => response.end(`got ${body}`));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await transport().fetch(`${server.url}/`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await response.text()).toBe('got streamed');
  });
});

describe('BufferedResponse', () => {
  const make = () =>
    new BufferedResponse(Buffer.from('{"answer":42}'), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    }).asResponse();

  it('is a Response that reads its bytes once, as text, JSON or bytes', async () => {
    const response = make();
    expect(response).toBeInstanceOf(Response);
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ answer: 42 });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(new TextDecoder().decode(await make().arrayBuffer())).toBe('{"answer":42}');
    expect((await make().blob()).type).toBe('application/json');
  });

  it('serves its body as a stream when asked (as the Anthropic SDK does), and clones before reading', async () => {
    const original = make();
    const copy = original.clone();
    expect(await new Response(original.body).text()).toBe('{"answer":42}');
    expect(original.bodyUsed).toBe(true);
    expect(await copy.json()).toEqual({ answer: 42 });
    expect(() => original.clone()).toThrow(TypeError);
    const empty = new BufferedResponse(null, { status: 204 }).asResponse();
    expect(empty.body).toBeNull();
  });
});

// HTTPS goes through Node's https agent; a self-signed certificate made here stands in for a
// provider's (openssl is a system package of the test machine; without it this part is skipped).
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
describe.skipIf(!haveOpenssl)('HTTP transport over TLS', () => {
  it('speaks HTTPS with keep-alive, and refuses a certificate it does not trust', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'backfire-tls-'));
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(directory, 'key.pem'),
      '-out',
      join(directory, 'cert.pem'),
    ]);
    expect(made.status).toBe(0);
    const cert = readFileSync(join(directory, 'cert.pem'), 'utf8');
    let connections = 0;
    const server = createHttpsServer({ key: readFileSync(join(directory, 'key.pem')), cert }, (request, response) => {
      request.resume();
      request.on('end', () => response.end(JSON.stringify({ method: request.method })));
    });
    server.on('secureConnection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`;
    const trusting = createHttpTransport({ ca: cert });
    cleanups.push(() => trusting.close());
    for (let index = 0; index < 3; index += 1) {
      const response = await trusting.fetch(url, { method: 'POST', body: '{}' });
      expect(await response.json()).toEqual({ method: 'POST' });
    }
    expect(connections).toBe(1);
    await expect(transport().fetch(url)).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
