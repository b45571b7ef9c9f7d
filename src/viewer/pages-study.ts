import type { CellSummary, HypothesisResult, RunFeatures, StatisticRow } from '../contracts/index.js';
import type { StoredRun } from '../store/index.js';
import type { PageContext } from './context.js';
import { formatCost, formatCount, formatInterval, formatNumber, formatP, formatRate } from './format.js';
import { href, html, SafeHtml } from './html.js';

/**
 * Study-level pages: the study page (design grid and hypotheses), run lists (a cell, or any filter),
 * side-by-side comparison lives in pages-run.ts, and the trajectories page. Every number is read from
 * results.json or the store and links to the runs behind it.
 */

export interface CellRow {
  cellId: string;
  language: string;
  model: string;
  dose: number;
  runs: number;
  completed: number;
  summary: CellSummary | undefined;
  calls: number;
  retries: number;
  cachedCalls: number;
  costUsd: number;
  unpricedCalls: number;
}

/** The design cells from the store's runs (so a running study shows before it is analysed). */
export function cellRows(context: PageContext): CellRow[] {
  const summaries = new Map((context.data.results()?.cells ?? []).map((cell) => [cell.cellId, cell]));
  const totals = context.data.cellCallTotals();
  const cells = new Map<string, CellRow>();
  for (const run of context.data.listRuns()) {
    let row = cells.get(run.cellId);
    if (row === undefined) {
      const total = totals.get(run.cellId);
      row = {
        cellId: run.cellId,
        language: run.language,
        model: run.model,
        dose: run.dose,
        runs: 0,
        completed: 0,
        summary: summaries.get(run.cellId),
        calls: total?.calls ?? 0,
        retries: total?.retries ?? 0,
        cachedCalls: total?.cachedCalls ?? 0,
        costUsd: total?.costUsd ?? 0,
        unpricedCalls: total?.unpricedCalls ?? 0,
      };
      cells.set(run.cellId, row);
    }
    row.runs += 1;
    if (run.status === 'completed') row.completed += 1;
  }
  return [...cells.values()].sort(
    (a, b) => a.model.localeCompare(b.model) || a.language.localeCompare(b.language) || a.dose - b.dose,
  );
}

export function gridRows(context: PageContext): SafeHtml {
  const rows = cellRows(context);
  return html`${rows.map((row) => {
    const cell = href('/cell', { id: row.cellId });
    const failures = href('/cell', { id: row.cellId, sort: 'failures', order: 'desc' });
    const summary = row.summary;
    return html`<tr>
<td><a href="${cell}">${row.language}</a></td><td class="number">${row.dose}</td><td>${row.model}</td>
<td class="number"><a href="${cell}">${formatCount(row.runs)}</a></td>
<td class="number"><a href="${href('/cell', { id: row.cellId, status: 'completed' })}">${formatCount(row.completed)}</a></td>
<td class="number"><a href="${href('/cell', { id: row.cellId, excluded: '1' })}">${formatCount(summary?.excludedRuns)}</a></td>
<td class="number"><a href="${failures}">${formatRate(summary?.parseErrorRate)}</a></td>
<td class="number"><a href="${failures}">${formatRate(summary?.callErrorRate)}</a></td>
<td class="number"><a href="${cell}">${formatCount(row.retries)}</a></td>
<td class="number"><a href="${cell}">${formatCount(row.cachedCalls)} / ${formatCount(row.calls)}</a></td>
<td class="number"><a href="${cell}">${formatCost(row.costUsd, row.unpricedCalls)}</a></td>
<td class="number"><a href="${href('/cell', { id: row.cellId, sort: 'cpi' })}">${formatNumber(summary?.means.cpi)}</a></td>
<td class="number"><a href="${href('/cell', { id: row.cellId, sort: 'di' })}">${formatNumber(summary?.means.di)}</a></td>
</tr>`;
  })}`;
}

