import type { Trajectories } from '../contracts/index.js';
import type { ReportContext } from './context.js';
import { type FigureOutput, slug } from './figures.js';
import { truncateToWidth } from './format.js';
import {
  coordinate,
  formatTick,
  linearScale,
  linePath,
  markerPath,
  niceTicks,
  seriesStyle,
  svgOpen,
  text,
  textWidth,
} from './svg.js';

/**
 * Trajectories: a metric's per-turn cell means (Results.trajectories) across the scenario, one panel
 * per language and one line per dose level, with the scenario's phases (the injected events) as
 * shaded bands. Used in the report and, through the CLI, on the viewer's trajectories page. Like the
 * other figures: no ids, no <defs>, a pure function of its input.
 */

const PANEL_WIDTH = 230;
const PANEL_HEIGHT = 150;
const COLUMNS = 3;
const BAND_COLOURS = ['#f3f3f3', '#ffffff'] as const;

export function trajectoryFigure(
  trajectories: Trajectories,
  metric: string,
  languages: readonly string[],
  options: { model?: string; languageName?: (tag: string) => string; title?: string } = {},
): string {
  const cells = trajectories.cells.filter(
    (cell) => languages.includes(cell.language) && (options.model === undefined || cell.model === options.model),
  );
  const panels = languages.filter((language) => cells.some((cell) => cell.language === language));
  const doses = [...new Set(cells.map((cell) => cell.dose))].sort((a, b) => a - b);
  const values = cells.flatMap((cell) =>
    cell.turns.map((point) => point.means[metric]).filter((value): value is number => typeof value === 'number'),
  );
  const turns = cells.flatMap((cell) => cell.turns.map((point) => point.turn));
  const title = options.title ?? `${metric} by turn`;
  const description = `Per-turn mean of ${metric} in each cell, one panel per language, one line per level; shaded bands are the scenario's phases.`;
  if (values.length === 0 || turns.length === 0) {
    return `${svgOpen(360, 40, title, description, 'figure trajectory-figure')}<text x="10" y="24" font-size="12">${text(`no per-turn values of ${metric}`)}</text></svg>`;
  }
  const yTicks = niceTicks(Math.min(...values), Math.max(...values), 4);
  const lastTurn = Math.max(...turns);
  const columns = Math.min(COLUMNS, panels.length);
  const rows = Math.ceil(panels.length / columns);
  const marginLeft = 44;
  const legendTop = 34;
  const top = legendTop + 26;
  const width = marginLeft + columns * (PANEL_WIDTH + 16) + 10;
  const height = top + rows * (PANEL_HEIGHT + 46) + 10;
  const parts: string[] = [svgOpen(width, height, title, description, 'figure trajectory-figure')];
  parts.push(`<text x="10" y="20" font-size="14" font-weight="600" fill="#222222">${text(title)}</text>`);
  let legendX = 10;
  doses.forEach((dose, index) => {
    const style = seriesStyle(index);
    const label = `level ${dose}`;
    const dash = style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
    parts.push(
      `<path d="M${coordinate(legendX)} ${legendTop}H${coordinate(legendX + 24)}" stroke="${style.colour}" stroke-width="2"${dash}/>`,
      `<path d="${markerPath(style.marker, legendX + 12, legendTop, 3.5)}" fill="${style.colour}" stroke="#1a1a1a" stroke-width="0.5"/>`,
      `<text x="${coordinate(legendX + 29)}" y="${legendTop}" dy="0.32em" font-size="11" fill="#222222">${text(label)}</text>`,
    );
    legendX += 29 + textWidth(label, 11) + 16;
  });
  panels.forEach((language, panelIndex) => {
    const left = marginLeft + (panelIndex % columns) * (PANEL_WIDTH + 16);
    const panelTop = top + Math.floor(panelIndex / columns) * (PANEL_HEIGHT + 46) + 16;
    const bottom = panelTop + PANEL_HEIGHT;
    const right = left + PANEL_WIDTH;
    const x = linearScale([0.5, lastTurn + 0.5], [left, right]);
    const y = linearScale([yTicks.ticks[0] ?? 0, yTicks.ticks[yTicks.ticks.length - 1] ?? 1], [bottom, panelTop]);
    const name = truncateToWidth(options.languageName?.(language) ?? language, 30);
    parts.push(`<g class="panel" data-language="${text(language)}">`);
    // Phases of the injected events, as bands with their names.
    const events = [...(trajectories.events[language] ?? [])].sort((a, b) => a.turn - b.turn);
    let bandIndex = 0;
    for (let index = 0; index < events.length; ) {
      const phase = events[index]!.phase;
      let end = index;
      while (end + 1 < events.length && events[end + 1]!.phase === phase) end += 1;
      const x0 = x(events[index]!.turn - 0.5);
      const x1 = x(events[end]!.turn + 0.5);
      parts.push(
        `<rect class="phase" x="${coordinate(x0)}" y="${coordinate(panelTop)}" width="${coordinate(x1 - x0)}" height="${PANEL_HEIGHT}" fill="${BAND_COLOURS[bandIndex % 2]}"><title>${text(`${phase}: turns ${events[index]!.turn}-${events[end]!.turn}`)}</title></rect>`,
        `<text x="${coordinate((x0 + x1) / 2)}" y="${coordinate(bottom + 26)}" font-size="8" text-anchor="middle" fill="#666666">${text(truncateToWidth(phase, Math.max(3, Math.floor((x1 - x0) / 5))))}</text>`,
      );
      bandIndex += 1;
      index = end + 1;
    }
    for (const tick of yTicks.ticks) {
      const yTick = coordinate(y(tick));
      parts.push(
        `<line x1="${coordinate(left)}" y1="${yTick}" x2="${coordinate(right)}" y2="${yTick}" stroke="${tick === 0 ? '#9a9a9a' : '#e4e4e4'}"/>`,
      );
      if (panelIndex % columns === 0) {
        parts.push(
          `<text x="${coordinate(left - 5)}" y="${yTick}" dy="0.32em" font-size="9" text-anchor="end" fill="#333333">${text(formatTick(tick, yTicks.decimals))}</text>`,
        );
      }
    }
    for (let turn = 1; turn <= lastTurn; turn += 1) {
      if (turn !== 1 && turn % 5 !== 0 && turn !== lastTurn) continue;
      parts.push(
        `<text x="${coordinate(x(turn))}" y="${coordinate(bottom + 12)}" font-size="9" text-anchor="middle" fill="#333333">${turn}</text>`,
      );
    }
    parts.push(
      `<path d="M${coordinate(left)} ${coordinate(panelTop)}V${coordinate(bottom)}H${coordinate(right)}" fill="none" stroke="#444444"/>`,
      `<text x="${coordinate(left)}" y="${coordinate(panelTop - 5)}" font-size="11" font-weight="600" fill="#222222">${text(name)}</text>`,
    );
    doses.forEach((dose, index) => {
      const style = seriesStyle(index);
      for (const cell of cells.filter((candidate) => candidate.language === language && candidate.dose === dose)) {
        const points = cell.turns
          .filter((point) => typeof point.means[metric] === 'number')
          .map((point) => [x(point.turn), y(point.means[metric] as number)] as const);
        if (points.length === 0) continue;
        const dash = style.dash === '' ? '' : ` stroke-dasharray="${style.dash}"`;
        parts.push(
          `<path class="series-line" data-cell="${text(cell.cellId)}" d="${linePath(points)}" fill="none" stroke="${style.colour}" stroke-width="1.5"${dash}/>`,
        );
      }
    });
    parts.push('</g>');
  });
  parts.push(
    `<text x="${coordinate(width / 2)}" y="${coordinate(height - 4)}" font-size="10" text-anchor="middle" fill="#333333">turn (shaded bands: scenario phases)</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

/** The report's trajectory figures: one per figure metric (and model, when there are several). */
export function trajectoryFiguresForContext(context: ReportContext): FigureOutput[] {
  const trajectories = context.results.trajectories;
  if (trajectories === undefined) return [];
  const models = [...new Set(trajectories.cells.map((cell) => cell.model))];
  const figures: FigureOutput[] = [];
  for (const metric of context.figureMetrics.filter((name) => trajectories.metrics.includes(name))) {
    for (const model of models) {
      const metricLabel = context.metricLabel(metric);
      const title = models.length > 1 ? `${metricLabel} by turn — ${model}` : `${metricLabel} by turn`;
      figures.push({
        key: `trajectory-${slug(metric)}-${models.length > 1 ? slug(model) : 'all'}`,
        title,
        svg: trajectoryFigure(trajectories, metric, context.results.languages, {
          model,
          languageName: (tag) => context.languageName(tag),
          title,
        }),
        caption:
          `Mean ${metricLabel} at each turn over each cell's included runs, one panel per language and one ` +
          'line per level; shaded bands mark the scenario phases of the injected events.',
      });
    }
  }
  return figures;
}
