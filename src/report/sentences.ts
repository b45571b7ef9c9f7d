import type { HypothesisResult, StatisticRow } from '../contracts/index.js';
import { formatDose, type ReportContext } from './context.js';
import {
  decimalsFor,
  escapeHtml,
  escapeMarkdown,
  formatCorrelation,
  formatCorrelationInterval,
  formatCount,
  formatDegreesOfFreedom,
  formatEstimate,
  formatInterval,
  formatLevel,
  formatPValue,
  type NumberStyle,
  sanitizeTerminalText,
  TYPOGRAPHIC,
} from './format.js';

/**
 * APA-style result sentences. A sentence is built once as parts and rendered per output format, so
 * HTML, Markdown and plain text say exactly the same thing. Parts are either our own wording (a
 * string), a statistical symbol to italicise, or untrusted text (a label, term or name that came from
 * a study file or a model), which each renderer escapes.
 */

const NO_BREAK = '\u00A0';
const EQUALS = `${NO_BREAK}=${NO_BREAK}`;

export type SentencePart =
  | string
  | { italic: string }
  | { untrusted: string }
  | { code: string }
  | { strong: string }
  /** Untrusted text in a script whose direction may differ (native names): bidi-isolated in HTML. */
  | { isolate: string };
export type Sentence = SentencePart[];
export type OutputFormat = 'html' | 'markdown' | 'text';

/** `inTable`: Markdown table cells need pipes escaped even inside code spans. */
export function renderSentence(sentence: Sentence, format: OutputFormat, inTable = false): string {
  return sentence
    .map((part) => {
      if (typeof part === 'string') {
        // No-break spaces keep "p < .001" on one line in HTML; plain files get ordinary spaces.
        return format === 'html' ? escapeHtml(part) : part.replace(/\u00A0/g, ' ');
      }
      if ('italic' in part) {
        if (format === 'html') {
          return `<i>${escapeHtml(part.italic)}</i>`;
        }
        return format === 'markdown' ? `*${part.italic}*` : part.italic;
      }
      if ('isolate' in part) {
        if (format === 'html') {
          return `<bdi>${escapeHtml(part.isolate)}</bdi>`;
        }
        return format === 'markdown' ? escapeMarkdown(part.isolate) : sanitizeTerminalText(part.isolate);
      }
      if ('strong' in part) {
        if (format === 'html') {
          return `<strong>${escapeHtml(part.strong)}</strong>`;
        }
        return format === 'markdown' ? `**${escapeMarkdown(part.strong)}**` : sanitizeTerminalText(part.strong);
      }
      if ('code' in part) {
        if (format === 'html') {
          return `<code>${escapeHtml(part.code)}</code>`;
        }
        return format === 'markdown' ? markdownCode(part.code, inTable) : sanitizeTerminalText(part.code);
      }
      if (format === 'html') {
        return escapeHtml(part.untrusted);
      }
      return format === 'markdown' ? escapeMarkdown(part.untrusted) : sanitizeTerminalText(part.untrusted);
    })
    .join('');
}

/**
 * Inline code in Markdown: a backtick fence longer than any run of backticks inside, so untrusted
 * text cannot close it early. In a table, pipes are escaped because code spans do not protect cells.
 */
