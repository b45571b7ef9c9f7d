import type { Manifest, Results } from '../contracts/index.js';
import { buildReportContext, type ReportOptions } from './context.js';
import { type Block, buildReportDocument, type ReportDocument } from './document.js';
import { renderSentence, type Sentence } from './sentences.js';

/**
 * `report.md`: the same blocks as the HTML report in GitHub-flavoured Markdown. Figures cannot be
 * inlined portably (many renderers strip inline SVG), so each is replaced by its title and caption;
 * the cell-means table carries the same numbers, intervals included.
 */
export function renderMarkdown(results: Results, manifest: Manifest, options: ReportOptions): string {
  const context = buildReportContext(results, manifest, options);
  return markdownFromDocument(buildReportDocument(context));
}

const markdown = (sentence: Sentence) => renderSentence(sentence, 'markdown');
const markdownCell = (sentence: Sentence) => renderSentence(sentence, 'markdown', true);

export function markdownFromDocument(document: ReportDocument): string {
  const chunks = document.blocks.map(renderBlock);
  chunks.push('---');
  chunks.push(
    ...document.footer.map((sentence, index) =>
      document.surrogate && index === 0 ? `> **${markdown(sentence)}**` : markdown(sentence),
    ),
  );
  return `${chunks.join('\n\n')}\n`;
}

function renderBlock(block: Block): string {
  switch (block.type) {
    case 'heading': {
      const badge = block.badge ? ` *(${block.badge})*` : '';
      return `${'#'.repeat(block.level)} ${markdown(block.content)}${badge}`;
    }
    case 'banner':
      return `> **\u26A0 ${markdown(block.content)}**`;
    case 'paragraph':
      return block.tone === 'warning' ? `**${markdown(block.content)}**` : markdown(block.content);
    case 'list':
      return block.items.map((item) => `- ${markdown(item)}`).join('\n');
    case 'table':
      return renderTable(block);
    case 'figure':
      return `**Figure: ${renderSentence([{ untrusted: block.figure.title }], 'markdown')}.** ${renderSentence(
        [{ untrusted: block.figure.caption }],
        'markdown',
      )} (Drawn in \`report.html\`.)`;
    case 'details': {
      const longestRun = Math.max(0, ...(block.code.match(/`+/g) ?? []).map((run) => run.length));
      const fence = '`'.repeat(Math.max(3, longestRun + 1));
      return `${markdown(block.summary)}:\n\n${fence}json\n${block.code}\n${fence}`;
    }
  }
}

function renderTable(block: Extract<Block, { type: 'table' }>): string {
  const line = (cells: readonly Sentence[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  const rule = `|${block.align.map((alignment) => (alignment === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  const rows = [line(block.header), rule, ...block.rows.map(line)];
  if (block.footer) {
    rows.push(
      line(
        block.footer.map(
          (cell): Sentence => (cell.length === 0 || cell[0] === '' ? cell : [{ strong: renderSentence(cell, 'text') }]),
        ),
      ),
    );
  }
  const caption = block.caption ? `**${markdown(block.caption)}**\n\n` : '';
  return caption + rows.join('\n');
}
