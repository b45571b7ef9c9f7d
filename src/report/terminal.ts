import type { HypothesisResult, Results, StatisticRow } from '../contracts/index.js';
import { correctionDisplayName, rowDisplayLabel } from './context.js';
import { isCorrelationQuantity } from './sentences.js';
import { SURROGATE_LABEL } from './document.js';
import {
  decimalsFor,
  displayWidth,
  formatCorrelation,
  formatCorrelationInterval,
  formatCount,
  formatEstimate,
  formatInterval,
  formatPCell,
  formatPercent,
  PLAIN,
  sanitizeTerminalText,
  truncateToWidth,
} from './format.js';

/**
 * The CLI's end-of-run summary: per hypothesis, one row per statistic with estimate, interval, p and
 * adjusted p. Plain ASCII numbers (hyphen-minus) so it pastes anywhere; at most `width` (<= 100)
 * columns; ANSI colour only when asked for. Untrusted text is stripped of control characters, so a
 * label cannot smuggle escape sequences into the user's terminal.
 */

export interface TerminalSummaryOptions {
  color?: boolean;
  /** Maximum line width; clamped to 100. */
  width?: number;
  languageNames?: Record<string, string>;
  alpha?: number;
}

const MAX_WIDTH = 100;
const ANSI = {
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  reset: '\u001b[0m',
};