function markdownCode(code: string, inTable: boolean): string {
  const oneLine = code.replace(/\r\n?|\n/g, ' ');
  const flat = inTable ? oneLine.replace(/\|/g, '\\|') : oneLine;
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${flat}${padding}${fence}`;
}

/** Correlations arrive as `pearson-r` from the analysis stage; `r` is accepted too. */
export function isCorrelationQuantity(quantity: string): boolean {
  return quantity === 'r' || quantity === 'pearson-r';
}

/**
 * The sentences of a hypothesis. Most kinds get one sentence per row. A covariate correlation is
 * described by its correlation rows only (the per-language effects behind it are context, shown in
 * the table and forest plot); a direction count by one sentence built from its summary.
 */
export function describeHypothesis(
  context: ReportContext,
  hypothesis: HypothesisResult,
  style: NumberStyle = TYPOGRAPHIC,
): Sentence[] {
  if (hypothesis.kind === 'covariate-correlation') {
    const correlations = hypothesis.rows.filter((row) => isCorrelationQuantity(row.quantity));
    if (correlations.length > 0) {
      return correlations.map((row) => describeRow(context, hypothesis, row, style));
    }
  }
  if (hypothesis.kind === 'direction-count') {
    const summary = describeDirectionCount(context, hypothesis);
    if (summary !== null) {
      return [summary];
    }
  }
  return hypothesis.rows.map((row) => describeRow(context, hypothesis, row, style));
}

/** One row's sentence, chosen by the quantity the row estimates (not by the hypothesis kind). */
export function describeRow(
  context: ReportContext,
  hypothesis: HypothesisResult,
  row: StatisticRow,
  style: NumberStyle = TYPOGRAPHIC,
): Sentence {
  if (row.estimate === null) {
    return [
      ...subject(context, row),
      ', ',
      ...quantitySymbol(row.quantity),
      ' could not be estimated',
      warningTail(row),
      '.',
    ];
  }
  if (row.quantity === 'hedges-g') {
    return describeContrast(context, hypothesis, row, style);
  }
  if (row.quantity === 'slope') {
    return describeTrend(context, hypothesis, row, style);
  }
  if (isCorrelationQuantity(row.quantity)) {
    return describeCorrelation(context, hypothesis, row, style);
  }
  return describeGeneric(context, row, style);
}

function describeDirectionCount(context: ReportContext, hypothesis: HypothesisResult): Sentence | null {
  const summary = hypothesis.summary ?? {};
  const count = (key: string): number | null => {
    const value = summary[key];
    return typeof value === 'number' ? value : null;
  };
  const positive = count('positive');
  const negative = count('negative');
  if (positive === null || negative === null) {
    return null;
  }
  const languages = count('languages') ?? hypothesis.rows.filter((row) => row.estimate !== null).length;
  const first = hypothesis.rows[0];
  const levels = first ? contrastLevels(context, hypothesis, first) : null;
  const significantPositive = count('significantPositive');
  const significantNegative = count('significantNegative');
  const opening: Sentence =
    levels === null
      ? [...metricName(context, hypothesis.metric), ' rose from the low to the high dose level in ']
      : [
          `Raising the proportion of ${context.doseNoun} from ${formatDose(context, levels.low)} to `,
          `${formatDose(context, levels.high)} raised `,
          ...metricName(context, hypothesis.metric),
          ' in ',
        ];
  return [
    ...opening,
    `${formatCount(positive)} of ${formatCount(languages)} ${languages === 1 ? 'language' : 'languages'} and `,
    levels === null ? 'fell in ' : 'lowered it in ',
    formatCount(negative),
    significantPositive !== null && significantNegative !== null
      ? ` (individually significant, unadjusted: ${formatCount(significantPositive)} rising, ${formatCount(significantNegative)} falling)`
      : '',
    '.',
  ];
}

function describeContrast(
  context: ReportContext,
  hypothesis: HypothesisResult,
  row: StatisticRow,
  style: NumberStyle,
): Sentence {
  const estimate = row.estimate ?? 0;
  const levels = contrastLevels(context, hypothesis, row);
  const manipulation: Sentence =
    levels === null
      ? [`comparing the high with the low level of ${context.doseNoun}`]
      : [
          `${levels.high >= levels.low ? 'raising' : 'lowering'} the proportion of ${context.doseNoun} from `,
          `${formatDose(context, levels.low)} to ${formatDose(context, levels.high)}`,
        ];
  const outcome = significanceWording(context, row, {
    positive: 'raised',
    negative: 'lowered',
    zero: 'did not change',
    notSignificant: 'did not significantly change',
  });
  return [
    ...subject(context, row),
    ', ',
    ...manipulation,
    ` ${outcome} `,
    ...metricName(context, hypothesis.metric),
    correctionTail(context, row),
    ', ',
    ...statisticsClause(context, row, estimate, style),
    '.',
  ];
}

function describeTrend(
  context: ReportContext,
  hypothesis: HypothesisResult,
  row: StatisticRow,
  style: NumberStyle,
): Sentence {
  const estimate = row.estimate ?? 0;
  const significant = isSignificant(context, row);
  const body: Sentence =
    significant === true && estimate !== 0
      ? [` ${estimate > 0 ? 'increased' : 'decreased'} linearly with `]
      : [' showed no significant linear trend over '];
  return [
    ...subject(context, row),
    ', ',
    ...metricName(context, hypothesis.metric),
    ...body,
    { untrusted: context.results.doseVariable },
    ` (${context.doseNoun})`,
    correctionTail(context, row),
    ', ',
    ...statisticsClause(context, row, estimate, style),
    '.',
  ];
}

function describeCorrelation(
  context: ReportContext,
  hypothesis: HypothesisResult,
  row: StatisticRow,
  style: NumberStyle,
): Sentence {
  const estimate = row.estimate ?? 0;
  const spec = context.hypothesisSpec(hypothesis.id);
  const argument = row.estimator.args.covariate;
  const covariate: SentencePart =
    spec?.kind === 'covariate-correlation'
      ? spec.covariate.toUpperCase()
      : { untrusted: typeof argument === 'string' ? argument.toUpperCase() : (row.term ?? row.label) };
  const levels = contrastLevels(context, hypothesis, row);
  const effect: Sentence = [
    'the per-language effect on ',
    ...metricName(context, hypothesis.metric),
    ' (Hedges\u2019 ',
    { italic: 'g' },
    levels === null ? ')' : `, ${formatDose(context, levels.high)} vs ${formatDose(context, levels.low)})`,
  ];
  const outcome = significanceWording(context, row, {
    positive: 'correlated positively with',
    negative: 'correlated negatively with',
    zero: 'was uncorrelated with',
    notSignificant: 'was not significantly correlated with',
  });
  return [
    'Across languages, ',
    ...effect,
    ` ${outcome} `,
    covariate,
    correctionTail(context, row),
    ', ',
    ...statisticsClause(context, row, estimate, style),
    '.',
  ];
}

function describeGeneric(context: ReportContext, row: StatisticRow, style: NumberStyle): Sentence {
  const estimate = row.estimate ?? 0;
  const label: SentencePart = {
    untrusted: row.language ? context.languageName(row.language) : (row.term ?? row.label),
  };
  if (row.quantity === 'count') {
    const total = context.results.languages.length;
    return [
      label,
      `: ${formatCount(estimate)} of ${formatCount(total)} ${total === 1 ? 'language' : 'languages'}`,
      ...pClauses(context, row),
      '.',
    ];
  }
  return ['For ', label, ', ', ...statisticsClause(context, row, estimate, style), '.'];
}

/** "Hedges' g = −1.84, 95% CI [−2.70, −0.98], t(28) = −5.19, p < .001, Holm-adjusted p = .002". */
export function statisticsClause(
  context: ReportContext,
  row: StatisticRow,
  estimate: number,
  style: NumberStyle = TYPOGRAPHIC,
): Sentence {
  const parts: Sentence = [];
  const isCorrelation = isCorrelationQuantity(row.quantity);
  const decimals = decimalsFor(estimate);
  if (isCorrelation) {
    parts.push({ italic: 'r' });
    if (row.df !== null && row.df !== undefined) {
      parts.push(`(${formatDegreesOfFreedom(row.df)})`);
    }
    parts.push(`${EQUALS}${formatCorrelation(estimate, style)}`);
  } else {
    parts.push(...quantitySymbol(row.quantity), `${EQUALS}${formatEstimate(estimate, decimals, style)}`);
  }
  if (row.se !== null && row.se !== undefined && !isCorrelation && row.quantity !== 'hedges-g') {
    parts.push(', ', { italic: 'SE' }, `${EQUALS}${formatEstimate(row.se, decimalsFor(row.se), style)}`);
  }
  if (row.ci) {
    const interval = isCorrelation ? formatCorrelationInterval(row.ci, style) : formatInterval(row.ci, decimals, style);
    parts.push(`, ${formatLevel(context.ciLevel)}${NO_BREAK}CI${NO_BREAK}${interval}`);
  }
  if (!isCorrelation && row.statistic && row.statisticValue !== null && row.statisticValue !== undefined) {
    parts.push(', ', ...statisticSymbol(row.statistic));
    if (row.df !== null && row.df !== undefined) {
      parts.push(`(${formatDegreesOfFreedom(row.df)})`);
    }
    parts.push(`${EQUALS}${formatEstimate(row.statisticValue, 2, style)}`);
  }
  parts.push(...pClauses(context, row));
  return parts;
}

function pClauses(context: ReportContext, row: StatisticRow): Sentence {
  const parts: Sentence = [];
  const p = formatPValue(row.p);
  if (p !== null) {
    parts.push(', ', { italic: 'p' }, `${NO_BREAK}${p.relation}${NO_BREAK}${p.value}`);
  }
  const adjusted = formatPValue(row.pAdjusted);
  if (adjusted !== null && context.results.correction !== 'none') {
    parts.push(
      `, ${context.correctionName}-adjusted${NO_BREAK}`,
      { italic: 'p' },
      `${NO_BREAK}${adjusted.relation}${NO_BREAK}${adjusted.value}`,
    );
  }
  return parts;
}

function quantitySymbol(quantity: string): Sentence {
  switch (quantity) {
    case 'hedges-g':
      return [`Hedges\u2019${NO_BREAK}`, { italic: 'g' }];
    case 'cohens-d':
      return ['Cohen\u2019s ', { italic: 'd' }];
    case 'slope':
      return [{ italic: 'b' }];
    case 'r':
    case 'pearson-r':
      return [{ italic: 'r' }];
    case 'beta':
      return ['\u03B2'];
    case 'mean-difference':
      return [{ italic: 'M' }, '\u2009diff'];
    case 'bf10':
      return ['BF', { italic: '10' }];
    default:
      return [{ untrusted: quantity }];
  }
}

function statisticSymbol(statistic: string): Sentence {
  switch (statistic) {
    case 't':
    case 'z':
    case 'F':
    case 'W':
    case 'U':
      return [{ italic: statistic }];
    case 'chi2':
    case 'chi-squared':
      return ['\u03C7\u00B2'];
    default:
      return [{ untrusted: statistic }];
  }
}

function subject(context: ReportContext, row: StatisticRow): Sentence {
  if (row.language) {
    return ['In ', { untrusted: context.languageName(row.language) }];
  }
  if (row.label.toLowerCase() === 'pooled') {
    return ['Pooled across languages'];
  }
  return ['For ', { untrusted: row.label }];
}

function metricName(context: ReportContext, metric: string): Sentence {
  return [{ untrusted: context.metricLabel(metric) }];
}

function warningTail(row: StatisticRow): string {
  if (row.warnings.length === 0) {
    return '';
  }
  return ` (${row.warnings.length} ${row.warnings.length === 1 ? 'warning' : 'warnings'})`;
}

/** The p that decides the wording: the adjusted one when the analysis produced it. */
function decisionP(row: StatisticRow): number | null {
  if (row.pAdjusted !== null && row.pAdjusted !== undefined) {
    return row.pAdjusted;
  }
  return row.p ?? null;
}

/**
 * True / false when a p (adjusted first) exists; otherwise whether the interval excludes zero; null
 * when neither is known, so wording stays neutral instead of guessing.
 */
export function isSignificant(context: ReportContext, row: StatisticRow): boolean | null {
  const p = decisionP(row);
  if (p !== null) {
    return p < context.alpha;
  }
  if (row.ci) {
    return row.ci[0] > 0 || row.ci[1] < 0;
  }
  return null;
}

interface Wording {
  positive: string;
  negative: string;
  zero: string;
  notSignificant: string;
}

function significanceWording(context: ReportContext, row: StatisticRow, wording: Wording): string {
  const estimate = row.estimate ?? 0;
  const significant = isSignificant(context, row);
  if (significant === false) {
    return wording.notSignificant;
  }
  if (estimate === 0) {
    return wording.zero;
  }
  return estimate > 0 ? wording.positive : wording.negative;
}

/** " after Holm correction" when the raw p passed alpha but the adjusted one did not; else "". */
function correctionTail(context: ReportContext, row: StatisticRow): string {
  const adjusted = row.pAdjusted;
  const raw = row.p;
  if (
    adjusted !== null &&
    adjusted !== undefined &&
    raw !== null &&
    raw !== undefined &&
    raw < context.alpha &&
    adjusted >= context.alpha
  ) {
    return ` after ${context.correctionName} correction`;
  }
  return '';
}

/** The two dose levels of a contrast: from the preregistered study, else from the estimator's args. */
export function contrastLevels(
  context: ReportContext,
  hypothesis: HypothesisResult,
  row: StatisticRow,
): { high: number; low: number } | null {
  const spec = context.hypothesisSpec(hypothesis.id);
  if (spec && 'high' in spec && 'low' in spec) {
    return { high: spec.high, low: spec.low };
  }
  const { high, low } = row.estimator.args;
  if (typeof high === 'number' && typeof low === 'number') {
    return { high, low };
  }
  return null;
}
