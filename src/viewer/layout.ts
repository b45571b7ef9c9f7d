import { createHash } from 'node:crypto';
import { html, type SafeHtml } from './html.js';

/**
 * The page frame (navigation, surrogate banner), the stylesheet and the one client script. Both
 * assets are served from this origin under /assets/ (the Content-Security-Policy allows nothing
 * else: no inline script or style, no remote fonts or CDNs), so `npm ci` needs no bundler for them.
 */

export interface PageFrame {
  title: string;
  studyTitle: string;
  surrogateLabel: string | undefined;
  /** Marks the current section in the navigation. */
  section: 'study' | 'runs' | 'trajectories' | 'search' | 'transcript';
  /** The store's version when the page was made (the client polls for a newer one). */
  version: string;
}

export function layout(frame: PageFrame, body: SafeHtml): SafeHtml {
  const link = (path: string, label: string, section: PageFrame['section']) =>
    html`<a href="${path}"${frame.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  const banner =
    frame.surrogateLabel === undefined
      ? ''
      : html`<p class="surrogate" role="note"><strong>Surrogate output.</strong> ${frame.surrogateLabel}</p>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title === frame.studyTitle ? frame.title : html`${frame.title} · ${frame.studyTitle}`} · backfire</title>
<link rel="stylesheet" href="/assets/viewer.css?v=${ASSET_VERSION}">
<script src="/assets/viewer.js?v=${ASSET_VERSION}" defer></script>
</head>
<body data-version="${frame.version}">
<header class="top">
<span class="brand">backfire</span>
<nav>${link('/', 'Study', 'study')}${link('/runs', 'Runs', 'runs')}${link('/trajectories', 'Trajectories', 'trajectories')}${link('/search', 'Search', 'search')}</nav>
<span class="study-title">${frame.studyTitle}</span>
</header>
${banner}
<main>
${body}
</main>
${banner}
</body>
</html>`;
}

export const VIEWER_CSS = `
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d6dbe1; --bg: #ffffff; --band: #f4f6f8; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; gap: 1.5rem; align-items: baseline; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--band); }
.brand { font-weight: 700; }
nav a { margin-right: 1rem; color: var(--accent); text-decoration: none; }
nav a[aria-current] { font-weight: 700; text-decoration: underline; }
.study-title { color: var(--muted); margin-left: auto; }
main { padding: 1rem 1.2rem 2rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .3rem 0 .8rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
a { color: var(--accent); }
.surrogate { margin: 0; padding: .45rem 1.2rem; background: #fff4d6; border-bottom: 1px solid #e8c76a; color: #5a4300; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem; border: 1px solid var(--line); background: var(--band); }
.badge.confirmatory { background: #e3efff; border-color: #9dc0ea; }
.badge.instructed { background: #e5f5ea; border-color: #93cfa5; }
.turn { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; }
.turn > header { background: var(--band); padding: .4rem .7rem; display: flex; gap: 1rem; flex-wrap: wrap; }
.injected { margin: .5rem .7rem; padding: .5rem .7rem; border-left: 4px solid #8a6d00; background: #fffbea; }
.action { margin: .4rem .7rem; padding: .4rem .6rem; border-left: 4px solid #9aa5b1; }
.action.channel-talk { border-left-color: #0072b2; }
.action.channel-whisper { border-left-color: #cc79a7; background: #fcf4f9; }
.action.channel-monologue { border-left-color: #7a7a7a; background: #f5f5f5; font-style: italic; }
.action .meta { display: flex; gap: .7rem; flex-wrap: wrap; align-items: baseline; font-size: .85rem; color: var(--muted); }
.channel { font-weight: 600; text-transform: uppercase; font-size: .75rem; letter-spacing: .03em; }
.channel-talk .channel { color: #0072b2; } .channel-whisper .channel { color: #a2487f; } .channel-monologue .channel { color: #555; }
.text { margin: .25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.error { margin: .4rem .7rem; padding: .4rem .6rem; border-left: 4px solid #b00020; background: #fdecee; }
mark.hit { padding: 0 .1rem; border-radius: 2px; background: #ffe08a; }
mark.hit-sexual { background: #f7b6b6; } mark.hit-protective { background: #b9e4c9; }
mark.hit-conformity { background: #bcd7f5; } mark.hit-individuation { background: #e3c9f2; }
mark.query { background: #ffe97a; }
.control { font-family: ui-monospace, monospace; font-size: .75rem; color: #b00020; border: 1px dashed #b00020; padding: 0 .15rem; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--band); padding: .5rem; border-radius: 4px; margin: .3rem 0; }
details > summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
.message { border: 1px solid var(--line); border-radius: 4px; margin: .5rem 0; }
.message > header { background: var(--band); padding: .2rem .5rem; font-weight: 600; font-size: .85rem; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.legend span { margin-right: .8rem; }
form.filters { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin: .5rem 0 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
input, select, button { font: inherit; padding: .2rem .4rem; }
.figure svg { max-width: 100%; height: auto; }
.live { font-size: .8rem; color: var(--muted); }
`;

/**
 * Live updates without reloading: the page polls /api/version; when the store moved on (new turns,
 * re-scoring), each `data-live-append` element fetches the turns after the last one it shows and
 * each `data-live-replace` element fetches its fragment again. Fragments are server-rendered, already
 * escaped HTML, parsed in an inert <template> (scripts in it never run; the CSP forbids inline
 * script anyway). No model text is ever handled here as anything but markup the server escaped.
 */
export const VIEWER_SCRIPT = `'use strict';
(function () {
  var live = document.querySelectorAll('[data-live-append],[data-live-replace]');
  if (live.length === 0) return;
  var version = document.body.getAttribute('data-version') || '';
  var status = document.getElementById('live-status');
  // A <template> parses fragments in any context (table rows included) into an inert document:
  // nothing in it runs or loads while it is parsed.
  function nodesOf(text) {
    var template = document.createElement('template');
    template.innerHTML = text;
    return Array.prototype.slice.call(template.content.childNodes);
  }
  function update() {
    live.forEach(function (element) {
      var append = element.getAttribute('data-live-append');
      if (append) {
        var after = element.getAttribute('data-after') || '0';
        fetch(append + '&after=' + encodeURIComponent(after)).then(function (response) {
          if (!response.ok) return;
          var last = response.headers.get('x-last-turn');
          return response.text().then(function (text) {
            nodesOf(text).forEach(function (node) { element.appendChild(document.importNode(node, true)); });
            if (last) element.setAttribute('data-after', last);
          });
        });
      }
      var replace = element.getAttribute('data-live-replace');
      if (replace) {
        fetch(replace).then(function (response) {
          if (!response.ok) return;
          return response.text().then(function (text) {
            element.replaceChildren.apply(element, nodesOf(text).map(function (node) { return document.importNode(node, true); }));
          });
        });
      }
    });
  }
  function poll() {
    fetch('/api/version').then(function (response) { return response.json(); }).then(function (body) {
      if (body.version !== version) {
        version = body.version;
        update();
        if (status) status.textContent = 'updated ' + new Date().toLocaleTimeString();
      }
    }).catch(function () {}).then(function () { setTimeout(poll, 1500); });
  }
  setTimeout(poll, 1500);
})();
`;

/** Changes with the assets' content, so browsers may cache them for good. */
const ASSET_VERSION = createHash('sha256').update(VIEWER_CSS).update(VIEWER_SCRIPT).digest('hex').slice(0, 12);
