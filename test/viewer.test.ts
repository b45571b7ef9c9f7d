import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewerOptions } from '../src/cli/commands/view.js';
import { deriveSeed } from '../src/contracts/index.js';
import { builtinRequestHash } from '../src/engine/index.js';
import { CONTENT_SECURITY_POLICY, SEARCH_INDEX_FILE, startViewer, type ViewerServer } from '../src/viewer/index.js';
import { runCli, runCliAsync, spawnCli, temporaryDirectory } from './support/cli.js';

/**
 * `backfire view` in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * every page kind, links from a statistic to a transcript, search, live updates, and hostile model
 * text planted in the store, which must show as text and never run. One small run (studies/demo.yaml)
 * and one browser for the whole file.
 *
 * BACKFIRE_VIEWER_SCREENSHOTS=<folder> also writes PNG screenshots of the main pages there (how
 * docs/screenshots/ was made, on a Study 1 folder given by BACKFIRE_VIEWER_RUN).
 */

const HOSTILE =
  '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> <a href="javascript:window.__pwned = 3">click me</a> \u202Eevil reversed\u202C end';
const HOSTILE_RUN = 'en.surrogate.k0.r000';

let directory: string;
let server: ViewerServer;
let browser: BrowserContext;
let page: Page;
let storeDigestBefore: string;
let hostileAgent: string;
let hostileCall: string;
/** A clean copy of the run folder, made before planting, for the live-update test. */
let liveDirectory: string;

function storeDigest(): string {
  return createHash('sha256')
    .update(readFileSync(join(directory, 'store.sqlite')))
    .digest('hex');
}

/** Plants hostile text in one action (its event, call and lexicon span) and one agent's name. */
function plantHostileText(): { seq: number; agent: string; callId: string } {
  const database = new Database(join(directory, 'store.sqlite'));
  try {
    const row = database
      .prepare("SELECT seq, body FROM events WHERE run_id = ? AND type = 'action' AND turn = 2 ORDER BY seq LIMIT 1")
      .get(HOSTILE_RUN) as { seq: number; body: string };
    const event = JSON.parse(row.body) as { text: string; callId: string; agent: string };
    event.text = HOSTILE;
    database
      .prepare('UPDATE events SET body = ? WHERE run_id = ? AND seq = ?')
      .run(JSON.stringify(event), HOSTILE_RUN, row.seq);
    database.prepare('UPDATE calls SET text = ? WHERE call_id = ?').run(`[talk] ${HOSTILE}`, event.callId);
    const features = database
      .prepare('SELECT body FROM action_features WHERE run_id = ? AND seq = ?')
      .get(HOSTILE_RUN, row.seq) as { body: string };
    const parsed = JSON.parse(features.body) as { matches?: unknown[] };
    parsed.matches = [{ category: 'protective', term: '<script>', start: 0, end: 8 }];
    database
      .prepare('UPDATE action_features SET body = ? WHERE run_id = ? AND seq = ?')
      .run(JSON.stringify(parsed), HOSTILE_RUN, row.seq);
    const start = database.prepare('SELECT body FROM events WHERE run_id = ? AND seq = 0').get(HOSTILE_RUN) as {
      body: string;
    };
    const runStart = JSON.parse(start.body) as { agents: { name: string }[] };
    runStart.agents[0]!.name = '<img src=y onerror="window.__pwned = 4">';
    database
      .prepare('UPDATE events SET body = ? WHERE run_id = ? AND seq = 0')
      .run(JSON.stringify(runStart), HOSTILE_RUN);
    // Turn 3's first two actions become a parse error and a call error carrying hostile text.
    const failures = database
      .prepare("SELECT seq, body FROM events WHERE run_id = ? AND type = 'action' AND turn = 3 ORDER BY seq LIMIT 2")
      .all(HOSTILE_RUN) as { seq: number; body: string }[];
    const [parseFailure, callFailure] = failures.map((failure) => ({
      seq: failure.seq,
      event: JSON.parse(failure.body) as Record<string, unknown>,
    }));
    const { channel: _channel, target: _target, text: _text, ...parseBase } = parseFailure!.event;
    database
      .prepare("UPDATE events SET type = 'parse-error', body = ? WHERE run_id = ? AND seq = ?")
      .run(
        JSON.stringify({ ...parseBase, type: 'parse-error', raw: `PARSE ${HOSTILE}`, reason: 'no action tag' }),
        HOSTILE_RUN,
        parseFailure!.seq,
      );
    const { channel: _c, target: _t, text: _x, ...callBase } = callFailure!.event;
    database
      .prepare("UPDATE events SET type = 'call-error', body = ? WHERE run_id = ? AND seq = ?")
      .run(
        JSON.stringify({ ...callBase, type: 'call-error', kind: 'server', message: `CALL ${HOSTILE}`, attempts: 3 }),
        HOSTILE_RUN,
        callFailure!.seq,
      );
    database.pragma('wal_checkpoint(TRUNCATE)');
    return { seq: row.seq, agent: event.agent, callId: event.callId };
  } finally {
    database.close();
  }
}

