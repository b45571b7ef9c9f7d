import { displayWidth, escapeHtml, formatFixed, TYPOGRAPHIC } from './format.js';

/**
 * Small hand-written SVG toolkit for the figures: coordinates, axis ticks, marker shapes and the
 * palette. No ids or <defs> are emitted, so several figures can share one HTML page without clashes
 * and the markup is a pure function of its input (byte-stable reports).
 */

/**
 * Okabe-Ito, ordered so the first colours have the most contrast on white. Its yellow (#F0E442) is
 * nearly invisible as a thin line on white, so it comes last and is darkened to #B8A200 (same hue).
 */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
  '#B8A200',
] as const;

/** Dash patterns so series stay distinct in greyscale print. */
export const DASHES = ['', '6 3', '2 3', '8 3 2 3'] as const;

export const MARKERS = [
  'circle',
  'square',
  'triangle',
  'diamond',
  'triangle-down',
  'pentagon',
  'plus',
  'cross',
] as const;
export type MarkerShape = (typeof MARKERS)[number];

export const FONT_FAMILY = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

export interface SeriesStyle {
  colour: string;
  dash: string;
  marker: MarkerShape;
  /** Open (white-filled) markers for the second round of eight series. */
  open: boolean;
}

export function seriesStyle(index: number): SeriesStyle {
  return {
    colour: PALETTE[index % PALETTE.length] ?? '#000000',
    dash: DASHES[index % DASHES.length] ?? '',
    marker: MARKERS[index % MARKERS.length] ?? 'circle',
    open: Math.floor(index / PALETTE.length) % 2 === 1,
  };
}

/** A coordinate with at most two decimals: compact, and identical on every platform. */
export function coordinate(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

export function text(content: string): string {
  return escapeHtml(content);
}

/** Approximate rendered width of text in a sans-serif font, for legend layout and truncation. */
export function textWidth(content: string, fontSize: number): number {
  return displayWidth(content) * fontSize * 0.58;
}

export interface Ticks {
  domain: [number, number];
  ticks: number[];
  decimals: number;
}

/** "Nice" ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(minimum: number, maximum: number, target = 5): Ticks {
  let low = minimum;
  let high = maximum;
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    low = 0;
    high = 1;
  }
  if (low === high) {
    const padding = low === 0 ? 1 : Math.abs(low) * 0.5;
    low -= padding;
    high += padding;
  }
  const rough = (high - low) / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const residual = rough / magnitude;
  const multiplier = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10;
  const step = multiplier * magnitude;
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const ticks: number[] = [];
  for (let index = first; index <= last; index += 1) {
    ticks.push(Number((index * step).toPrecision(12)));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) + (multiplier === 2.5 ? 1 : 0);
  return { domain: [first * step, last * step], ticks, decimals };
}

export function formatTick(value: number, decimals: number): string {
  return formatFixed(value, decimals, TYPOGRAPHIC);
}

export type LinearScale = (value: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [domainLow, domainHigh] = domain;
  const [rangeLow, rangeHigh] = range;
  const span = domainHigh - domainLow;
  return (value: number) =>
    span === 0 ? (rangeLow + rangeHigh) / 2 : rangeLow + ((value - domainLow) / span) * (rangeHigh - rangeLow);
}

/** Path data of a marker of radius `r` centred on (x, y). Shapes have roughly equal visual area. */
export function markerPath(shape: MarkerShape, x: number, y: number, r: number): string {
  const c = coordinate;
  switch (shape) {
    case 'circle':
      return `M${c(x - r)} ${c(y)}a${c(r)} ${c(r)} 0 1 0 ${c(2 * r)} 0a${c(r)} ${c(r)} 0 1 0 ${c(-2 * r)} 0Z`;
    case 'square': {
      const half = r * 0.88;
      return `M${c(x - half)} ${c(y - half)}h${c(2 * half)}v${c(2 * half)}h${c(-2 * half)}Z`;
    }
    case 'triangle':
      return `M${c(x)} ${c(y - r * 1.2)}L${c(x + r * 1.1)} ${c(y + r * 0.8)}L${c(x - r * 1.1)} ${c(y + r * 0.8)}Z`;
    case 'triangle-down':
      return `M${c(x)} ${c(y + r * 1.2)}L${c(x + r * 1.1)} ${c(y - r * 0.8)}L${c(x - r * 1.1)} ${c(y - r * 0.8)}Z`;
    case 'diamond':
      return `M${c(x)} ${c(y - r * 1.25)}L${c(x + r * 1.05)} ${c(y)}L${c(x)} ${c(y + r * 1.25)}L${c(x - r * 1.05)} ${c(y)}Z`;
    case 'pentagon': {
      const points: string[] = [];
      for (let corner = 0; corner < 5; corner += 1) {
        const angle = -Math.PI / 2 + (corner * 2 * Math.PI) / 5;
        points.push(`${c(x + r * 1.1 * Math.cos(angle))} ${c(y + r * 1.1 * Math.sin(angle))}`);
      }
      return `M${points.join('L')}Z`;
    }
    case 'plus':
    case 'cross': {
      // A thick plus sign as one polygon; the cross is the same shape turned by 45 degrees.
      const arm = r * 1.2;
      const thickness = r * 0.45;
      const outline: Array<[number, number]> = [
        [-thickness, -arm],
        [thickness, -arm],
        [thickness, -thickness],
        [arm, -thickness],
        [arm, thickness],
        [thickness, thickness],
        [thickness, arm],
        [-thickness, arm],
        [-thickness, thickness],
        [-arm, thickness],
        [-arm, -thickness],
        [-thickness, -thickness],
      ];
      const angle = shape === 'cross' ? Math.PI / 4 : 0;
      const cosine = Math.cos(angle);
      const sine = Math.sin(angle);
      const points = outline.map(([dx, dy]) => `${c(x + dx * cosine - dy * sine)} ${c(y + dx * sine + dy * cosine)}`);
      return `M${points.join('L')}Z`;
    }
  }
}

/** A polyline as path data (an SVG path so it can carry a dash pattern and join styles uniformly). */
export function linePath(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y], index) => `${index === 0 ? 'M' : 'L'}${coordinate(x)} ${coordinate(y)}`).join('');
}

/** Opening tag of a standalone-valid SVG with an accessible title and description. */
export function svgOpen(width: number, height: number, title: string, description: string, className: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="${className}" viewBox="0 0 ${coordinate(width)} ${coordinate(height)}" ` +
    `width="${coordinate(width)}" height="${coordinate(height)}" role="img" font-family="${FONT_FAMILY}">` +
    `<title>${text(title)}</title><desc>${text(description)}</desc>` +
    `<rect x="0" y="0" width="${coordinate(width)}" height="${coordinate(height)}" fill="#ffffff"/>`
  );
}