export function studyPage(context: PageContext): { title: string; body: SafeHtml } {
  const results = context.data.results();
  const manifest = context.data.manifest();
  const title = results?.studyTitle ?? (manifest?.study as { title?: string } | undefined)?.title ?? 'Study';
  const doseNoun = results?.doseVariable ?? 'level';
  const grid = html`<div data-live-replace="/fragment/matrix">${designMatrix(context)}</div><h2>Design cells</h2>
<p class="muted">language × ${doseNoun} × model. Error rates, exclusions and cell means are as of the last analysis (results.json); runs, calls, retries, cache hits and cost are read live from the store. <span id="live-status" class="live"></span></p>
<table class="grid">
<thead><tr><th>language</th><th class="number">${doseNoun}</th><th>model</th><th class="number">runs</th><th class="number">completed</th><th class="number">excluded</th><th class="number">parse errors</th><th class="number">call errors</th><th class="number">retries</th><th class="number">cache hits / calls</th><th class="number">cost</th><th class="number">CPI</th><th class="number">DI</th></tr></thead>
<tbody data-live-replace="/fragment/grid">${gridRows(context)}</tbody>
</table>`;
  const problem = context.data.resultsProblem();
  const hypotheses =
    results === undefined
      ? problem !== undefined
        ? html`<h2>Hypotheses</h2><p class="error">results.json cannot be read by this version of backfire (${problem}): run <code>backfire analyze</code> on this folder again. Numbers from it (exclusions, error rates, cell means, hypotheses, trajectories) are not shown.</p>`
        : html`<h2>Hypotheses</h2><p class="muted">Not analysed yet: run <code>backfire analyze</code> on this folder.</p>`
      : html`<h2>Hypotheses</h2>
<p class="muted">Multiplicity correction: ${results.correction}. Each row links to the runs behind it.</p>
${results.hypotheses.map((hypothesis) => hypothesisTable(hypothesis))}`;
  const status =
    manifest === undefined
      ? ''
      : html`<p class="muted">Status: ${manifest.status} · seed ${manifest.seed} · study hash ${manifest.studyHash.slice(0, 12)}</p>`;
  return {
    title,
    body: html`<h1>${title}</h1>${status}${grid}${hypotheses}`,
  };
}

/** The design as a grid per model: languages down, levels across; each cell its CPI mean and completed runs. */
export function designMatrix(context: PageContext): SafeHtml {
  const doseNoun = context.data.results()?.doseVariable ?? 'level';
  const rows = cellRows(context);
  const models = [...new Set(rows.map((row) => row.model))];
  const levels = [...new Set(rows.map((row) => row.dose))].sort((a, b) => a - b);
  return html`${models.map((model) => {
    const ofModel = rows.filter((row) => row.model === model);
    const languages = [...new Set(ofModel.map((row) => row.language))];
    return html`<h2>Design: ${model}</h2>
<table class="matrix"><thead><tr><th>language / ${doseNoun}</th>${levels.map((level) => html`<th class="number">${level}</th>`)}</tr></thead>
<tbody>${languages.map(
      (language) =>
        html`<tr><th>${language}</th>${levels.map((level) => {
          const row = ofModel.find((candidate) => candidate.language === language && candidate.dose === level);
          return row === undefined
            ? html`<td></td>`
            : html`<td class="number"><a href="${href('/cell', { id: row.cellId })}" title="${`mean CPI of ${row.cellId}`}">${formatNumber(row.summary?.means.cpi)}</a> <span class="muted">${row.completed}/${row.runs}</span></td>`;
        })}</tr>`,
    )}</tbody></table>`;
  })}<p class="muted">Each cell: mean CPI (results.json) and completed / planned runs (store).</p>`;
}

function hypothesisTable(hypothesis: HypothesisResult): SafeHtml {
  return html`<section class="hypothesis">
<h3 id="${`h-${hypothesis.id}`}">${hypothesis.id} <span class="badge${hypothesis.confirmatory ? ' confirmatory' : ''}">${hypothesis.confirmatory ? 'confirmatory' : 'exploratory'}</span></h3>
<p>${hypothesis.description} <span class="muted">(${hypothesis.kind}, ${hypothesis.metric})</span></p>
<table>
<thead><tr><th>row</th><th>quantity</th><th class="number">estimate</th><th class="number">CI</th><th class="number">p</th><th class="number">adjusted p</th><th>runs</th></tr></thead>
<tbody>${hypothesis.rows.map((row) => hypothesisRow(row))}</tbody>
</table>
</section>`;
}