beforeAll(async () => {
  directory = temporaryDirectory('viewer');
  const run = await runCliAsync(['run', 'studies/demo.yaml', '--out', directory, '--quiet']);
  expect(run.status, run.stderr).toBe(0);
  liveDirectory = temporaryDirectory('viewer-live');
  cpSync(directory, liveDirectory, { recursive: true });
  const planted = plantHostileText();
  hostileAgent = planted.agent;
  hostileCall = planted.callId;
  storeDigestBefore = storeDigest();
  server = await startViewer({ directory, host: '127.0.0.1', port: 0, options: viewerOptions(directory) });
  // A new, empty profile (--user-data-dir) for this file's one browser.
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'backfire-chromium-')), {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('dialog', (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const folder of [directory, liveDirectory])
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

const url = (path: string) => new URL(path, server.url).href;

describe('backfire view in Chromium', () => {
  it('study page: design grid, hypotheses, surrogate label; a statistic links to its runs and on to a transcript', async () => {
    const response = await page.goto(url('/'));
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await expect(page.locator('.surrogate').first().textContent()).resolves.toContain('surrogate');
    expect(await page.locator('table.grid tbody tr').count()).toBe(4);
    expect(await page.locator('section.hypothesis').count()).toBe(2);
    // The estimate of H1-cpi's English row links to the runs behind it (k = 0 and k = 6 of English).
    await page
      .locator('section.hypothesis')
      .first()
      .locator('tbody tr', { hasText: 'en' })
      .locator('a')
      .first()
      .click();
    await page.waitForURL(/\/runs\?/);
    expect(await page.locator('table.runs tbody tr').count()).toBe(8);
    await page.locator('table.runs tbody tr a', { hasText: 'en.surrogate.k6.r001' }).click();
    await page.waitForURL(/\/run\?/);
    expect(await page.locator('section.turn').count()).toBe(6);
  });

  it('cell page: sortable runs, compare two side by side', async () => {
    await page.goto(url('/cell?id=ja.surrogate.k6'));
    expect(await page.locator('table.runs tbody tr').count()).toBe(4);
    await page.locator('th a', { hasText: 'CPI' }).click();
    await page.waitForURL(/sort=cpi/);
    const values = await page.locator('table.runs tbody tr td:nth-child(9)').allTextContents();
    const numbers = values.map((value) => Number(value.replace('−', '-')));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    await page.locator('input[name=run]').nth(0).check();
    await page.locator('input[name=run]').nth(1).check();
    await page.locator('button', { hasText: 'Compare' }).click();
    await page.waitForURL(/\/compare\?/);
    // A header row, then one row per turn with both runs' turn side by side.
    expect(await page.locator('main > .columns').count()).toBe(7);
    expect(await page.locator('main > .columns').nth(3).locator('section.turn#turn-3').count()).toBe(2);
  });

  it('transcript: channels, instructions, lexicon hits; a call shows what the agent saw', async () => {
    await page.goto(url('/run?id=en.surrogate.k6.r000'));
    expect(await page.locator('.injected').count()).toBe(6);
    expect(await page.locator('article.action').count()).toBe(36);
    expect(await page.locator('.badge.instructed').count()).toBeGreaterThan(0);
    expect(await page.locator('mark.hit').count()).toBeGreaterThan(0);
    const channels = await page
      .locator('article.action')
      .evaluateAll((nodes) => nodes.map((node) => node.className.replace('action channel-', '')));
    expect(new Set(channels).size).toBeGreaterThan(1);
    await page.locator('article.action details summary').nth(7).click();
    await page.locator('article.action details a', { hasText: 'What this agent saw' }).nth(7).click();
    await page.waitForURL(/\/call\?/);
    const roles = await page.locator('section.message header').allTextContents();
    expect(roles[0]).toBe('system');
    expect(roles).toContain('user');
  });

  it('agent page and trajectories page', async () => {
    await page.goto(url('/agent?run=ja.surrogate.k0.r002&agent=p02'));
    expect(await page.locator('tbody tr').count()).toBe(6);
    await page.goto(url('/trajectories'));
    expect(await page.locator('svg.trajectory-figure').count()).toBe(1);
    expect(await page.locator('svg .phase').count()).toBeGreaterThan(0);
  });

  it('search: filters, results link into the transcript', async () => {
    await page.goto(url('/search'));
    await page.fill('input[name=q]', 'the');
    await page.selectOption('select[name=language]', 'en');
    await page.selectOption('select[name=channel]', 'talk');
    await page.locator('form.filters button').click();
    await page.waitForURL(/\/search\?q=the/);
    const hits = page.locator('ol.hits li');
    expect(await hits.count()).toBeGreaterThan(0);
    expect(await page.locator('ol.hits .channel').allTextContents()).toEqual(
      Array.from({ length: await hits.count() }, () => 'talk'),
    );
    await page.locator('a.hit-link').first().click();
    await page.waitForURL(/\/run\?.*#s\d+$/);
    const anchor = new URL(page.url()).hash.slice(1);
    expect(await page.locator(`#${anchor}`).count()).toBe(1);
    // A lexicon-category filter alone.
    await page.goto(url('/search?category=conformity&language=ja'));
    expect(await page.locator('ol.hits li').count()).toBeGreaterThan(0);
    expect(await page.locator('ol.hits li .badge', { hasText: 'conformity' }).count()).toBe(
      await page.locator('ol.hits li').count(),
    );
  });

  it('hostile model text shows as text and never runs', async () => {
    for (const path of [
      `/run?id=${HOSTILE_RUN}`,
      `/search?q=${encodeURIComponent('<script>')}`,
      `/agent?run=${HOSTILE_RUN}&agent=${hostileAgent}`,
      `/call?id=${encodeURIComponent(hostileCall)}`,
    ]) {
      await page.goto(url(path));
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('main script').count()).toBe(0);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(await page.locator('main').textContent()).toContain('<script>window.__pwned = 1</script>');
    }
    await page.goto(url(`/run?id=${HOSTILE_RUN}`));
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('[U+202E]evil reversed[U+202C]');
    expect(text).not.toContain('\u202E');
    expect(text).toContain('<img src=y onerror="window.__pwned = 4">');
    // Parse and call errors are shown inline, with their (hostile) text as text.
    expect(await page.locator('.error', { hasText: 'parse error' }).textContent()).toContain('PARSE <script>');
    expect(await page.locator('.error', { hasText: 'call error' }).textContent()).toContain('CALL <script>');
    // The planted lexicon span is highlighted as text.
    expect(await page.locator('mark.hit-protective', { hasText: '<script>' }).count()).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('no path outside the run folder is reachable; other Host names are refused', async () => {
    const raw = (path: string, host = `127.0.0.1:${server.port}`) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString('latin1');
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    for (const path of [
      '/../store.sqlite',
      '/../../etc/passwd',
      '/%2e%2e/store.sqlite',
      '/%2E%2E%2Fstore.sqlite',
      '/assets/..%2f..%2fstore.sqlite',
      '/assets/%2e%2e/manifest.json',
      '/..%5cstore.sqlite',
      '/store.sqlite',
      '/manifest.json',
      '/results.json',
      `/${SEARCH_INDEX_FILE}`,
      '/run?id=../../etc/passwd',
    ]) {
      const response = await raw(path);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.body, path).not.toContain('SQLite format');
      expect(response.body, path).not.toContain('root:');
      expect(response.body, path).not.toContain('"studyHash"');
    }
    expect((await raw('/', 'evil.example:80')).status).toBe(403);
    expect((await raw('/', `localhost:${server.port}`)).status).toBe(200);
  });

  it('a running simulation: new turns appear without a reload', async () => {
    // Take the last turn of a run out of a copy of the store and mark the run as running, then
    // commit the turn back while the page is open.
    const runId = 'ja.surrogate.k0.r001';
    const database = new Database(join(liveDirectory, 'store.sqlite'));
    const lastTurn = database
      .prepare('SELECT * FROM events WHERE run_id = ? AND turn >= 6 ORDER BY seq')
      .all(runId) as Record<string, unknown>[];
    database.prepare('DELETE FROM events WHERE run_id = ? AND turn >= 6').run(runId);
    database.prepare("UPDATE runs SET status = 'running', turns_completed = 5 WHERE run_id = ?").run(runId);
    // A damaged search index is only a cache: the viewer rebuilds it.
    writeFileSync(join(liveDirectory, SEARCH_INDEX_FILE), 'not a database');
    const liveServer = await startViewer({ directory: liveDirectory, host: '127.0.0.1', port: 0 });
    expect(liveServer.searchIndexLocation).toBe(join(liveDirectory, SEARCH_INDEX_FILE));
    try {
      const livePage = await browser.newPage();
      await livePage.goto(new URL(`/run?id=${runId}`, liveServer.url).href);
      expect(await livePage.locator('section.turn').count()).toBe(5);
      const studyPage = await browser.newPage();
      await studyPage.goto(liveServer.url);
      // Rows: en k0, en k6, ja k0, ja k6; the fifth column counts completed runs.
      const completed = studyPage.locator('table.grid tbody tr').nth(2).locator('td').nth(4);
      expect(await completed.textContent()).toBe('3');
      const insert = database.prepare('INSERT INTO events (run_id, seq, turn, type, body) VALUES (?, ?, ?, ?, ?)');
      database.transaction(() => {
        for (const row of lastTurn) insert.run(row.run_id, row.seq, row.turn, row.type, row.body);
        database.prepare("UPDATE runs SET status = 'completed', turns_completed = 6 WHERE run_id = ?").run(runId);
      })();
      await livePage.locator('#turn-6').waitFor({ timeout: 10_000 });
      expect(await livePage.locator('section.turn').count()).toBe(6);
      await expect.poll(() => completed.textContent(), { timeout: 10_000 }).toBe('4');
      expect(await studyPage.locator('table.matrix').textContent()).toContain('4/4');
      await studyPage.close();
      await livePage.close();
    } finally {
      database.close();
      await liveServer.close();
    }
  });

  it("'what this agent saw' is exactly what the engine sent: the rebuilt messages give the stored request hash", () => {
    // The engine's own request hash of a built-in model's call, over the messages the viewer rebuilt.
    const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as {
      study: { sampling: { temperature: number; maxTokens: number; topP?: number } };
    };
    const sampling = manifest.study.sampling;
    const options = viewerOptions(liveDirectory);
    const database = new Database(join(liveDirectory, 'store.sqlite'), { readonly: true });
    const calls = database
      .prepare(
        'SELECT c.run_id AS runId, c.turn, c.agent_id AS agentId, c.model, c.request_hash AS requestHash, r.seed FROM calls c JOIN runs r ON r.run_id = c.run_id WHERE c.turn IN (1, 4, 6) ORDER BY c.call_id LIMIT 40',
      )
      .all() as { runId: string; turn: number; agentId: string; model: string; requestHash: string; seed: number }[];
    database.close();
    expect(calls.length).toBe(40);
    for (const call of calls) {
      const messages = options.callMessages?.(call);
      expect(messages, call.runId).toBeDefined();
      const rebuilt = builtinRequestHash(call.model, {
        messages: messages ?? [],
        temperature: sampling.temperature,
        maxTokens: sampling.maxTokens,
        topP: sampling.topP,
        seed: deriveSeed(call.seed, 'call', call.turn, call.agentId),
      });
      expect(rebuilt, `${call.runId} t${call.turn} ${call.agentId}`).toBe(call.requestHash);
    }
  });

  it('reads the store without changing it; the search index is a separate file', () => {
    expect(storeDigest()).toBe(storeDigestBefore);
    expect(server.searchIndexLocation).toBe(join(directory, SEARCH_INDEX_FILE));
  });

  it('the CLI prints a loopback URL by default and warns when --host is not loopback', async () => {
    const child = spawnCli(['view', directory]);
    const line = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('\n')) resolve(output);
      });
      child.on('exit', (code) => reject(new Error(`view exited with ${code}`)));
    });
    child.kill('SIGTERM');
    expect(line).toMatch(/^backfire view: http:\/\/127\.0\.0\.1:\d+\/\n$/);
    const exposed = runCli(['view', join(directory, 'missing'), '--host', '0.0.0.0']);
    expect(exposed.stderr).toContain('warning: --host 0.0.0.0 exposes');
    expect(exposed.status).toBe(2);
  });

  it.runIf(process.env.BACKFIRE_VIEWER_SCREENSHOTS !== undefined)('screenshots of the main pages', async () => {
    const folder = process.env.BACKFIRE_VIEWER_SCREENSHOTS!;
    mkdirSync(folder, { recursive: true });
    const source = process.env.BACKFIRE_VIEWER_RUN ?? directory;
    const shown =
      source === directory
        ? server
        : await startViewer({ directory: source, host: '127.0.0.1', port: 0, options: viewerOptions(source) });
    const runs = new Database(join(source, 'store.sqlite'), { readonly: true });
    const run = runs
      .prepare('SELECT run_id AS id, cell_id AS cell FROM runs WHERE dose > 0 ORDER BY schedule_order LIMIT 1')
      .get() as {
      id: string;
      cell: string;
    };
    runs.close();
    const shot = await browser.newPage();
    await shot.setViewportSize({ width: 1280, height: 900 });
    for (const [name, path] of [
      ['study', '/'],
      ['cell', `/cell?id=${encodeURIComponent(run.cell)}&sort=cpi`],
      ['transcript', `/run?id=${encodeURIComponent(run.id)}#turn-4`],
      ['call', `/call?id=${encodeURIComponent(`${run.id}/t4/p02`)}`],
      ['trajectories', '/trajectories?metric=cpi'],
      ['search', '/search?q=assembly&channel=whisper'],
    ] as const) {
      await shot.goto(new URL(path, shown.url).href);
      await shot.screenshot({ path: join(folder, `${name}.png`) });
    }
    await shot.close();
    if (shown !== server) await shown.close();
  });
});
