import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { PageContext, ViewerOptions } from './context.js';
import { html, type SafeHtml } from './html.js';
import { layout, type PageFrame, VIEWER_CSS, VIEWER_SCRIPT } from './layout.js';
import { agentPage, callPage, comparePage, transcriptPage, turnsHtml } from './pages-run.js';
import { searchPage } from './pages-search.js';
import { cellPage, designMatrix, gridRows, runsPage, studyPage, trajectoriesPage } from './pages-study.js';
import { RunData } from './run-data.js';
import { SearchIndex } from './search-index.js';

/**
 * The viewer's HTTP server (Hono on Node's http server). Every route is a fixed path; ids arrive as
 * query parameters and are only ever used as SQL parameters, so no request can name a file: the two
 * assets are constants in memory, and nothing is read from disk on a request's say-so.
 */

/** No inline script or style, nothing from another origin, no framing, no plugins. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

export function createViewerApp(context: PageContext, settings: { loopbackOnly: boolean }): Hono {
  const app = new Hono();
  const frame = (title: string, section: PageFrame['section']): PageFrame => ({
    title,
    studyTitle: context.data.results()?.studyTitle ?? 'backfire run',
    surrogateLabel: context.data.usesSurrogate() ? surrogateLabel(context) : undefined,
    section,
    version: context.data.version(),
  });
  const page = (title: string, section: PageFrame['section'], body: SafeHtml) =>
    layout(frame(title, section), body).value;
  const notFound = (what: string) =>
    page('Not found', 'study', html`<h1>Not found</h1><p>${what}</p><p><a href="/">Back to the study</a></p>`);

  app.use('*', async (c, next) => {
    // A page served on loopback answers only to loopback names: a web page elsewhere cannot reach it
    // through DNS rebinding.
    if (settings.loopbackOnly) {
      const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
      if (!isLoopbackHost(host)) return c.text('forbidden host', 403);
    }
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    // Pages follow the store (no caching); the two assets are versioned by content and cached, so a
    // navigation costs one request.
    if (c.res.headers.get('Cache-Control') === null) c.header('Cache-Control', 'no-store');
    return undefined;
  });
  app.onError((error, c) => c.html(page('Error', 'study', html`<h1>Error</h1><p>${error.message}</p>`), 500));
  app.notFound((c) => c.html(notFound('There is no such page in this viewer.'), 404));

  const cached = 'public, max-age=31536000, immutable';
  app.get('/assets/viewer.css', (c) =>
    c.body(VIEWER_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': cached }),
  );
  app.get('/assets/viewer.js', (c) =>
    c.body(VIEWER_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': cached }),
  );
  app.get('/api/version', (c) => c.json({ version: context.data.version() }));

  app.get('/', (c) => {
    const { title, body } = studyPage(context);
    return c.html(page(title, 'study', body));
  });
  app.get('/fragment/grid', (c) => c.html(gridRows(context).value));
  app.get('/fragment/matrix', (c) => c.html(designMatrix(context).value));
  app.get('/runs', (c) => {
    const { title, body } = runsPage(context, {
      language: c.req.query('language'),
      model: c.req.query('model'),
      dose: c.req.queries('dose'),
      sort: c.req.query('sort'),
      order: c.req.query('order'),
    });
    return c.html(page(title, 'runs', body));
  });
  app.get('/cell', (c) => {
    const result = cellPage(context, c.req.query('id') ?? '', {
      sort: c.req.query('sort'),
      order: c.req.query('order'),
      status: c.req.query('status'),
      excluded: c.req.query('excluded'),
    });
    return result === undefined
      ? c.html(notFound('No cell with this id.'), 404)
      : c.html(page(result.title, 'runs', result.body));
  });
  app.get('/run', (c) => {
    const result = transcriptPage(context, c.req.query('id') ?? '', Number(c.req.query('page') ?? '1') || 1);
    return result === undefined
      ? c.html(notFound('No run with this id.'), 404)
      : c.html(page(result.title, 'transcript', result.body));
  });
  app.get('/fragment/turns', (c) => {
    const runId = c.req.query('id') ?? '';
    if (context.data.run(runId) === undefined) return c.text('no such run', 404);
    const after = Math.max(0, Number(c.req.query('after') ?? '0') || 0);
    const { body, lastTurn } = turnsHtml(context, runId, after + 1, Number.MAX_SAFE_INTEGER);
    return c.html(body.value, 200, { 'X-Last-Turn': String(Math.max(after, lastTurn)) });
  });
  app.get('/agent', (c) => {
    const result = agentPage(context, c.req.query('run') ?? '', c.req.query('agent') ?? '');
    return result === undefined
      ? c.html(notFound('No such agent in this run.'), 404)
      : c.html(page(result.title, 'transcript', result.body));
  });
  app.get('/call', (c) => {
    const result = callPage(context, c.req.query('id') ?? '');
    return result === undefined
      ? c.html(notFound('No call with this id.'), 404)
      : c.html(page(result.title, 'transcript', result.body));
  });
  app.get('/compare', (c) => {
    const { title, body } = comparePage(context, c.req.queries('run') ?? []);
    return c.html(page(title, 'runs', body));
  });
  app.get('/trajectories', (c) => {
    const { title, body } = trajectoriesPage(context, {
      metric: c.req.query('metric'),
      language: c.req.query('language'),
    });
    return c.html(page(title, 'trajectories', body));
  });
  app.get('/search', (c) => {
    const { title, body } = searchPage(context, {
      query: c.req.query('q') ?? '',
      language: c.req.query('language'),
      cellId: c.req.query('cell'),
      agent: c.req.query('agent'),
      channel: c.req.query('channel'),
      category: c.req.query('category'),
      offset: Math.max(0, Number(c.req.query('offset') ?? '0') || 0),
    });
    return c.html(page(title, 'search', body));
  });
  return app;
}

function surrogateLabel(context: PageContext): string {
  return (
    context.data.results()?.label ??
    'Produced by the built-in surrogate model, a documented stochastic model of agent behaviour, not a language model. These numbers are not findings about any LLM.'
  );
}

export interface ViewerServer {
  url: string;
  host: string;
  port: number;
  /** Where the search index lives (a file in the run folder, or memory). */
  searchIndexLocation: string;
  close(): Promise<void>;
}

/** Opens a run folder read-only and serves it; port 0 picks a free port. */
export async function startViewer(settings: {
  directory: string;
  host: string;
  port: number;
  options?: ViewerOptions;
}): Promise<ViewerServer> {
  const data = RunData.open(settings.directory);
  let search: SearchIndex;
  try {
    search = SearchIndex.open(data.directory, data.storeFile);
  } catch (error) {
    data.close();
    throw error;
  }
  const context: PageContext = { data, search, options: settings.options ?? {} };
  const app = createViewerApp(context, { loopbackOnly: isLoopbackHost(settings.host) });
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve, reject) => {
      const started = serve({ fetch: app.fetch, hostname: settings.host, port: settings.port }, (info) =>
        resolve({ server: started, address: info }),
      );
      started.once('error', (error) => {
        // Nothing listens: release the store and the index before reporting (port in use, ...).
        search.close();
        data.close();
        reject(error);
      });
    },
  );
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}/`,
    host: address.address,
    port: address.port,
    searchIndexLocation: search.location,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          search.close();
          data.close();
          resolve();
        });
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