export function renderTerminalSummary(results: Results, options: TerminalSummaryOptions = {}): string {
  const width = Math.min(MAX_WIDTH, Math.max(60, options.width ?? MAX_WIDTH));
  const alpha = options.alpha ?? 0.05;
  const paint = (code: string, content: string) => (options.color ? `${code}${content}${ANSI.reset}` : content);
  const languageName = (tag: string) => options.languageNames?.[tag] ?? tag;
  const lines: string[] = [];

  lines.push(
    paint(ANSI.bold, truncateToWidth(`backfire results: ${sanitizeTerminalText(results.studyTitle)}`, width, '...')),
  );
  if (results.surrogate) {
    for (const line of wrap(`SURROGATE: ${SURROGATE_LABEL}`, width)) {
      lines.push(paint(ANSI.yellow + ANSI.bold, line));
    }
  }
  const analysed = results.cells.reduce(
    (total, cell) => total + (cell.analysedRuns ?? cell.completedRuns - cell.excludedRuns),
    0,
  );
  const planned = results.cells.reduce((total, cell) => total + cell.runs, 0);
  const excluded = results.cells.reduce((total, cell) => total + cell.excludedRuns, 0);
  const retries = results.cells.reduce((total, cell) => total + cell.retries, 0);
  const attempted = results.cells.reduce((total, cell) => total + cell.attemptedActions, 0);
  const weighted = (pick: (cell: Results['cells'][number]) => number | null) =>
    attempted === 0
      ? null
      : results.cells.reduce((total, cell) => total + (pick(cell) ?? 0) * cell.attemptedActions, 0) / attempted;
  for (const line of wrap(
    `Study ${sanitizeTerminalText(results.study)}: ${formatCount(analysed)} of ${formatCount(planned)} runs analysed ` +
      `(${formatCount(excluded)} excluded), ${results.languages.length} languages, ${results.models.length} ` +
      `${results.models.length === 1 ? 'model' : 'models'}; parse errors ${formatPercent(weighted((cell) => cell.parseErrorRate))}, ` +
      `call errors ${formatPercent(weighted((cell) => cell.callErrorRate))}, retries ${formatCount(retries)}. ` +
      `Correction: ${correctionDisplayName(results.correction)}.`,
    width,
  )) {
    lines.push(line);
  }

  const estimateWidth = 9;
  const intervalWidth = 20;
  const pWidth = 7;
  const gap = '  ';
  const fixed = estimateWidth + intervalWidth + 2 * (pWidth + 1) + 4 * gap.length;
  const labelWidth = Math.max(
    8,
    Math.min(
      width - fixed,
      Math.max(
        3,
        ...results.hypotheses.flatMap((hypothesis) =>
          hypothesis.rows.map((row) => displayWidth(rowLabel(row, languageName))),
        ),
      ),
    ),
  );
  let anySignificant = false;
  for (const hypothesis of results.hypotheses) {
    lines.push('');
    const kind = hypothesis.confirmatory ? 'confirmatory' : 'exploratory';
    lines.push(
      paint(
        ANSI.bold,
        truncateToWidth(
          sanitizeTerminalText(
            `${hypothesis.id}  ${hypothesis.kind} on ${hypothesis.metric}  [${kind}]  ${quantityOf(hypothesis)}`,
          ),
          width,
          '...',
        ),
      ),
    );
    if (hypothesis.description !== '') {
      for (const line of wrap(sanitizeTerminalText(hypothesis.description), width)) {
        lines.push(paint(ANSI.dim, line));
      }
    }
    lines.push(
      paint(
        ANSI.dim,
        [
          padEnd('row', labelWidth),
          padStart('estimate', estimateWidth),
          padStart('95% CI', intervalWidth),
          padStart('p', pWidth) + ' ',
          padStart('p adj.', pWidth),
        ].join(gap),
      ),
    );
    for (const row of hypothesis.rows) {
      const decisive = row.pAdjusted ?? row.p ?? null;
      const significant = decisive !== null && decisive < alpha;
      anySignificant ||= significant;
      const isCorrelation = isCorrelationQuantity(row.quantity);
      const decimals = decimalsFor(row.estimate);
      const estimate = isCorrelation
        ? formatCorrelation(row.estimate, PLAIN)
        : row.quantity === 'count'
          ? formatCount(row.estimate)
          : formatEstimate(row.estimate, decimals, PLAIN);
      const interval = isCorrelation
        ? formatCorrelationInterval(row.ci, PLAIN)
        : formatInterval(row.ci, decimals, PLAIN);
      const label = truncateToWidth(rowLabel(row, languageName), labelWidth, '...');
      // The star sits after the p that decided: the adjusted one when the analysis reported it.
      const decidedByAdjusted = row.pAdjusted !== null && row.pAdjusted !== undefined;
      const mark = (content: string, decides: boolean) => {
        const cell = padStart(content, pWidth) + (significant && decides ? '*' : ' ');
        return significant && decides ? paint(ANSI.green + ANSI.bold, cell) : cell;
      };
      lines.push(
        [
          padEnd(label, labelWidth),
          padStart(estimate, estimateWidth),
          padStart(truncateToWidth(interval, intervalWidth, '...'), intervalWidth),
          mark(formatPCell(row.p), !decidedByAdjusted),
          mark(formatPCell(row.pAdjusted), decidedByAdjusted),
        ]
          .join(gap)
          .trimEnd(),
      );
    }
  }
  if (anySignificant) {
    lines.push('');
    lines.push(`* p < ${String(alpha).replace(/^0\./, '.')} (adjusted p where reported).`);
  }
  // The instrument's own caveats (results.json `measurement`), where the user reads the numbers.
  for (const warning of results.measurement?.warnings ?? []) {
    lines.push(paint(ANSI.yellow, `measurement warning: ${sanitizeTerminalText(warning.message)}`));
  }
  return `${lines.join('\n')}\n`;
}

function rowLabel(row: StatisticRow, languageName: (tag: string) => string): string {
  return sanitizeTerminalText(rowDisplayLabel(row, languageName));
}

function quantityOf(hypothesis: HypothesisResult): string {
  const quantities = [...new Set(hypothesis.rows.map((row) => row.quantity))];
  return quantities.length === 1 ? `(${quantities[0]})` : '';
}

function padEnd(content: string, width: number): string {
  return content + ' '.repeat(Math.max(0, width - displayWidth(content)));
}

function padStart(content: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(content))) + content;
}

/** Greedy word wrap by display width; a word longer than the line is cut. */
export function wrap(content: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of content.split(/\s+/).filter((part) => part !== '')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (displayWidth(candidate) <= width) {
      current = candidate;
      continue;
    }
    if (current !== '') {
      lines.push(current);
    }
    current = displayWidth(word) <= width ? word : truncateToWidth(word, width, '...');
  }
  if (current !== '') {
    lines.push(current);
  }
  return lines;
}
