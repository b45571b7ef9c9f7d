import type { Manifest, Results } from '../contracts/index.js';
import { buildReportContext, type ReportOptions } from './context.js';
import { type Block, buildReportDocument, type ReportDocument } from './document.js';
import { escapeHtml } from './format.js';
import { renderSentence, type Sentence } from './sentences.js';

/**
 * `report.html`: one self-contained file (inline CSS and SVG; no scripts, fonts, images or network).
 * Every piece of text that came from a study file or a model is escaped; a Content-Security-Policy
 * that forbids scripts is a second line of defence should an escape ever be missed.
 */
export function renderHtml(results: Results, manifest: Manifest, options: ReportOptions): string {
  const context = buildReportContext(results, manifest, options);
  return htmlFromDocument(buildReportDocument(context), manifest.tool.version);
}

const html = (sentence: Sentence) => renderSentence(sentence, 'html');

export function htmlFromDocument(document: ReportDocument, toolVersion: string): string {
  const firstSection = document.blocks.findIndex((block) => block.type === 'heading' && block.level === 2);
  const headerBlocks = firstSection === -1 ? document.blocks : document.blocks.slice(0, firstSection);
  const mainBlocks = firstSection === -1 ? [] : document.blocks.slice(firstSection);
  const contents = mainBlocks.flatMap((block) =>
    block.type === 'heading' && block.level === 2
      ? [`<li><a href="#${escapeHtml(block.anchor)}">${html(block.content)}</a></li>`]
      : [],
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="backfire ${escapeHtml(toolVersion)}">`,
    `<title>${escapeHtml(document.title)} \u2014 backfire report</title>`,
    `<style>${STYLESHEET}</style>`,
    '</head>',
    '<body>',
    '<div class="page">',
    '<header>',
    ...headerBlocks.map(renderBlock),
    '</header>',
    contents.length > 0 ? `<nav class="contents" aria-label="Contents"><ol>${contents.join('')}</ol></nav>` : '',
    '<main>',
    ...mainBlocks.map(renderBlock),
    '</main>',
    '<footer>',
    ...document.footer.map((sentence, index) =>
      document.surrogate && index === 0
        ? `<p class="banner banner-footer" role="note">${html(sentence)}</p>`
        : `<p>${html(sentence)}</p>`,
    ),
    '</footer>',
    '</div>',
    '</body>',
    '</html>',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}

function renderBlock(block: Block): string {
  switch (block.type) {
    case 'heading': {
      const badge = block.badge ? ` <span class="badge ${block.badge}">${block.badge}</span>` : '';
      return `<h${block.level} id="${escapeHtml(block.anchor)}">${html(block.content)}${badge}</h${block.level}>`;
    }
    case 'banner':
      return `<p class="banner" role="note"><strong>${html(block.content)}</strong></p>`;
    case 'paragraph':
      return `<p${block.tone ? ` class="${block.tone}"` : ''}>${html(block.content)}</p>`;
    case 'list':
      return `<ul${block.className ? ` class="${escapeHtml(block.className)}"` : ''}>${block.items
        .map((item) => `<li>${html(item)}</li>`)
        .join('')}</ul>`;
    case 'table':
      return renderTable(block);
    case 'figure':
      return (
        `<figure id="${escapeHtml(block.figure.key)}">${block.figure.svg}` +
        `<figcaption>${escapeHtml(block.figure.caption)}</figcaption></figure>`
      );
    case 'details':
      return `<details><summary>${html(block.summary)}</summary><pre><code>${escapeHtml(block.code)}</code></pre></details>`;
  }
}

function renderTable(block: Extract<Block, { type: 'table' }>): string {
  const cellClass = (index: number) => (block.align[index] === 'right' ? ' class="number"' : '');
  const head = block.header.map((cell, index) => `<th scope="col"${cellClass(index)}>${html(cell)}</th>`).join('');
  const body = block.rows
    .map((row) => `<tr>${row.map((cell, index) => `<td${cellClass(index)}>${html(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  const foot = block.footer
    ? `<tfoot><tr>${block.footer.map((cell, index) => `<td${cellClass(index)}>${html(cell)}</td>`).join('')}</tr></tfoot>`
    : '';
  const caption = block.caption ? `<caption>${html(block.caption)}</caption>` : '';
  return `<div class="table-wrap"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table></div>`;
}

const STYLESHEET = `
:root{color-scheme:light;--text:#1b1b1b;--muted:#595959;--rule:#d9d9d9;--accent:#0072B2;--warn:#D55E00;--warn-bg:#fff3e6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--text);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.page{max-width:1040px;margin:0 auto;padding:28px 32px 56px}
h1{font-size:1.95rem;line-height:1.2;margin:0 0 .5em}
h2{font-size:1.35rem;margin:2.2em 0 .6em;padding-bottom:.25em;border-bottom:1px solid var(--rule)}
h3{font-size:1.12rem;margin:1.8em 0 .4em}
p{margin:.5em 0}
a{color:var(--accent)}
.muted{color:var(--muted);font-size:.92em}
.warning{color:#8a3300;font-weight:600}
.banner{border:2px solid var(--warn);border-left-width:8px;background:var(--warn-bg);color:#4a1d00;padding:12px 16px;border-radius:4px;margin:1em 0}
.banner-footer{font-weight:600}
.badge{display:inline-block;font-size:.7rem;font-weight:700;letter-spacing:.05em;text-transform:uppercase;padding:2px 9px;border-radius:10px;vertical-align:.2em;margin-left:.5em}
.badge.confirmatory{background:var(--accent);color:#fff}
.badge.exploratory{background:#fff;color:#6b4a00;border:1.5px solid #E69F00}
nav.contents{font-size:.9em;border:1px solid var(--rule);border-radius:4px;padding:.4em 1em;margin:1.2em 0;background:#fafafa}
nav.contents ol{margin:.3em 0;padding-left:1.4em;columns:2;column-gap:2em}
.table-wrap{overflow-x:auto;margin:.5em 0 1.3em}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2em 0 .4em}
th,td{padding:4px 9px;border-bottom:1px solid #ececec;text-align:left;vertical-align:top}
thead th{background:#f4f4f4;border-bottom:2px solid #bdbdbd;font-weight:600}
tbody tr:nth-child(even){background:#fbfbfb}
tfoot td{border-top:2px solid #bdbdbd;font-weight:600}
.number{text-align:right;white-space:nowrap}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em;background:#f2f2f2;border-radius:3px;padding:0 .25em;overflow-wrap:break-word}
figure{margin:1.2em 0 1.8em}
figure svg{display:block;max-width:100%;height:auto}
figcaption{max-width:720px;font-size:13px;color:var(--muted);margin-top:.5em}
ul.sentences{padding-left:1.2em}
ul.sentences li{margin:.3em 0}
ul.warnings{font-size:.9em;color:#5c2600}
details{font-size:13px;margin:.4em 0 1em}
details summary{cursor:pointer;color:var(--muted)}
details pre{background:#f7f7f7;border:1px solid #e4e4e4;border-radius:4px;padding:8px 10px;overflow-x:auto;margin:.4em 0}
details pre code{background:none;padding:0}
footer{margin-top:3.5em;padding-top:1em;border-top:1px solid var(--rule);font-size:13px;color:var(--muted)}
@media print{
@page{margin:15mm 14mm}
body{font-size:10.5pt}
.page{max-width:none;padding:0}
nav.contents{display:none}
h2,h3{break-after:avoid}
figure,tr,.banner{break-inside:avoid}
thead{display:table-header-group}
table{font-size:8.5pt}
.banner,.badge,thead th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.table-wrap{overflow:visible}
a{color:inherit;text-decoration:none}
}
`
  .trim()
  .replace(/\n/g, '');
