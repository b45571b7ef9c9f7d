import {
  type CellSummary,
  type Hypothesis,
  type Manifest,
  type Results,
  type Study,
  StudySchema,
} from '../contracts/index.js';

/**
 * Everything a renderer needs besides `Results`, resolved once: display names, the design read back
 * from the manifest's resolved study, the confidence level, and the cell-mean intervals. Renderers
 * never re-run statistics on raw data; the only computation here is the t interval of a cell mean
 * from the mean, SD and n that `Results` already carries.
 */

/** Student t quantile: the value q with P(T <= q) = probability for `degreesOfFreedom`. */
export type TQuantile = (probability: number, degreesOfFreedom: number) => number;

export interface ReportOptions {
  /**
   * Student t quantile for the intervals of cell means in figures and tables. Passed in so the
   * report layer holds no distribution code (the CLI hands in the stats layer's function).
   */
  tQuantile: TQuantile;
  /** Display names by language tag (e.g. the packs' English names); a missing tag shows as itself. */
  languageNames?: Record<string, string>;
  /** Display names by metric key; defaults: "CPI", "DI", otherwise the key with spaces. */
  metricLabels?: Record<string, string>;
  /** Metrics drawn as dose-response figures, in order, when cells carry them. Default: cpi, di. */
  figureMetrics?: readonly string[];
  /** Confidence level of cell-mean intervals; default: the study's `analysis.ciLevel`, else 0.95. */
  ciLevel?: number;
  /** Significance threshold used for wording ("lowered" vs "did not significantly change"). */
  alpha?: number;
  /** Plural noun for dosed agents, e.g. "alignment-instructed agents"; default from the study. */
  doseNoun?: string;
}

export interface CellInterval {
  mean: number;
  /** Null when n < 2 or the SD is missing: the mean is drawn without an interval. */
  interval: [number, number] | null;
  /** Analysed runs: completed minus excluded. */
  n: number;
}

export interface ReportContext {
  results: Results;
  manifest: Manifest;
  /** The resolved study, when the manifest's copy validates; null for foreign or older manifests. */
  study: Study | null;
  ciLevel: number;
  alpha: number;
  doseLevels: number[];
  /** Group size N (the denominator of k/N), when known. */
  agents: number | null;
  doseNoun: string;
  figureMetrics: string[];
  languageName(tag: string): string;
  metricLabel(metric: string): string;
  correctionName: string;
  hypothesisSpec(id: string): Hypothesis | null;
  cellInterval(cell: CellSummary, metric: string): CellInterval | null;
}

const DEFAULT_METRIC_LABELS: Record<string, string> = {
  cpi: 'CPI',
  di: 'DI',
};

const CORRECTION_NAMES: Record<string, string> = {
  holm: 'Holm',
  bh: 'Benjamini\u2013Hochberg',
  none: 'none',
};

export function correctionDisplayName(correction: string): string {
  return CORRECTION_NAMES[correction] ?? correction;
}

export function buildReportContext(results: Results, manifest: Manifest, options: ReportOptions): ReportContext {
  const parsedStudy = StudySchema.safeParse(manifest.study);
  const study = parsedStudy.success ? parsedStudy.data : null;
  const ciLevel = options.ciLevel ?? study?.analysis.ciLevel ?? 0.95;
  const alpha = options.alpha ?? 0.05;
  const languageNames = options.languageNames ?? {};
  const metricLabels = { ...DEFAULT_METRIC_LABELS, ...(options.metricLabels ?? {}) };
  const doseLevels = [
    ...new Set([...(study?.design.dose.levels ?? []), ...results.cells.map((cell) => cell.dose)]),
  ].sort((left, right) => left - right);
  const wantedMetrics = options.figureMetrics ?? ['cpi', 'di'];
  const figureMetrics = wantedMetrics.filter((metric) =>
    results.cells.some((cell) => cell.means[metric] !== undefined && cell.means[metric] !== null),
  );
  const doseNoun = options.doseNoun ?? (study ? `${study.design.dose.intervention}-instructed agents` : 'dosed agents');
  const hypotheses = new Map((study?.analysis.hypotheses ?? []).map((hypothesis) => [hypothesis.id, hypothesis]));

  return {
    results,
    manifest,
    study,
    ciLevel,
    alpha,
    doseLevels,
    agents: study?.agents ?? null,
    doseNoun,
    figureMetrics,
    languageName: (tag) => languageNames[tag] ?? tag,
    metricLabel: (metric) => metricLabels[metric] ?? metric.replace(/_/g, ' '),
    correctionName: correctionDisplayName(results.correction),
    hypothesisSpec: (id) => hypotheses.get(id) ?? null,
    cellInterval: (cell, metric) => cellMeanInterval(cell, metric, ciLevel, options.tQuantile),
  };
}

/** The t interval of a cell mean from the summary's mean, SD and analysed n. */
export function cellMeanInterval(
  cell: CellSummary,
  metric: string,
  level: number,
  tQuantile: TQuantile,
): CellInterval | null {
  const mean = cell.means[metric];
  if (mean === undefined || mean === null || !Number.isFinite(mean)) {
    return null;
  }
  const n = cell.analysedRuns ?? cell.completedRuns - cell.excludedRuns;
  // results.json holds the interval (analysis computes it); results written before it did not.
  const stored = cell.intervals?.[metric];
  if (stored !== undefined) {
    return { mean, interval: stored === null ? null : [stored[0], stored[1]], n };
  }
  const sd = cell.sds[metric];
  if (n < 2 || sd === undefined || sd === null || !Number.isFinite(sd)) {
    return { mean, interval: null, n };
  }
  const quantile = tQuantile(1 - (1 - level) / 2, n - 1);
  if (!Number.isFinite(quantile)) {
    return { mean, interval: null, n };
  }
  const halfWidth = (quantile * sd) / Math.sqrt(n);
  return { mean, interval: [mean - halfWidth, mean + halfWidth], n };
}

/** "k = 3/10" style dose text; without a known N just the number. */
export function formatDose(context: ReportContext, dose: number): string {
  return context.agents === null ? String(dose) : `${dose}/${context.agents}`;
}

/**
 * The display label of a statistic row: the language's name for per-language rows, keeping any
 * qualifier the analysis appended to the tag ("en (effect)" -> "English (effect)"); else the label.
 */
export function rowDisplayLabel(
  row: { label: string; language?: string | undefined },
  languageName: (tag: string) => string,
): string {
  if (!row.language) {
    return row.label;
  }
  const name = languageName(row.language);
  return row.label.startsWith(`${row.language} `) ? name + row.label.slice(row.language.length) : name;
}
