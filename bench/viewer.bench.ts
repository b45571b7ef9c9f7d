import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { viewerOptions } from '../src/cli/commands/view.js';
import { startViewer } from '../src/viewer/index.js';

/**
 * DESIGN.md target: the viewer on Study 2 (1,200 runs, 180,000 actions): the study page paints in
 * < 1 s, a transcript in < 300 ms, a search in < 500 ms, in a real headless Chromium; the browser
 * never loads all events; the server's memory stays flat over many requests.
 *
 * Paint times are the browser's own (Navigation Timing from the request to the load event, which
 * follows the first paint of a server-rendered page), medians over several pages after one warm-up.
 * Memory: the resident set of this process (which serves the viewer) sampled every 500 requests
 * over 3,000 mixed requests. `BACKFIRE_BENCH_STUDY2=<run folder>` reuses a Study 2 folder; otherwise
 * one is simulated into a temporary folder first (about two minutes).
 */
export interface ViewerBenchmarkResult {
  runs: number;
  actions: number;
  studyPageMs: number;
  transcriptMs: number;
  searchMs: number;
  /** Largest transcript page in bytes, and the study page's size: what a browser loads at most. */
  largestTranscriptBytes: number;
  studyPageBytes: number;
  /** Resident set (MB) after each block of requests. */
  rssSamplesMb: number[];
  /** Last sample over the first (after warm-up): flat memory stays close to 1. */
  rssGrowth: number;
  indexBuildSeconds: number;
}

const REPO_ROOT = resolve(import.meta.dirname, '..');

function study2Folder(): { directory: string; temporary: boolean } {
  const given = process.env.BACKFIRE_BENCH_STUDY2;
  if (given !== undefined && existsSync(join(given, 'store.sqlite'))) return { directory: given, temporary: false };
  const directory = join(mkdtempSync(join(tmpdir(), 'backfire-viewer-bench-')), 'study2');
  const loader = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      loader,
      join(REPO_ROOT, 'src', 'cli', 'main.ts'),
      'run',
      'studies/study2.yaml',
      '--out',
      directory,
      '--quiet',
    ],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('simulating Study 2 for the viewer benchmark failed');
  return { directory, temporary: true };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function benchmarkViewer(): Promise<ViewerBenchmarkResult> {
  const { directory, temporary } = study2Folder();
  const store = new Database(join(directory, 'store.sqlite'), { readonly: true });
  const runIds = (store.prepare('SELECT run_id AS id FROM runs ORDER BY schedule_order').all() as { id: string }[]).map(
    (row) => row.id,
  );
  const actions = (store.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'action'").get() as { n: number }).n;
  store.close();
  const indexStarted = performance.now();
  const server = await startViewer({ directory, host: '127.0.0.1', port: 0, options: viewerOptions(directory) });
  const indexBuildSeconds = (performance.now() - indexStarted) / 1000;
  const profile = mkdtempSync(join(tmpdir(), 'backfire-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
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
  try {
    const page = await browser.newPage();
    const paint = async (path: string): Promise<{ ms: number; bytes: number }> => {
      const response = await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
      const bytes = (await response?.body())?.length ?? 0;
      // Evaluated in the page (a string: Node's types do not describe the browser's Performance API).
      const ms = Number(
        await page.evaluate(
          '(() => { const entry = performance.getEntriesByType("navigation")[0]; return entry ? entry.loadEventStart - entry.startTime : NaN; })()',
        ),
      );
      return { ms, bytes };
    };
    await paint('/');
    const study = [];
    for (let index = 0; index < 5; index += 1) study.push(await paint('/'));
    const sampleRuns = Array.from({ length: 15 }, (_, index) => runIds[(index * 79) % runIds.length]!);
    await paint(`/run?id=${encodeURIComponent(sampleRuns[0]!)}`);
    const transcripts = [];
    for (const runId of sampleRuns) transcripts.push(await paint(`/run?id=${encodeURIComponent(runId)}`));
    const queries = [
      'q=assembly',
      'q=protect&language=en&channel=talk',
      'q=%E7%AE%A1%E7%90%86&language=ja',
      'category=conformity&language=de',
      'q=the&channel=whisper&category=protective',
      'q=administration&cell=en.surrogate.k10',
      'agent=p03&language=fr&q=nous',
    ];
    await paint(`/search?${queries[0]}`);
    const searches = [];
    for (const query of queries) searches.push(await paint(`/search?${query}`));

    // Memory over many requests (server side: this process).
    const paths = [
      '/',
      ...sampleRuns.map((runId) => `/run?id=${encodeURIComponent(runId)}`),
      ...queries.map((query) => `/search?${query}`),
      `/cell?id=${encodeURIComponent(runIds[0]!.replace(/\.r\d+$/, ''))}&sort=cpi`,
      '/trajectories?metric=di',
      `/call?id=${encodeURIComponent(`${runIds[3]}/t9/p04`)}`,
      `/agent?run=${encodeURIComponent(runIds[5]!)}&agent=p02`,
    ];
    const rssSamplesMb: number[] = [];
    for (let request = 1; request <= 3000; request += 1) {
      const response = await fetch(new URL(paths[request % paths.length]!, server.url));
      await response.arrayBuffer();
      if (request % 500 === 0) rssSamplesMb.push(process.memoryUsage().rss / 2 ** 20);
    }
    return {
      runs: runIds.length,
      actions,
      studyPageMs: median(study.map((entry) => entry.ms)),
      transcriptMs: median(transcripts.map((entry) => entry.ms)),
      searchMs: median(searches.map((entry) => entry.ms)),
      largestTranscriptBytes: Math.max(...transcripts.map((entry) => entry.bytes)),
      studyPageBytes: study[0]?.bytes ?? 0,
      rssSamplesMb,
      rssGrowth: (rssSamplesMb[rssSamplesMb.length - 1] ?? 0) / (rssSamplesMb[0] ?? 1),
      indexBuildSeconds,
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    if (temporary) rmSync(resolve(directory, '..'), { recursive: true, force: true });
  }
}

// `npx tsx bench/viewer.bench.ts` runs this benchmark alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchmarkViewer();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