/** The runs behind a statistic: its language (when it has one) and the levels its n counts. */
export function runsBehind(row: StatisticRow): Record<string, string | readonly string[] | undefined> {
  const levels = Object.keys(row.n ?? {}).filter((key) => /^-?\d+$/.test(key));
  return { language: row.language, dose: levels.length > 0 ? levels : undefined };
}

function hypothesisRow(row: StatisticRow): SafeHtml {
  const runs = href('/runs', runsBehind(row));
  const n = Object.values(row.n ?? {}).reduce((sum, value) => sum + value, 0);
  return html`<tr><td>${row.label}</td><td>${row.quantity}</td>
<td class="number"><a href="${runs}">${formatNumber(row.estimate, 3)}</a></td>
<td class="number">${formatInterval(row.ci)}</td><td class="number">${formatP(row.p)}</td><td class="number">${formatP(row.pAdjusted)}</td>
<td><a href="${runs}">${n > 0 ? `${n} runs` : 'runs'}</a></td></tr>`;
}

const SORTABLE = ['replicate', 'cpi', 'di', 'conformity', 'failures', 'status'] as const;
type SortKey = (typeof SORTABLE)[number];

function sortValue(run: StoredRun, features: RunFeatures | undefined, key: SortKey): number | string {
  switch (key) {
    case 'replicate':
      return run.replicate;
    case 'cpi':
      return features?.cpi ?? Number.NEGATIVE_INFINITY;
    case 'di':
      return features?.di ?? Number.NEGATIVE_INFINITY;
    case 'conformity':
      return features?.conformityRate ?? Number.NEGATIVE_INFINITY;
    case 'failures':
      return (features?.parseErrors ?? 0) + (features?.callErrors ?? 0);
    case 'status':
      return run.status;
  }
}

export interface RunListQuery {
  sort?: string | undefined;
  order?: string | undefined;
  status?: string | undefined;
  excluded?: string | undefined;
}

/** A table of runs with their indices, sortable by header links, with checkboxes to compare two. */
export function runsTable(
  context: PageContext,
  runs: readonly StoredRun[],
  query: RunListQuery,
  selfLink: (sort: string, order: string) => string,
): SafeHtml {
  const features = context.data.runFeaturesOf(runs.map((run) => run.runId));
  let shown = runs.filter((run) => query.status === undefined || run.status === query.status);
  if (query.excluded === '1') shown = shown.filter((run) => features.get(run.runId)?.excluded === true);
  const key = (SORTABLE as readonly string[]).includes(query.sort ?? '') ? (query.sort as SortKey) : undefined;
  const descending = query.order === 'desc';
  if (key !== undefined) {
    shown = [...shown].sort((a, b) => {
      const left = sortValue(a, features.get(a.runId), key);
      const right = sortValue(b, features.get(b.runId), key);
      const order =
        typeof left === 'number' && typeof right === 'number'
          ? left - right
          : String(left).localeCompare(String(right));
      return descending ? -order : order;
    });
  }
  const header = (label: string, sort: SortKey, numeric = true) => {
    const next = key === sort && !descending ? 'desc' : 'asc';
    const arrow = key === sort ? (descending ? ' ▼' : ' ▲') : '';
    return html`<th class="${numeric ? 'number' : ''}"><a href="${selfLink(sort, next)}">${label}${arrow}</a></th>`;
  };
  return html`<form method="get" action="/compare">
<p class="muted">Tick two runs and press Compare to read them side by side.</p>
<table class="runs">
<thead><tr><th>compare</th><th>run</th><th>language</th><th class="number">level</th><th>model</th>${header('replicate', 'replicate')}${header('status', 'status', false)}<th class="number">turns</th>${header('CPI', 'cpi')}${header('DI', 'di')}${header('conformity', 'conformity')}${header('parse / call errors', 'failures')}<th>excluded</th></tr></thead>
<tbody>${shown.map((run) => {
    const feature = features.get(run.runId);
    return html`<tr>
<td><input type="checkbox" name="run" value="${run.runId}" aria-label="${`compare ${run.runId}`}"></td>
<td><a href="${href('/run', { id: run.runId })}">${run.runId}</a></td><td>${run.language}</td><td class="number">${run.dose}</td><td>${run.model}</td>
<td class="number">${run.replicate}</td><td>${run.status}</td><td class="number">${run.turnsCompleted}</td>
<td class="number">${formatNumber(feature?.cpi)}</td><td class="number">${formatNumber(feature?.di)}</td><td class="number">${formatRate(feature?.conformityRate)}</td>
<td class="number">${feature === undefined ? '–' : `${feature.parseErrors} / ${feature.callErrors}`}</td>
<td>${feature?.excluded === true ? (feature.exclusionReason ?? 'yes') : ''}</td></tr>`;
  })}</tbody>
</table>
<button type="submit">Compare</button>
</form>`;
}

