import { CHANNELS } from '../contracts/index.js';
import type { PageContext } from './context.js';
import { href, html, type SafeHtml } from './html.js';
import { highlighted, TURNS_PER_PAGE } from './pages-run.js';
import { SEARCH_PAGE_SIZE, type SearchFilters } from './search-index.js';

/** Full-text search across every transcript, filtered by language, cell, agent, channel and lexicon category. */
export function searchPage(context: PageContext, filters: SearchFilters): { title: string; body: SafeHtml } {
  const results = context.data.results();
  const runs = context.data.listRuns();
  const languages = results?.languages ?? [...new Set(runs.map((run) => run.language))].sort();
  const cells = [...new Set(runs.map((run) => run.cellId))].sort();
  const categories = [...new Set((results?.instrument ?? []).flatMap((row) => Object.keys(row.lexiconTerms)))].sort();
  const select = (name: string, label: string, values: readonly string[], current: string | undefined) =>
    html`<label>${label}<select name="${name}"><option value="">any</option>${values.map(
      (value) => html`<option value="${value}"${value === current ? html` selected` : ''}>${value}</option>`,
    )}</select></label>`;
  const anyFilter =
    filters.query.trim() !== '' ||
    [filters.language, filters.cellId, filters.agent, filters.channel, filters.category].some(
      (value) => value !== undefined && value !== '',
    );
  let hitsHtml: SafeHtml = html``;
  if (anyFilter) {
    context.search.refresh();
    const page = context.search.search(filters);
    const offset = filters.offset ?? 0;
    const next = href('/search', {
      q: filters.query,
      language: filters.language,
      cell: filters.cellId,
      agent: filters.agent,
      channel: filters.channel,
      category: filters.category,
      offset: offset + SEARCH_PAGE_SIZE,
    });
    hitsHtml = html`<p class="muted">${page.hits.length === 0 ? 'No actions match.' : `Actions ${offset + 1}–${offset + page.hits.length}${page.more ? ' (more below)' : ''}, in transcript order.`}${page.note === undefined ? '' : html` ${page.note}.`}</p>
<ol class="hits" start="${offset + 1}">${page.hits.map(
      (
        hit,
      ) => html`<li class="${`action channel-${hit.channel}`}"><div class="meta"><a class="hit-link" href="${`${href('/run', { id: hit.runId, page: Math.ceil(hit.turn / TURNS_PER_PAGE) })}#s${hit.seq}`}">${hit.runId}, turn ${hit.turn}</a>
<span>${hit.agent}</span> <span class="channel">${hit.channel}</span> <span class="muted">${hit.cellId}</span> ${hit.categories.map((category) => html`<span class="badge">${category}</span> `)}</div>
<p class="text">${highlighted(hit.text, undefined, filters.query)}</p></li>`,
    )}</ol>
${page.more ? html`<p><a href="${next}">Next ${SEARCH_PAGE_SIZE}</a></p>` : ''}`;
  }
  return {
    title: 'Search',
    body: html`<h1>Search the transcripts</h1>
<form class="filters" method="get" action="/search" role="search">
<label>text<input type="search" name="q" value="${filters.query}" placeholder="at least 3 characters" autofocus></label>
${select('language', 'language', languages, filters.language)}
${select('cell', 'cell', cells, filters.cellId)}
<label>agent<input name="agent" value="${filters.agent ?? ''}" placeholder="e.g. p01" size="6"></label>
${select('channel', 'channel', CHANNELS, filters.channel)}
${select('category', 'lexicon category', categories, filters.category)}
<button type="submit">Search</button>
</form>
${hitsHtml}`,
  };
}
