import type {
  ActionFeatures,
  AgentSetup,
  LexiconSpan,
  RunStartEvent,
  TranscriptEvent,
  TurnFeatures,
} from '../contracts/index.js';
import type { PageContext } from './context.js';
import { formatCost, formatNumber, formatRate } from './format.js';
import { href, html, type SafeHtml, untrustedText } from './html.js';
import type { StoredCall } from './run-data.js';

/**
 * One run: the transcript (turn by turn, live while the run is going), one agent across the turns,
 * one model call ("what this agent saw"), and two runs side by side. A page reads one run's events
 * (a transcript is read by turn ranges, so a very long run is paged), never the whole study's.
 */

/** Turns per transcript page: a Study 2 run (15 turns x 10 agents) fits on one. */
export const TURNS_PER_PAGE = 20;

interface RunView {
  runId: string;
  start: RunStartEvent | undefined;
  agents: Map<string, AgentSetup>;
}

function runView(context: PageContext, runId: string): RunView {
  const start = context.data.runStart(runId);
  return { runId, start, agents: new Map((start?.agents ?? []).map((agent) => [agent.id, agent])) };
}

function personaRole(context: PageContext, language: string | undefined, personaId: string): string | undefined {
  if (language === undefined) return undefined;
  return context.options.packs?.get(language)?.personas.find((persona) => persona.id === personaId)?.role;
}

function agentLabel(context: PageContext, view: RunView, agentId: string): SafeHtml {
  const agent = view.agents.get(agentId);
  const role = agent === undefined ? undefined : personaRole(context, view.start?.language, agent.personaId);
  const instructed =
    agent === undefined || agent.interventions.length === 0
      ? html`<span class="badge">not instructed</span>`
      : html`<span class="badge instructed">instructed: ${agent.interventions.join(', ')}</span>`;
  return html`<a href="${href('/agent', { run: view.runId, agent: agentId })}"><bdi>${untrustedText(agent?.name ?? agentId)}</bdi></a>
<span class="muted">${agentId}${role === undefined ? '' : html` · ${role}`}</span> ${instructed}`;
}