export function cellPage(
  context: PageContext,
  cellId: string,
  query: RunListQuery,
): { title: string; body: SafeHtml } | undefined {
  const runs = context.data.runsOfCell(cellId);
  if (runs.length === 0) return undefined;
  const first = runs[0]!;
  const summary = context.data.results()?.cells.find((cell) => cell.cellId === cellId);
  const means =
    summary === undefined
      ? ''
      : html`<p>Cell means (results.json): ${Object.entries(summary.means).map(
          ([metric, value]) => html`<span class="badge">${metric} ${formatNumber(value)}</span> `,
        )}</p>`;
  const link = (sort: string, order: string) =>
    href('/cell', { id: cellId, sort, order, status: query.status, excluded: query.excluded });
  return {
    title: `Cell ${cellId}`,
    body: html`<h1>Cell ${cellId}</h1>
<p>${first.language} · level ${first.dose} · ${first.model} · ${runs.length} runs ·
<a href="${href('/runs', { language: first.language })}">all runs of ${first.language}</a> ·
<a href="${href('/trajectories', { language: first.language })}">trajectories</a> ·
<a href="${href('/search', { cell: cellId })}">search this cell</a></p>
${means}
${runsTable(context, runs, query, link)}`,
  };
}

export interface RunsFilter extends RunListQuery {
  language?: string | undefined;
  model?: string | undefined;
  dose?: readonly string[] | undefined;
}

export const RUNS_PAGE_LIMIT = 500;

export function runsPage(context: PageContext, filter: RunsFilter): { title: string; body: SafeHtml } {
  const doses = new Set((filter.dose ?? []).map(Number));
  const all = context.data
    .listRuns()
    .filter(
      (run) =>
        (filter.language === undefined || filter.language === '' || run.language === filter.language) &&
        (filter.model === undefined || filter.model === '' || run.model === filter.model) &&
        (doses.size === 0 || doses.has(run.dose)),
    );
  const runs = all.slice(0, RUNS_PAGE_LIMIT);
  const link = (sort: string, order: string) =>
    href('/runs', { language: filter.language, model: filter.model, dose: filter.dose, sort, order });
  const described = [
    filter.language === undefined || filter.language === '' ? 'all languages' : `language ${filter.language}`,
    doses.size === 0 ? 'all levels' : `levels ${[...doses].join(', ')}`,
    filter.model === undefined || filter.model === '' ? 'all models' : `model ${filter.model}`,
  ].join(' · ');
  const truncated =
    all.length > runs.length
      ? html`<p class="muted">Showing the first ${RUNS_PAGE_LIMIT} of ${formatCount(all.length)} runs: narrow the filter (language, level) to see the others.</p>`
      : '';
  return {
    title: 'Runs',
    body: html`<h1>Runs</h1><p>${described} · ${formatCount(all.length)} runs</p>${truncated}
${runsTable(context, runs, filter, link)}`,
  };
}

