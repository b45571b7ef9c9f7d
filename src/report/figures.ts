import type { HypothesisResult, StatisticRow } from '../contracts/index.js';
import { formatDose, type ReportContext, rowDisplayLabel } from './context.js';
import { formatEstimate, formatInterval, formatLevel, sharedDecimals, truncateToWidth } from './format.js';
import { contrastLevels, isSignificant } from './sentences.js';
import {
  coordinate,
  formatTick,
  linearScale,
  linePath,
  markerPath,
  niceTicks,
  type SeriesStyle,
  seriesStyle,
  svgOpen,
  text,
  textWidth,
} from './svg.js';

/**
 * The report's figures as hand-written SVG strings: (a) a metric against the dose, one line per
 * language with t intervals of the cell means; (b) a forest plot of per-language effects. Inputs are
 * plain data so the drawing code can be tested without a `Results` object; the `*ForContext`
 * builders map a report context onto them.
 */

const FIGURE_WIDTH = 720;
const AXIS_COLOUR = '#444444';
const GRID_COLOUR = '#e4e4e4';
const ZERO_COLOUR = '#9a9a9a';
const CONTEXT_COLOUR = '#c9c9c9';

export interface DosePoint {
  dose: number;
  mean: number;
  /** Null when the cell has fewer than two analysed runs or no SD. */
  interval: readonly [number, number] | null;
  n: number;
}

export interface DoseSeries {
  /** A stable key (the language tag), written as `data-language`. */
  key: string;
  /** Display name (untrusted: escaped when drawn). */
  name: string;
  points: DosePoint[];
}

export interface DoseResponseInput {
  title: string;
  yLabel: string;
  xLabel: string;
  doseLevels: readonly number[];
  /** Tick text per dose level; default: the number. */
  doseTickLabel?: (dose: number) => string;
  series: readonly DoseSeries[];
  ciLevel: number;
  /** One panel per series (with the others in grey) above this many series. Default 8. */
  smallMultiplesAbove?: number;
}

interface PlotBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Metric against dose. One `path.series-line` per series, whatever the layout. */
export function doseResponseFigure(input: DoseResponseInput): string {
  const threshold = input.smallMultiplesAbove ?? 8;
  const values = input.series.flatMap((series) =>
    series.points.flatMap((point) => (point.interval ? [point.mean, ...point.interval] : [point.mean])),
  );
  const yTicks = niceTicks(Math.min(...values), Math.max(...values), 5);
  const description =
    `${input.yLabel} against ${input.xLabel}, one line per language (${input.series.length}); ` +
    `error bars are ${formatLevel(input.ciLevel)} t intervals of the cell means.`;
  if (values.length === 0) {
    return (
      svgOpen(FIGURE_WIDTH, 80, input.title, description, 'figure dose-response') +
      `<text x="16" y="44" font-size="13">${text(`${input.title}: no cell has a value for this metric.`)}</text></svg>`
    );
  }
  return input.series.length > threshold
    ? smallMultiples(input, yTicks, description)
    : singlePanel(input, yTicks, description);
}

function singlePanel(input: DoseResponseInput, yTicks: ReturnType<typeof niceTicks>, description: string): string {
  const box: PlotBox = { left: 76, right: FIGURE_WIDTH - 24, top: 48, bottom: 48 + 290 };
  const legend = legendLayout(input.series, box.left, FIGURE_WIDTH - 24, box.bottom + 66);
  const height = legend.bottom + 12;
  const parts: string[] = [svgOpen(FIGURE_WIDTH, height, input.title, description, 'figure dose-response')];
  parts.push(
    `<text x="${box.left}" y="26" font-size="15" font-weight="600" fill="#111111">${text(input.title)}</text>`,
  );
  const xScale = doseScale(input.doseLevels, box);
  const yScale = linearScale(yTicks.domain, [box.bottom, box.top]);
  parts.push(axes(input, box, xScale, yScale, yTicks, { yTickLabels: true, fontSize: 12 }));
  parts.push(
    `<text x="${coordinate((box.left + box.right) / 2)}" y="${box.bottom + 42}" font-size="13" text-anchor="middle" fill="#222222">${text(input.xLabel)}</text>`,
    `<text transform="translate(20 ${coordinate((box.top + box.bottom) / 2)}) rotate(-90)" font-size="13" text-anchor="middle" fill="#222222">${text(input.yLabel)}</text>`,
  );
  const count = input.series.length;
  const dodgeStep = count <= 1 ? 0 : Math.min(6, 36 / count);
  input.series.forEach((series, index) => {
    const dodge = (index - (count - 1) / 2) * dodgeStep;
    parts.push(drawSeries(series, seriesStyle(index), xScale, yScale, dodge, 4.5, 2));
  });
  parts.push(legend.markup, '</svg>');
  return parts.join('');
}

