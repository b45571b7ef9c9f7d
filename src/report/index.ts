/**
 * Report layer: turns stored `Results` and the run `Manifest` into report.html, report.md and the
 * CLI's terminal summary, with hand-written SVG figures and APA-style sentences. It formats what the
 * analysis stage computed and never re-runs statistics on raw data.
 */
export {
  buildReportContext,
  type CellInterval,
  cellMeanInterval,
  correctionDisplayName,
  type ReportContext,
  type ReportOptions,
  type TQuantile,
} from './context.js';
export { type Block, buildReportDocument, type ReportDocument, SURROGATE_LABEL } from './document.js';
export {
  type DosePoint,
  type DoseResponseInput,
  type DoseSeries,
  doseResponseFigure,
  doseResponseFiguresForContext,
  type FigureOutput,
  type ForestPlotInput,
  type ForestRow,
  forestOrder,
  forestPlot,
  forestPlotsForContext,
} from './figures.js';
export {
  escapeHtml,
  escapeMarkdown,
  formatCorrelation,
  formatCount,
  formatDegreesOfFreedom,
  formatEstimate,
  formatFixed,
  formatInterval,
  formatP,
  formatPCell,
  formatPercent,
  formatPValue,
  MINUS,
  type NumberStyle,
  PLAIN,
  sanitizeTerminalText,
  TYPOGRAPHIC,
} from './format.js';
export { htmlFromDocument, renderHtml } from './html.js';
export { trajectoryFigure, trajectoryFiguresForContext } from './trajectory-figure.js';
export { markdownFromDocument, renderMarkdown } from './markdown.js';
export {
  describeHypothesis,
  describeRow,
  type OutputFormat,
  renderSentence,
  type Sentence,
  type SentencePart,
} from './sentences.js';
export {
  DEFAULT_MIN_LANGUAGE_SHARE,
  type SummaryThresholds,
  summaryWarnings,
} from './summary-warnings.js';
export { renderTerminalSummary, type TerminalSummaryOptions } from './terminal.js';