export function trajectoriesPage(
  context: PageContext,
  query: { metric?: string | undefined; language?: string | undefined },
): { title: string; body: SafeHtml } {
  const trajectories = context.data.results()?.trajectories;
  if (trajectories === undefined) {
    return {
      title: 'Trajectories',
      body: html`<h1>Trajectories</h1><p class="muted">No trajectories in results.json yet: run <code>backfire score</code> and <code>backfire analyze</code>.</p>`,
    };
  }
  const metric = trajectories.metrics.includes(query.metric ?? '') ? query.metric! : (trajectories.metrics[0] ?? 'cpi');
  const languages = [...new Set(trajectories.cells.map((cell) => cell.language))];
  const chosen = query.language !== undefined && languages.includes(query.language) ? [query.language] : languages;
  const cells = trajectories.cells.filter((cell) => chosen.includes(cell.language));
  const turns = [...new Set(cells.flatMap((cell) => cell.turns.map((point) => point.turn)))].sort((a, b) => a - b);
  const events = trajectories.events[chosen[0] ?? ''] ?? [];
  const phaseAt = new Map(events.map((event) => [event.turn, event.phase]));
  const figure =
    context.options.trajectoryFigure === undefined
      ? ''
      : html`<div class="figure">${htmlFromTrustedSvg(context.options.trajectoryFigure(trajectories, metric, chosen))}</div>`;
  const metricLinks = trajectories.metrics.map(
    (name) =>
      html`<a href="${href('/trajectories', { metric: name, language: query.language })}"${name === metric ? html` aria-current="page"` : ''}>${name}</a> `,
  );
  const languageLinks = [
    html`<a href="${href('/trajectories', { metric })}">all</a> `,
    ...languages.map((language) => html`<a href="${href('/trajectories', { metric, language })}">${language}</a> `),
  ];
  return {
    title: 'Trajectories',
    body: html`<h1>Trajectories: ${metric}</h1>
<p>Metric: ${metricLinks}</p><p>Language: ${languageLinks}</p>
<p class="muted">Per-turn means over each cell's included runs (results.json), with the scenario event injected at each turn.</p>
${figure}
<table>
<thead><tr><th>cell</th>${turns.map((turn) => html`<th class="number" title="${phaseAt.get(turn) ?? ''}">t${turn}<br><span class="muted">${phaseAt.get(turn) ?? ''}</span></th>`)}</tr></thead>
<tbody>${cells.map((cell) => {
      const byTurn = new Map(cell.turns.map((point) => [point.turn, point]));
      return html`<tr><td><a href="${href('/cell', { id: cell.cellId })}">${cell.cellId}</a></td>${turns.map(
        (turn) => html`<td class="number">${formatNumber(byTurn.get(turn)?.means[metric])}</td>`,
      )}</tr>`;
    })}</tbody>
</table>
<h2>Per phase</h2>
<table>
<thead><tr><th>cell</th>${(cells[0]?.phases ?? []).map((phase) => html`<th class="number">${phase.phase}<br><span class="muted">t${phase.firstTurn}–${phase.lastTurn}</span></th>`)}</tr></thead>
<tbody>${cells.map(
      (cell) =>
        html`<tr><td><a href="${href('/cell', { id: cell.cellId })}">${cell.cellId}</a></td>${cell.phases.map(
          (phase) => html`<td class="number">${formatNumber(phase.means[metric])}</td>`,
        )}</tr>`,
    )}</tbody>
</table>`,
  };
}

/**
 * The report's SVG figures escape every text they draw (src/report/svg.ts) and contain no script;
 * they are embedded as markup. This is the only place the viewer trusts markup it did not make, so a
 * figure carrying script, an event handler or a javascript: URL is withheld rather than shown.
 */
function htmlFromTrustedSvg(svg: string): SafeHtml {
  if (/<script|\son[a-z]+\s*=|javascript:/i.test(svg)) {
    return html`<p class="muted">figure withheld: unexpected markup</p>`;
  }
  return new SafeHtml(svg);
}