function smallMultiples(input: DoseResponseInput, yTicks: ReturnType<typeof niceTicks>, description: string): string {
  const count = input.series.length;
  const columns = count > 9 ? 4 : 3;
  const rows = Math.ceil(count / columns);
  const left = 64;
  const right = 16;
  const gapX = 14;
  const panelWidth = (FIGURE_WIDTH - left - right - (columns - 1) * gapX) / columns;
  const panelHeight = 112;
  const titleHeight = 20;
  const tickHeight = 18;
  const gapY = 12;
  const rowHeight = titleHeight + panelHeight + tickHeight + gapY;
  const top = 56;
  const height = top + rows * rowHeight + 34;
  const parts: string[] = [
    svgOpen(FIGURE_WIDTH, height, input.title, description, 'figure dose-response small-multiples'),
  ];
  parts.push(
    `<text x="${left}" y="24" font-size="15" font-weight="600" fill="#111111">${text(input.title)}</text>`,
    `<text x="${left}" y="43" font-size="11.5" fill="#555555">${text(
      `One panel per language; grey lines show the other languages. Error bars: ${formatLevel(input.ciLevel)} CI.`,
    )}</text>`,
  );
  input.series.forEach((series, index) => {
    const column = index % columns;
    const row = Math.floor(index / columns);
    const panelLeft = left + column * (panelWidth + gapX);
    const panelTop = top + row * rowHeight + titleHeight;
    const box: PlotBox = {
      left: panelLeft,
      right: panelLeft + panelWidth,
      top: panelTop,
      bottom: panelTop + panelHeight,
    };
    const xScale = doseScale(input.doseLevels, box);
    const yScale = linearScale(yTicks.domain, [box.bottom, box.top]);
    const style = seriesStyle(index);
    const title = truncateToWidth(series.name, Math.floor(panelWidth / (11.5 * 0.58)) - 3);
    parts.push(
      `<path d="${markerPath(style.marker, panelLeft + 5, panelTop - 9, 4)}" fill="${style.open ? '#ffffff' : style.colour}" stroke="${style.colour}" stroke-width="1.2"/>`,
      `<text x="${coordinate(panelLeft + 14)}" y="${coordinate(panelTop - 5)}" font-size="11.5" font-weight="600" fill="#111111">${text(title)}</text>`,
    );
    // Panels are narrow: plain dose numbers (the axis title gives the group size).
    parts.push(
      axes({ ...input, doseTickLabel: (dose) => String(dose) }, box, xScale, yScale, yTicks, {
        yTickLabels: column === 0,
        fontSize: 10,
      }),
    );
    for (const other of input.series) {
      if (other.key !== series.key && other.points.length > 0) {
        const points = sortedPoints(other).map((point) => [xScale(point.dose), yScale(point.mean)] as const);
        parts.push(
          `<path class="context-line" d="${linePath(points)}" fill="none" stroke="${CONTEXT_COLOUR}" stroke-width="1"/>`,
        );
      }
    }
    parts.push(drawSeries(series, style, xScale, yScale, 0, 3.5, 1.75));
  });
  const gridBottom = top + rows * rowHeight;
  parts.push(
    `<text x="${coordinate((left + FIGURE_WIDTH - right) / 2)}" y="${coordinate(gridBottom + 16)}" font-size="13" text-anchor="middle" fill="#222222">${text(input.xLabel)}</text>`,
    `<text transform="translate(18 ${coordinate((top + gridBottom) / 2)}) rotate(-90)" font-size="13" text-anchor="middle" fill="#222222">${text(input.yLabel)}</text>`,
    '</svg>',
  );
  return parts.join('');
}

