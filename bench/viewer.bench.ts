import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { viewerOptions } from '../src/cli/commands/view.js';
import { SEARCH_INDEX_FILE, startViewer } from '../src/viewer/index.js';

/**
 * bench/README.md target: the viewer on Study 2 (1,200 runs, 180,000 actions): the study page paints in
 * < 1 s, a transcript in < 300 ms, a search in < 500 ms, in a real headless Chromium; the browser
 * never loads all events; the server's memory stays flat over many requests.
 *
 * Times are the browser's own Navigation Timing: from the navigation's start (request, server,
 * transfer, parse, style, the deferred script) to the load event, medians over several pages after
 * one warm-up; first contentful paint is printed beside it where headless Chromium reports one (it
 * omits it for some navigations and sometimes reports it after the load event).
 * Memory: the resident set of this process (which serves the viewer) sampled every 500 requests
 * over 3,000 mixed requests. `BACKFIRE_BENCH_STUDY2=<run folder>` reuses a Study 2 folder; otherwise
 * one is simulated into a temporary folder first (about two minutes).
 */
export interface ViewerBenchmarkResult {
  runs: number;
  actions: number;
  /** The load event (page parsed, styled, its script run), ms from the navigation's start, medians. */
  studyPageMs: number;
  transcriptMs: number;
  searchMs: number;
  /** First contentful paint where Chromium reported one (headless Chromium omits it for some navigations). */
  studyPaintMs: number;
  transcriptPaintMs: number;
  searchPaintMs: number;
  /** Largest transcript page in bytes, and the study page's size: what a browser loads at most. */
  largestTranscriptBytes: number;
  studyPageBytes: number;
  /** Resident set (MB) after each block of requests. */
  rssSamplesMb: number[];
  /** Live JavaScript heap (MB) after a full collection, at the same points. */
  heapSamplesMb: number[];
  /** Last heap sample over the first: flat memory stays close to 1. */
  heapGrowth: number;
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
  // The search index is a cache (safe to delete): removing it makes start-up measure a full build.
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(directory, `${SEARCH_INDEX_FILE}${suffix}`), { force: true });
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
    const paint = async (path: string): Promise<{ ms: number; paintMs: number; bytes: number }> => {
      const response = await page.goto(new URL(path, server.url).href, { waitUntil: 'load' });
      const bytes = (await response?.body())?.length ?? 0;
      // Evaluated in the page (a string: Node's types do not describe the browser's Performance API).
      const timing = (await page.evaluate(
        '(() => { const navigation = performance.getEntriesByType("navigation")[0]; const paint = performance.getEntriesByName("first-contentful-paint")[0]; return { paint: paint ? paint.startTime : NaN, load: navigation ? navigation.loadEventStart - navigation.startTime : NaN }; })()',
      )) as { paint: number; load: number };
      return { ms: timing.load, paintMs: timing.paint, bytes };
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
    const heapSamplesMb: number[] = [];
    // A full collection before each heap sample, so the figure is live memory, not garbage not yet
    // collected (the same as running node with --expose-gc).
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    for (let request = 1; request <= 3000; request += 1) {
      const response = await fetch(new URL(paths[request % paths.length]!, server.url));
      await response.arrayBuffer();
      if (request % 500 === 0) {
        collect();
        const usage = process.memoryUsage();
        rssSamplesMb.push(usage.rss / 2 ** 20);
        heapSamplesMb.push(usage.heapUsed / 2 ** 20);
      }
    }
    return {
      runs: runIds.length,
      actions,
      studyPageMs: median(study.map((entry) => entry.ms)),
      transcriptMs: median(transcripts.map((entry) => entry.ms)),
      searchMs: median(searches.map((entry) => entry.ms)),
      studyPaintMs: median(study.map((entry) => entry.paintMs).filter(Number.isFinite)),
      transcriptPaintMs: median(transcripts.map((entry) => entry.paintMs).filter(Number.isFinite)),
      searchPaintMs: median(searches.map((entry) => entry.paintMs).filter(Number.isFinite)),
      largestTranscriptBytes: Math.max(...transcripts.map((entry) => entry.bytes)),
      studyPageBytes: study[0]?.bytes ?? 0,
      rssSamplesMb,
      heapSamplesMb,
      heapGrowth: (heapSamplesMb[heapSamplesMb.length - 1] ?? 0) / (heapSamplesMb[0] ?? 1),
      indexBuildSeconds,
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    if (temporary) rmSync(resolve(directory, '..'), { recursive: true, force: true });
  }
}

/** The benchmark's rows of bench/RESULTS.md's table. */
export function viewerRows(viewer: ViewerBenchmarkResult): string[] {
  const rows: string[] = [];
  const scale = `Study 2, ${viewer.runs.toLocaleString('en-US')} runs, ${viewer.actions.toLocaleString('en-US')} actions, headless Chromium`;
  rows.push(
    `| viewer: study page, request to load event (${scale}; median of 5) | < 1000 ms | ${viewer.studyPageMs.toFixed(0)} ms (first paint ${viewer.studyPaintMs.toFixed(0)} ms; ${Math.round(viewer.studyPageBytes / 1024)} KiB) | ${(1000 / viewer.studyPageMs).toFixed(2)} |`,
  );
  rows.push(
    `| viewer: transcript, request to load event (one run of 150 actions; median of 15 runs) | < 300 ms | ${viewer.transcriptMs.toFixed(0)} ms (first paint ${viewer.transcriptPaintMs.toFixed(0)} ms; largest ${Math.round(viewer.largestTranscriptBytes / 1024)} KiB) | ${(300 / viewer.transcriptMs).toFixed(2)} |`,
  );
  rows.push(
    `| viewer: search page, request to load event (FTS5 trigram over all actions, with filters; median of 7 queries) | < 500 ms | ${viewer.searchMs.toFixed(0)} ms (first paint ${viewer.searchPaintMs.toFixed(0)} ms; viewer start-up, search index built from scratch: ${viewer.indexBuildSeconds.toFixed(1)} s) | ${(500 / viewer.searchMs).toFixed(2)} |`,
  );
  rows.push(
    `| viewer: server memory over 3,000 mixed requests (live heap after a full collection, every 500 requests, MB; resident set beside it) | last / first ≤ 1.2 | heap ${viewer.heapSamplesMb.map((value) => value.toFixed(0)).join(', ')} (${viewer.heapGrowth.toFixed(2)}); RSS ${viewer.rssSamplesMb.map((value) => value.toFixed(0)).join(', ')} | ${(1.2 / viewer.heapGrowth).toFixed(2)} |`,
  );
  return rows;
}

// `npx tsx bench/viewer.bench.ts` runs this benchmark alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchmarkViewer();
  process.stdout.write(`${viewerRows(result).join('\n')}\n`);
}