/** The action's text with each counted lexicon hit marked by category (overlaps keep the first). */
export function highlighted(text: string, matches: readonly LexiconSpan[] | undefined, query?: string): SafeHtml {
  const spans = [...(matches ?? [])]
    .filter((span) => span.start < span.end && span.end <= text.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: SafeHtml[] = [];
  let position = 0;
  for (const span of spans) {
    if (span.start < position) continue;
    parts.push(queryMarked(text.slice(position, span.start), query));
    const category = span.category.replace(/[^A-Za-z0-9_-]/g, '');
    parts.push(
      html`<mark class="${`hit hit-${category}`}" title="${`${span.category}: ${span.term}`}">${untrustedText(text.slice(span.start, span.end))}</mark>`,
    );
    position = span.end;
  }
  parts.push(queryMarked(text.slice(position), query));
  return html`<bdi>${parts}</bdi>`;
}

function queryMarked(text: string, query: string | undefined): SafeHtml {
  const needle = query?.trim().toLowerCase() ?? '';
  const lower = text.toLowerCase();
  if (needle === '' || lower.length !== text.length) return untrustedText(text);
  const parts: SafeHtml[] = [];
  let position = 0;
  for (let index = lower.indexOf(needle); index !== -1; index = lower.indexOf(needle, position)) {
    parts.push(untrustedText(text.slice(position, index)));
    parts.push(html`<mark class="query">${untrustedText(text.slice(index, index + needle.length))}</mark>`);
    position = index + needle.length;
  }
  parts.push(untrustedText(text.slice(position)));
  return html`${parts}`;
}

function channelLabel(view: RunView, channel: string, target: string | undefined): SafeHtml {
  if (channel === 'whisper') {
    const name = target === undefined ? '?' : (view.agents.get(target)?.name ?? target);
    return html`<span class="channel">whisper</span> → <bdi>${untrustedText(name)}</bdi>`;
  }
  return html`<span class="channel">${channel}</span>`;
}

function hitSummary(features: ActionFeatures | undefined): SafeHtml {
  if (features === undefined) return html``;
  const hits = Object.entries(features.hits).filter(([, count]) => count > 0);
  if (hits.length === 0) return html`<span class="muted">no lexicon hits</span>`;
  return html`${hits.map(([category, count]) => html`<span class="badge">${category} ${count}</span> `)}`;
}

function callSummary(call: StoredCall | undefined): SafeHtml {
  if (call === undefined) return html`<span class="muted">no call record</span>`;
  const cached = call.cached ? 'cached' : 'not cached';
  return html`${formatNumber(call.latencyMs, call.latencyMs < 10 ? 1 : 0)} ms · ${call.promptTokens} + ${call.completionTokens} tokens · ${formatCost(call.costUsd)} · ${call.attempts.length} attempt${call.attempts.length === 1 ? '' : 's'} · ${cached}`;
}

function callDetails(call: StoredCall | undefined, callId: string): SafeHtml {
  return html`<details><summary>model call: ${callSummary(call)}</summary>
${
  call === undefined
    ? ''
    : html`<p class="muted">model ${call.model}${call.modelVersion === null ? '' : html` (${call.modelVersion})`} · finish ${call.finishReason}${call.warnings.length > 0 ? html` · warnings: ${call.warnings.join('; ')}` : ''}</p>
<p>Attempts: ${call.attempts.map((attempt) => html`<span class="badge">#${attempt.attempt} ${attempt.outcome}${attempt.status === undefined ? '' : html` ${attempt.status}`}${attempt.waitMs === undefined ? '' : html` waited ${attempt.waitMs} ms`}</span> `)}</p>`
}
<p><a href="${href('/call', { id: callId })}">What this agent saw (the messages of this call) and its raw response</a></p>
</details>`;
}

function eventBlock(
  context: PageContext,
  view: RunView,
  event: TranscriptEvent,
  features: Map<number, ActionFeatures>,
  calls: Map<string, StoredCall>,
): SafeHtml {
  switch (event.type) {
    case 'event-injected':
      return html`<div class="injected"><strong>Injected event</strong> <span class="muted">(${event.phase})</span><p class="text">${untrustedText(event.text)}</p></div>`;
    case 'action': {
      const feature = features.get(event.seq);
      return html`<article class="${`action channel-${event.channel}`}" id="${`s${event.seq}`}">
<div class="meta">${agentLabel(context, view, event.agent)} ${channelLabel(view, event.channel, event.target)} ${hitSummary(feature)}</div>
<p class="text">${highlighted(event.text, feature?.matches)}</p>
${callDetails(calls.get(event.callId), event.callId)}
</article>`;
    }
    case 'parse-error':
      return html`<div class="error" id="${`s${event.seq}`}"><div class="meta">${agentLabel(context, view, event.agent)} <strong>parse error</strong>: ${event.reason}</div>
<pre>${untrustedText(event.raw)}</pre>${callDetails(calls.get(event.callId), event.callId)}</div>`;
    case 'call-error':
      return html`<div class="error" id="${`s${event.seq}`}"><div class="meta">${agentLabel(context, view, event.agent)} <strong>call error</strong> (${event.kind}, ${event.attempts} attempts)</div>
<p class="text">${untrustedText(event.message)}</p>${callDetails(calls.get(event.callId), event.callId)}</div>`;
    case 'run-end':
      return html`<p class="muted">Run ended: ${event.status}${event.reason === undefined ? '' : html` (${event.reason})`}</p>`;
    default:
      return html``;
  }
}

function turnFeatureLine(features: TurnFeatures | undefined): SafeHtml {
  if (features === undefined) return html``;
  return html`<span class="muted">turn CPI ${formatNumber(features.cpi)} · DI ${formatNumber(features.di)} · conformity ${formatRate(features.conformityRate)}</span>`;
}

/** Turns firstTurn..lastTurn of a run as HTML sections, and the last turn they contain. */
export function turnsHtml(
  context: PageContext,
  runId: string,
  firstTurn: number,
  lastTurn: number,
): { body: SafeHtml; lastTurn: number } {
  const view = runView(context, runId);
  const events = context.data.events(runId, Math.max(1, firstTurn), lastTurn);
  if (events.length === 0) return { body: html``, lastTurn: firstTurn - 1 };
  const seqs = events.map((event) => event.seq);
  const features = context.data.actionFeatures(runId, Math.min(...seqs), Math.max(...seqs));
  const calls = context.data.callsOfRun(runId, Math.max(1, firstTurn), lastTurn);
  const turnFeatures = new Map(context.data.turnFeatures(runId).map((turn) => [turn.turn, turn]));
  const byTurn = new Map<number, TranscriptEvent[]>();
  for (const event of events) {
    const list = byTurn.get(event.turn) ?? [];
    list.push(event);
    byTurn.set(event.turn, list);
  }
  // Only whole turns are committed, so the last turn read is complete.
  const turns = [...byTurn.keys()].sort((a, b) => a - b);
  return {
    body: html`${turns.map(
      (
        turn,
      ) => html`<section class="turn" id="${`turn-${turn}`}"><header><strong>Turn ${turn}</strong>${turnFeatureLine(turnFeatures.get(turn))}</header>
${(byTurn.get(turn) ?? []).map((event) => eventBlock(context, view, event, features, calls))}
</section>`,
    )}`,
    lastTurn: turns[turns.length - 1] ?? firstTurn - 1,
  };
}

export function transcriptPage(
  context: PageContext,
  runId: string,
  page: number,
): { title: string; body: SafeHtml } | undefined {
  const run = context.data.run(runId);
  if (run === undefined) return undefined;
  const view = runView(context, runId);
  const firstTurn = (Math.max(1, page) - 1) * TURNS_PER_PAGE + 1;
  const lastTurn = firstTurn + TURNS_PER_PAGE - 1;
  const { body, lastTurn: shownLast } = turnsHtml(context, runId, firstTurn, lastTurn);
  const features = context.data.runFeatures(runId);
  const running = run.status !== 'completed' && run.status !== 'failed';
  const onLastPage = run.turnsCompleted <= lastTurn;
  const live =
    running && onLastPage
      ? html`<div data-live-append="${href('/fragment/turns', { id: runId })}" data-after="${shownLast}"></div><p class="live" id="live-status">live: new turns appear here as the run commits them</p>`
      : html``;
  const pages = Math.max(1, Math.ceil(run.turnsCompleted / TURNS_PER_PAGE));
  const pager =
    pages <= 1
      ? ''
      : html`<p>Pages: ${Array.from({ length: pages }, (_, index) => html`<a href="${href('/run', { id: runId, page: index + 1 })}">${index + 1}</a> `)}</p>`;
  const agents = [...view.agents.values()];
  return {
    title: `Run ${runId}`,
    body: html`<h1>Run ${runId}</h1>
<p>${run.language} · level ${run.dose} · ${run.model} · replicate ${run.replicate} · seed ${run.seed} · ${run.status}, ${run.turnsCompleted} turns ·
<a href="${href('/cell', { id: run.cellId })}">cell ${run.cellId}</a></p>
${features === undefined ? '' : html`<p>CPI ${formatNumber(features.cpi)} · DI ${formatNumber(features.di)} · conformity ${formatRate(features.conformityRate)} · ${features.actions} actions, ${features.parseErrors} parse errors, ${features.callErrors} call errors${features.excluded ? html` · <strong>excluded</strong>: ${features.exclusionReason ?? ''}` : ''}</p>`}
<p class="legend">Agents: ${agents.map((agent) => html`<span>${agentLabel(context, view, agent.id)}</span>`)}</p>
<p class="legend muted">Lexicon hits: <mark class="hit hit-sexual">sexual</mark> <mark class="hit hit-protective">protective</mark> <mark class="hit hit-conformity">conformity</mark> <mark class="hit hit-individuation">individuation</mark> (hover a hit for its term)</p>
${pager}${body}${live}${pager}`,
  };
}

export function agentPage(
  context: PageContext,
  runId: string,
  agentId: string,
): { title: string; body: SafeHtml } | undefined {
  const run = context.data.run(runId);
  const view = runView(context, runId);
  const agent = view.agents.get(agentId);
  if (run === undefined || agent === undefined) return undefined;
  const events = context.data.events(runId, 1, Number.MAX_SAFE_INTEGER);
  const own = events.filter((event) => 'agent' in event && event.agent === agentId);
  const injected = new Map(
    events.filter((event) => event.type === 'event-injected').map((event) => [event.turn, event]),
  );
  const seqs = own.map((event) => event.seq);
  const features =
    seqs.length === 0
      ? new Map<number, ActionFeatures>()
      : context.data.actionFeatures(runId, Math.min(...seqs), Math.max(...seqs));
  const summary = context.data.agentFeatures(runId, agentId);
  const categories = [...new Set([...features.values()].flatMap((feature) => Object.keys(feature.hits)))];
  return {
    title: `${agent.name} in ${runId}`,
    body: html`<h1>${agentLabel(context, view, agentId)}</h1>
<p>in <a href="${href('/run', { id: runId })}">run ${runId}</a> (${run.language}, level ${run.dose}, ${run.model})</p>
${summary === undefined ? '' : html`<p>${summary.actions} actions · ${summary.monologues} monologues (${formatRate(summary.monologueRatio)}) · conformity ${formatRate(summary.conformityRate)} · DI ${formatNumber(summary.di)} · in the intended language ${formatRate(summary.intendedLanguageShare)} · hits ${Object.entries(summary.hits).map(([category, count]) => html`<span class="badge">${category} ${count}</span> `)}</p>`}
<table>
<thead><tr><th class="number">turn</th><th>phase</th><th>channel</th><th class="number">words</th>${categories.map((category) => html`<th class="number">${category}</th>`)}<th>text</th></tr></thead>
<tbody>${own.map((event) => {
      const feature = features.get(event.seq);
      const text =
        event.type === 'action'
          ? highlighted(event.text, feature?.matches)
          : event.type === 'parse-error'
            ? html`<strong>parse error</strong>: ${event.reason}<pre>${untrustedText(event.raw)}</pre>`
            : event.type === 'call-error'
              ? html`<strong>call error</strong>: ${untrustedText(event.message)}`
              : html``;
      return html`<tr><td class="number"><a href="${href('/run', { id: runId, page: Math.ceil(event.turn / TURNS_PER_PAGE) })}#${`s${event.seq}`}">${event.turn}</a></td>
<td>${injected.get(event.turn)?.phase ?? ''}</td>
<td>${event.type === 'action' ? channelLabel(view, event.channel, event.target) : ''}</td>
<td class="number">${feature?.words ?? ''}</td>${categories.map((category) => html`<td class="number">${feature?.hits[category] ?? ''}</td>`)}
<td class="text">${text}</td></tr>`;
    })}</tbody>
</table>`,
  };
}

export function callPage(context: PageContext, callId: string): { title: string; body: SafeHtml } | undefined {
  const call = context.data.call(callId);
  if (call === undefined) return undefined;
  const view = runView(context, call.runId);
  const messages = context.options.callMessages?.({ runId: call.runId, turn: call.turn, agentId: call.agentId });
  const seen =
    messages === undefined
      ? html`<p class="muted">The messages of this call are not available (calls store only a hash of their request, and this viewer was started without the prompt reconstruction).</p>`
      : html`<p class="muted">Rebuilt from the stored transcript by the engine's own prompt code: the engine builds every prompt from transcript events only (also when it resumes a run), and calls store only a hash of their request.</p>
${messages.map((message) => html`<section class="message"><header>${message.role}</header><pre>${untrustedText(message.content)}</pre></section>`)}`;
  return {
    title: `Call ${callId}`,
    body: html`<h1>Model call of ${agentLabel(context, view, call.agentId)}, turn ${call.turn}</h1>
<p><a href="${href('/run', { id: call.runId, page: Math.ceil(call.turn / TURNS_PER_PAGE) })}#${`turn-${call.turn}`}">back to the transcript of ${call.runId}</a></p>
<table><tbody>
<tr><th>model</th><td>${call.model}${call.modelVersion === null ? '' : html` (${call.modelVersion})`}</td></tr>
<tr><th>latency</th><td>${formatNumber(call.latencyMs, call.latencyMs < 10 ? 1 : 0)} ms</td></tr>
<tr><th>tokens</th><td>${call.promptTokens} prompt${call.cachedPromptTokens === null ? '' : html` (${call.cachedPromptTokens} from the provider's prompt cache)`} + ${call.completionTokens} completion</td></tr>
<tr><th>cost</th><td>${formatCost(call.costUsd)}</td></tr>
<tr><th>cached</th><td>${call.cached ? 'yes (answered from the response cache)' : 'no'}</td></tr>
<tr><th>finish</th><td>${call.finishReason}</td></tr>
<tr><th>attempts</th><td>${call.attempts.map((attempt) => html`<div>#${attempt.attempt} ${attempt.outcome}${attempt.status === undefined ? '' : html` (HTTP ${attempt.status})`}${attempt.waitMs === undefined ? '' : html`, waited ${attempt.waitMs} ms`}${attempt.message === undefined ? '' : html`: ${untrustedText(attempt.message)}`}</div>`)}</td></tr>
<tr><th>warnings</th><td>${call.warnings.length === 0 ? 'none' : call.warnings.map((warning) => html`<div>${untrustedText(warning)}</div>`)}</td></tr>
${call.error === null ? '' : html`<tr><th>error</th><td>${untrustedText(call.error)}</td></tr>`}
</tbody></table>
<h2>Raw response</h2><pre>${untrustedText(call.text)}</pre>
<h2>What this agent saw</h2>${seen}`,
  };
}

export function comparePage(context: PageContext, runIds: readonly string[]): { title: string; body: SafeHtml } {
  const [left, right] = runIds;
  if (
    left === undefined ||
    right === undefined ||
    context.data.run(left) === undefined ||
    context.data.run(right) === undefined
  ) {
    return {
      title: 'Compare',
      body: html`<h1>Compare two runs</h1><p>Tick exactly two runs in a run list (a cell page or <a href="/runs">Runs</a>) and press Compare.</p>`,
    };
  }
  const header = (runId: string) => {
    const run = context.data.run(runId)!;
    const features = context.data.runFeatures(runId);
    return html`<div><h2><a href="${href('/run', { id: runId })}">${runId}</a></h2>
<p>${run.language} · level ${run.dose} · ${run.model} · CPI ${formatNumber(features?.cpi)} · DI ${formatNumber(features?.di)} · conformity ${formatRate(features?.conformityRate)}</p></div>`;
  };
  // Turn by turn, side by side, so the same scenario event lines up across the two runs.
  const turns = Math.max(context.data.run(left)!.turnsCompleted, context.data.run(right)!.turnsCompleted);
  const rows = Array.from({ length: Math.min(turns, TURNS_PER_PAGE) }, (_, index) => {
    const turn = index + 1;
    return html`<div class="columns"><div>${turnsHtml(context, left, turn, turn).body}</div><div>${turnsHtml(context, right, turn, turn).body}</div></div>`;
  });
  return {
    title: 'Compare',
    body: html`<h1>Compare ${left} and ${right}</h1><div class="columns">${header(left)}${header(right)}</div>${rows}`,
  };
}