function doseScale(levels: readonly number[], box: PlotBox): (dose: number) => number {
  const low = Math.min(...levels);
  const high = Math.max(...levels);
  const padding = (box.right - box.left) * 0.05;
  return linearScale([low, high], [box.left + padding, box.right - padding]);
}

function axes(
  input: DoseResponseInput,
  box: PlotBox,
  xScale: (value: number) => number,
  yScale: (value: number) => number,
  yTicks: ReturnType<typeof niceTicks>,
  options: { yTickLabels: boolean; fontSize: number },
): string {
  const parts: string[] = [];
  for (const tick of yTicks.ticks) {
    const y = coordinate(yScale(tick));
    const isZero = tick === 0;
    parts.push(
      `<line x1="${coordinate(box.left)}" y1="${y}" x2="${coordinate(box.right)}" y2="${y}" stroke="${isZero ? ZERO_COLOUR : GRID_COLOUR}" stroke-width="${isZero ? 1.2 : 1}"/>`,
    );
    if (options.yTickLabels) {
      parts.push(
        `<text x="${coordinate(box.left - 7)}" y="${y}" dy="0.32em" font-size="${options.fontSize}" text-anchor="end" fill="#333333">${text(formatTick(tick, yTicks.decimals))}</text>`,
      );
    }
  }
  const tickLabel = input.doseTickLabel ?? ((dose: number) => String(dose));
  for (const dose of input.doseLevels) {
    const x = coordinate(xScale(dose));
    parts.push(
      `<line x1="${x}" y1="${coordinate(box.bottom)}" x2="${x}" y2="${coordinate(box.bottom + 5)}" stroke="${AXIS_COLOUR}"/>`,
      `<text x="${x}" y="${coordinate(box.bottom + 7 + options.fontSize)}" font-size="${options.fontSize}" text-anchor="middle" fill="#333333">${text(tickLabel(dose))}</text>`,
    );
  }
  parts.push(
    `<path d="M${coordinate(box.left)} ${coordinate(box.top)}V${coordinate(box.bottom)}H${coordinate(box.right)}" fill="none" stroke="${AXIS_COLOUR}" stroke-width="1"/>`,
  );
  return parts.join('');
}

function sortedPoints(series: DoseSeries): DosePoint[] {
  return [...series.points].sort((left, right) => left.dose - right.dose);
}

function drawSeries(
  series: DoseSeries,
  style: SeriesStyle,
  xScale: (value: number) => number,
  yScale: (value: number) => number,
  dodge: number,
  markerRadius: number,
  lineWidth: number,
): string {
  const points = sortedPoints(series);
  const parts: string[] = [`<g class="series" data-language="${text(series.key)}">`];
  const capHalfWidth = markerRadius * 0.9;
  for (const point of points) {
    if (point.interval) {
      const x = xScale(point.dose) + dodge;
      const yLow = coordinate(yScale(point.interval[0]));
      const yHigh = coordinate(yScale(point.interval[1]));
      parts.push(
        `<path class="error-bar" d="M${coordinate(x)} ${yLow}V${yHigh}M${coordinate(x - capHalfWidth)} ${yLow}H${coordinate(x + capHalfWidth)}M${coordinate(x - capHalfWidth)} ${yHigh}H${coordinate(x + capHalfWidth)}" fill="none" stroke="${style.colour}" stroke-width="1.2"/>`,
      );
    }
  }
  if (points.length > 0) {
    const line = points.map((point) => [xScale(point.dose) + dodge, yScale(point.mean)] as const);
    const dash = style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
    parts.push(
      `<path class="series-line" d="${linePath(line)}" fill="none" stroke="${style.colour}" stroke-width="${lineWidth}" stroke-linejoin="round"${dash}/>`,
    );
  }
  for (const point of points) {
    const x = xScale(point.dose) + dodge;
    const y = yScale(point.mean);
    parts.push(
      `<path class="marker" d="${markerPath(style.marker, x, y, markerRadius)}" fill="${style.open ? '#ffffff' : style.colour}" stroke="${style.open ? style.colour : '#1a1a1a'}" stroke-width="${style.open ? 1.5 : 0.6}"/>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

function legendLayout(
  series: readonly DoseSeries[],
  left: number,
  right: number,
  top: number,
): { markup: string; bottom: number } {
  const parts: string[] = ['<g class="legend">'];
  const rowHeight = 20;
  const fontSize = 12;
  let x = left;
  let y = top;
  series.forEach((entry, index) => {
    const style = seriesStyle(index);
    const name = truncateToWidth(entry.name, 28);
    const itemWidth = 30 + 6 + textWidth(name, fontSize) + 20;
    if (x > left && x + itemWidth > right) {
      x = left;
      y += rowHeight;
    }
    const dash = style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
    parts.push(
      `<path d="M${coordinate(x)} ${coordinate(y)}H${coordinate(x + 30)}" stroke="${style.colour}" stroke-width="2"${dash}/>`,
      `<path d="${markerPath(style.marker, x + 15, y, 4.5)}" fill="${style.open ? '#ffffff' : style.colour}" stroke="${style.open ? style.colour : '#1a1a1a'}" stroke-width="${style.open ? 1.5 : 0.6}"/>`,
      `<text x="${coordinate(x + 36)}" y="${coordinate(y)}" dy="0.32em" font-size="${fontSize}" fill="#222222">${text(name)}</text>`,
    );
    x += itemWidth;
  });
  parts.push('</g>');
  return { markup: parts.join(''), bottom: y + rowHeight / 2 };
}

export interface ForestRow {
  key: string;
  /** Display label (untrusted: escaped when drawn). */
  label: string;
  estimate: number | null;
  interval: readonly [number, number] | null;
  /** Pooled or other summary rows are drawn as diamonds below the per-language rows. */
  pooled: boolean;
  /** Filled marker when true; open when false or unknown. */
  significant: boolean | null;
}

export interface ForestPlotInput {
  title: string;
  xLabel: string;
  rows: readonly ForestRow[];
  labelHeader: string;
  valueHeader: string;
  /** Direction hints under the axis, e.g. "← lower CPI" and "higher CPI →". */
  lowerHint: string;
  higherHint: string;
}

/** Rows in drawing order: per-language rows by estimate (highest first), inestimable ones, then pooled rows. */
export function forestOrder(rows: readonly ForestRow[]): ForestRow[] {
  const byEstimate = (left: ForestRow, right: ForestRow) => {
    if (left.estimate === null || right.estimate === null) {
      return (left.estimate === null ? 1 : 0) - (right.estimate === null ? 1 : 0);
    }
    return right.estimate - left.estimate || left.key.localeCompare(right.key, 'en');
  };
  return [...rows.filter((row) => !row.pooled).sort(byEstimate), ...rows.filter((row) => row.pooled)];
}

/** A forest plot: estimate and interval per row, sorted by estimate, with a line at zero. */
export function forestPlot(input: ForestPlotInput): string {
  const rows = forestOrder(input.rows);
  const labelRight = 168;
  const plotLeft = 184;
  const plotRight = 512;
  const valueLeft = 530;
  const rowHeight = 22;
  const headerTop = 56;
  const firstRow = headerTop + 22;
  const languageRows = rows.filter((row) => !row.pooled).length;
  const pooledGap = rows.length > languageRows && languageRows > 0 ? 10 : 0;
  const rowY = (index: number) => firstRow + index * rowHeight + (index >= languageRows ? pooledGap : 0);
  const lastRowY = rows.length > 0 ? rowY(rows.length - 1) : firstRow;
  const axisY = lastRowY + rowHeight / 2 + 6;
  const height = axisY + 66;

  const bounds = rows.flatMap((row) =>
    row.interval ? [...row.interval] : row.estimate === null ? [] : [row.estimate],
  );
  const ticks = niceTicks(Math.min(0, ...bounds), Math.max(0, ...bounds), 6);
  const xScale = linearScale(ticks.domain, [plotLeft, plotRight]);
  const description = `${input.title}. ${rows.length} rows sorted by estimate; the vertical line marks zero.`;
  const parts: string[] = [svgOpen(FIGURE_WIDTH, height, input.title, description, 'figure forest')];
  parts.push(
    `<text x="16" y="26" font-size="15" font-weight="600" fill="#111111">${text(input.title)}</text>`,
    `<text x="${labelRight}" y="${headerTop}" font-size="12" font-weight="600" text-anchor="end" fill="#333333">${text(input.labelHeader)}</text>`,
    `<text x="${valueLeft}" y="${headerTop}" font-size="12" font-weight="600" fill="#333333">${text(input.valueHeader)}</text>`,
  );
  for (const tick of ticks.ticks) {
    const x = coordinate(xScale(tick));
    parts.push(
      `<line x1="${x}" y1="${coordinate(firstRow - rowHeight / 2)}" x2="${x}" y2="${coordinate(axisY)}" stroke="${GRID_COLOUR}"/>`,
      `<line x1="${x}" y1="${coordinate(axisY)}" x2="${x}" y2="${coordinate(axisY + 5)}" stroke="${AXIS_COLOUR}"/>`,
      `<text x="${x}" y="${coordinate(axisY + 18)}" font-size="11" text-anchor="middle" fill="#333333">${text(formatTick(tick, ticks.decimals))}</text>`,
    );
  }
  const zeroX = coordinate(xScale(0));
  parts.push(
    `<line class="zero-line" x1="${zeroX}" y1="${coordinate(firstRow - rowHeight / 2)}" x2="${zeroX}" y2="${coordinate(axisY)}" stroke="#555555" stroke-width="1.2" stroke-dasharray="4 3"/>`,
    `<line x1="${plotLeft}" y1="${coordinate(axisY)}" x2="${plotRight}" y2="${coordinate(axisY)}" stroke="${AXIS_COLOUR}"/>`,
  );
  if (pooledGap > 0) {
    const separatorY = coordinate(rowY(languageRows) - rowHeight / 2 - pooledGap / 2);
    parts.push(
      `<line x1="16" y1="${separatorY}" x2="${FIGURE_WIDTH - 16}" y2="${separatorY}" stroke="#bbbbbb" stroke-dasharray="2 2"/>`,
    );
  }
  const decimals = sharedDecimals(rows.map((row) => row.estimate));
  rows.forEach((row, index) => {
    const y = rowY(index);
    const label = truncateToWidth(row.label, 22);
    parts.push(`<g class="forest-row" data-key="${text(row.key)}">`);
    if (index % 2 === 0) {
      parts.push(
        `<rect x="16" y="${coordinate(y - rowHeight / 2)}" width="${FIGURE_WIDTH - 32}" height="${rowHeight}" fill="#000000" fill-opacity="0.035"/>`,
      );
    }
    parts.push(
      `<text x="${labelRight}" y="${coordinate(y)}" dy="0.32em" font-size="12" text-anchor="end" fill="#111111"${row.pooled ? ' font-weight="600"' : ''}>${text(label)}</text>`,
    );
    const valueText =
      row.estimate === null
        ? 'not estimable'
        : `${formatEstimate(row.estimate, decimals)} ${row.interval ? formatInterval(row.interval, decimals) : ''}`.trim();
    parts.push(
      `<text x="${valueLeft}" y="${coordinate(y)}" dy="0.32em" font-size="12" fill="#111111" font-variant-numeric="tabular-nums">${text(valueText)}</text>`,
    );
    if (row.estimate !== null) {
      const x = xScale(row.estimate);
      const filled = row.significant === true;
      if (row.pooled) {
        const low = row.interval ? xScale(row.interval[0]) : x - 5;
        const high = row.interval ? xScale(row.interval[1]) : x + 5;
        parts.push(
          `<path class="estimate" d="M${coordinate(low)} ${coordinate(y)}L${coordinate(x)} ${coordinate(y - 6)}L${coordinate(high)} ${coordinate(y)}L${coordinate(x)} ${coordinate(y + 6)}Z" fill="${filled ? '#222222' : '#ffffff'}" stroke="#222222" stroke-width="1.3"/>`,
        );
      } else {
        if (row.interval) {
          parts.push(
            `<path class="interval" d="M${coordinate(xScale(row.interval[0]))} ${coordinate(y)}H${coordinate(xScale(row.interval[1]))}M${coordinate(xScale(row.interval[0]))} ${coordinate(y - 4)}V${coordinate(y + 4)}M${coordinate(xScale(row.interval[1]))} ${coordinate(y - 4)}V${coordinate(y + 4)}" stroke="#222222" stroke-width="1.4" fill="none"/>`,
          );
        }
        parts.push(
          `<path class="estimate" d="${markerPath('square', x, y, 4.5)}" fill="${filled ? '#222222' : '#ffffff'}" stroke="#222222" stroke-width="1.4"/>`,
        );
      }
    }
    parts.push('</g>');
  });
  parts.push(
    `<text x="${coordinate((plotLeft + plotRight) / 2)}" y="${coordinate(axisY + 38)}" font-size="12.5" text-anchor="middle" fill="#222222">${text(input.xLabel)}</text>`,
    `<text x="${plotLeft}" y="${coordinate(axisY + 56)}" font-size="11" fill="#555555">${text(input.lowerHint)}</text>`,
    `<text x="${plotRight}" y="${coordinate(axisY + 56)}" font-size="11" text-anchor="end" fill="#555555">${text(input.higherHint)}</text>`,
    '</svg>',
  );
  return parts.join('');
}

export interface FigureOutput {
  /** Stable identifier, usable as an HTML anchor. */
  key: string;
  title: string;
  svg: string;
  caption: string;
}

/** The dose-response figures of a report: one per figure metric and model. */
export function doseResponseFiguresForContext(context: ReportContext): FigureOutput[] {
  const { results } = context;
  const figures: FigureOutput[] = [];
  const models = [...new Set(results.cells.map((cell) => cell.model))];
  const variable = results.doseVariable;
  const xLabel =
    context.agents === null
      ? `${variable}: number of ${context.doseNoun}`
      : `${variable}: number of ${context.doseNoun} (of ${context.agents})`;
  for (const metric of context.figureMetrics) {
    for (const model of models) {
      const series: DoseSeries[] = results.languages.map((language) => ({
        key: language,
        name: context.languageName(language),
        points: results.cells
          .filter((cell) => cell.language === language && cell.model === model)
          .flatMap((cell) => {
            const interval = context.cellInterval(cell, metric);
            return interval === null
              ? []
              : [{ dose: cell.dose, mean: interval.mean, interval: interval.interval, n: interval.n }];
          }),
      }));
      const metricLabel = context.metricLabel(metric);
      const title =
        models.length > 1
          ? `${metricLabel} by ${variable} and language \u2014 ${model}`
          : `${metricLabel} by ${variable} and language`;
      figures.push({
        key: `figure-${slug(metric)}-${models.length > 1 ? slug(model) : 'all'}`,
        title,
        svg: doseResponseFigure({
          title,
          yLabel: `${metricLabel} (cell mean)`,
          xLabel,
          doseLevels: context.doseLevels,
          doseTickLabel: (dose) => formatDose(context, dose),
          series,
          ciLevel: context.ciLevel,
        }),
        caption:
          `Mean ${metricLabel} per cell against ${variable}, one line per language. Error bars are ` +
          `${formatLevel(context.ciLevel)} t intervals of the cell mean (n = completed minus excluded runs); ` +
          'cells with fewer than two analysed runs have no error bar. Markers are slightly offset ' +
          'horizontally so that intervals do not overlap.',
      });
    }
  }
  return figures;
}

/** Row quantities a forest plot can show: per-language effects and slopes. */
const FOREST_QUANTITIES = new Set(['hedges-g', 'slope']);

/**
 * One forest plot per hypothesis with per-language effects or slopes: contrasts and trends, and the
 * per-language effects behind a covariate correlation or a direction count.
 */
export function forestPlotsForContext(context: ReportContext): Array<FigureOutput & { hypothesisId: string }> {
  const plots: Array<FigureOutput & { hypothesisId: string }> = [];
  for (const hypothesis of context.results.hypotheses) {
    const rows = hypothesis.rows.filter((row) => FOREST_QUANTITIES.has(row.quantity));
    const quantities = new Set(rows.map((row) => row.quantity));
    if (quantities.size !== 1 || !rows.some((row) => row.estimate !== null)) {
      continue;
    }
    plots.push({ hypothesisId: hypothesis.id, ...forestForHypothesis(context, hypothesis, rows) });
  }
  return plots;
}

function forestForHypothesis(
  context: ReportContext,
  hypothesis: HypothesisResult,
  statisticRows: readonly StatisticRow[],
): FigureOutput {
  const metricLabel = context.metricLabel(hypothesis.metric);
  const first = statisticRows[0];
  const levels = first ? contrastLevels(context, hypothesis, first) : null;
  const isContrast = first?.quantity === 'hedges-g';
  const quantityName = isContrast ? 'Hedges\u2019 g' : `slope b per unit of ${context.results.doseVariable}`;
  const comparison =
    isContrast && levels ? ` (${formatDose(context, levels.high)} vs ${formatDose(context, levels.low)})` : '';
  const rows: ForestRow[] = statisticRows.map((row, index) => ({
    key: row.language ?? `${row.label}#${index}`,
    // The plot is about effects, so a qualifier such as "(effect)" adds nothing here.
    label: row.language ? context.languageName(row.language) : rowDisplayLabel(row, context.languageName),
    estimate: row.estimate,
    interval: row.ci ?? null,
    pooled: !row.language,
    significant: row.estimate === null ? null : isSignificant(context, row),
  }));
  const perLanguage = hypothesis.kind === 'contrast' || hypothesis.kind === 'trend' ? '' : ' per language';
  const title = `${hypothesis.id}: ${metricLabel}, ${quantityName}${comparison}${perLanguage}`;
  const adjusted = statisticRows.some((row) => row.pAdjusted !== null && row.pAdjusted !== undefined);
  // Hints stay short (the plot is about 330 px wide); the axis title names the metric.
  const hints = isContrast
    ? {
        lower: `\u2190 lower${levels ? ` at ${formatDose(context, levels.high)}` : ''}`,
        higher: `higher${levels ? ` at ${formatDose(context, levels.high)}` : ''} \u2192`,
      }
    : { lower: '\u2190 falls with dose', higher: 'rises with dose \u2192' };
  return {
    key: `forest-${slug(hypothesis.id)}`,
    title,
    svg: forestPlot({
      title,
      xLabel: isContrast
        ? `Hedges\u2019 g of ${metricLabel}${comparison}`
        : `slope b of ${metricLabel} per unit of ${context.results.doseVariable}`,
      rows,
      labelHeader: 'Language',
      valueHeader: `${isContrast ? 'g' : 'b'} [${formatLevel(context.ciLevel)} CI]`,
      lowerHint: hints.lower,
      higherHint: hints.higher,
    }),
    caption:
      `Per-language ${isContrast ? 'effects' : 'slopes'} on ${metricLabel}, sorted by estimate, with ` +
      `${formatLevel(context.ciLevel)} confidence intervals; the dashed line marks zero. Filled markers: ` +
      `significant at \u03B1 = ${String(context.alpha).replace(/^0\./, '.')}` +
      (adjusted && context.results.correction !== 'none'
        ? ` (${context.correctionName}-adjusted p where reported, otherwise unadjusted)`
        : ' (unadjusted p)') +
      '; open markers: not significant.' +
      (rows.some((row) => row.pooled) ? ' Diamonds: pooled estimates.' : ''),
  };
}

/** An identifier fragment for anchors; deterministic, never random, case kept so ids stay distinct. */
export function slug(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'x' : cleaned;
}
