import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import { buildReportContext, cellMeanInterval, type ReportOptions } from './context.js';
import {
  type DoseSeries,
  doseResponseFigure,
  doseResponseFiguresForContext,
  type ForestRow,
  forestOrder,
  forestPlot,
  forestPlotsForContext,
} from './figures.js';
import { LANGUAGE_NAMES, sixteenLanguageFixture, twoLanguageFixture } from './fixtures.test-support.js';
import { niceTicks, PALETTE } from './svg.js';

const tQuantile = (probability: number, degreesOfFreedom: number) => tQuantileStdlib(probability, degreesOfFreedom);
const options: ReportOptions = { tQuantile, languageNames: LANGUAGE_NAMES };

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function series(count: number): DoseSeries[] {
  return Array.from({ length: count }, (_, index) => ({
    key: `l${index}`,
    name: `Language ${index}`,
    points: [0, 5, 10].map((dose) => ({
      dose,
      mean: index * 0.1 + dose * 0.05,
      interval: [index * 0.1 + dose * 0.05 - 0.2, index * 0.1 + dose * 0.05 + 0.2] as const,
      n: 15,
    })),
  }));
}

describe('dose-response figure', () => {
  it('draws one line, three markers and three error bars per language in a single panel', () => {
    const svg = doseResponseFigure({
      title: 'CPI by k',
      yLabel: 'CPI',
      xLabel: 'k',
      doseLevels: [0, 5, 10],
      series: series(3),
      ciLevel: 0.95,
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, 'class="series-line"')).toBe(3);
    expect(count(svg, 'class="marker"')).toBe(9);
    expect(count(svg, 'class="error-bar"')).toBe(9);
    expect(count(svg, 'class="context-line"')).toBe(0);
    // Distinct colours and dash patterns, and a legend entry per language.
    expect(svg).toContain(`stroke="${PALETTE[0]}"`);
    expect(svg).toContain(`stroke="${PALETTE[1]}" stroke-width="2" stroke-linejoin="round" stroke-dasharray="6 3"`);
    expect(count(svg, '>Language ')).toBe(3);
  });

  it('switches to small multiples above eight languages, still one series line per language', () => {
    const svg = doseResponseFigure({
      title: 'CPI by k',
      yLabel: 'CPI',
      xLabel: 'k',
      doseLevels: [0, 5, 10],
      series: series(16),
      ciLevel: 0.95,
    });
    expect(svg).toContain('small-multiples');
    expect(count(svg, 'class="series-line"')).toBe(16);
    // Every panel shows the other fifteen languages in grey.
    expect(count(svg, 'class="context-line"')).toBe(16 * 15);
  });

  it('escapes language names and titles and emits no ids, scripts or external references', () => {
    const hostile: DoseSeries[] = [
      { key: 'x"><script>', name: '<script>alert(1)</script>', points: series(1)[0]?.points ?? [] },
    ];
    const svg = doseResponseFigure({
      title: '<b>t</b>',
      yLabel: 'y',
      xLabel: 'x',
      doseLevels: [0, 5, 10],
      series: hostile,
      ciLevel: 0.95,
    });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).not.toMatch(/\sid="/);
    expect(svg).not.toMatch(/href|url\(/);
  });

  it('builds one figure per metric for a two-language study, with t intervals of the cell means', () => {
    const { results, manifest } = twoLanguageFixture();
    const context = buildReportContext(results, manifest, options);
    const figures = doseResponseFiguresForContext(context);
    expect(figures.map((figure) => figure.key)).toEqual(['figure-cpi-all', 'figure-di-all']);
    for (const figure of figures) {
      expect(count(figure.svg, 'class="series-line"')).toBe(2);
      expect(count(figure.svg, 'data-language="en"')).toBe(1);
      expect(count(figure.svg, 'data-language="ja"')).toBe(1);
    }
    const cell = results.cells[0];
    if (!cell) {
      throw new Error('fixture has no cells');
    }
    // 15 runs: mean ± t(0.975, 14) * sd / sqrt(15), t = 2.1448.
    const interval = cellMeanInterval(cell, 'cpi', 0.95, tQuantile);
    const mean = cell.means.cpi ?? Number.NaN;
    const sd = cell.sds.cpi ?? Number.NaN;
    expect(interval?.n).toBe(15);
    expect(interval?.interval?.[0]).toBeCloseTo(mean - (2.144787 * sd) / Math.sqrt(15), 5);
    expect(interval?.interval?.[1]).toBeCloseTo(mean + (2.144787 * sd) / Math.sqrt(15), 5);
  });

  it('draws one figure per metric and model when a study compares models', () => {
    const { results, manifest } = twoLanguageFixture();
    const second = results.cells.map((cell) => ({ ...cell, cellId: `${cell.cellId}-b`, model: 'groq:llama-3.3-70b' }));
    const context = buildReportContext(
      { ...results, models: ['surrogate', 'groq:llama-3.3-70b'], cells: [...results.cells, ...second] },
      manifest,
      options,
    );
    const figures = doseResponseFiguresForContext(context);
    expect(figures.map((figure) => figure.key)).toEqual([
      'figure-cpi-surrogate',
      'figure-cpi-groq-llama-3-3-70b',
      'figure-di-surrogate',
      'figure-di-groq-llama-3-3-70b',
    ]);
    expect(figures[1]?.title).toBe('CPI by k and language \u2014 groq:llama-3.3-70b');
    for (const figure of figures) {
      expect(count(figure.svg, 'class="series-line"')).toBe(2);
    }
  });

  it('draws no interval for a cell with fewer than two analysed runs', () => {
    const cell = twoLanguageFixture().results.cells[0];
    if (!cell) {
      throw new Error('fixture has no cells');
    }
    const interval = cellMeanInterval({ ...cell, completedRuns: 1, excludedRuns: 0 }, 'cpi', 0.95, tQuantile);
    expect(interval?.interval).toBeNull();
    expect(cellMeanInterval(cell, 'missing_metric', 0.95, tQuantile)).toBeNull();
  });
});

describe('forest plot', () => {
  const rows: ForestRow[] = [
    { key: 'pooled#0', label: 'pooled', estimate: 0.1, interval: [0, 0.2], pooled: true, significant: true },
    { key: 'en', label: 'English', estimate: -1.84, interval: [-2.7, -0.98], pooled: false, significant: true },
    { key: 'xx', label: 'Nowhere', estimate: null, interval: null, pooled: false, significant: null },
    { key: 'ja', label: 'Japanese', estimate: 0.77, interval: [0.03, 1.51], pooled: false, significant: false },
  ];

  it('orders languages by estimate (highest first), inestimable next, pooled last', () => {
    expect(forestOrder(rows).map((row) => row.key)).toEqual(['ja', 'en', 'xx', 'pooled#0']);
  });

  it('draws rows in that order with a zero line, intervals and value labels', () => {
    const svg = forestPlot({
      title: 'H1',
      xLabel: 'g',
      rows,
      labelHeader: 'Language',
      valueHeader: 'g [95% CI]',
      lowerHint: '\u2190 lower',
      higherHint: 'higher \u2192',
    });
    const order = [...svg.matchAll(/class="forest-row" data-key="([^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual(['ja', 'en', 'xx', 'pooled#0']);
    expect(count(svg, 'class="zero-line"')).toBe(1);
    expect(count(svg, 'class="interval"')).toBe(2);
    expect(svg).toContain('\u22121.84 [\u22122.70, \u22120.98]');
    expect(svg).toContain('not estimable');
  });

  it('makes one forest plot per hypothesis with per-language effects or slopes', () => {
    const { results, manifest } = sixteenLanguageFixture();
    const plots = forestPlotsForContext(buildReportContext(results, manifest, options));
    expect(plots.map((plot) => plot.hypothesisId)).toEqual(['H1', 'H5']);
    const h1 = plots[0]?.svg ?? '';
    expect(count(h1, 'class="forest-row"')).toBe(17);
    const keys = [...h1.matchAll(/class="forest-row" data-key="([^"]+)"/g)].map((match) => match[1]);
    expect(keys[0]).toBe('he');
    expect(keys[15]).toBe('en');
    expect(keys[16]).toBe('pooled#16');
  });
});

describe('axis ticks', () => {
  it('chooses nice steps that cover the data', () => {
    expect(niceTicks(-1.1, 0.84, 5)).toEqual({ domain: [-1.5, 1], ticks: [-1.5, -1, -0.5, 0, 0.5, 1], decimals: 1 });
    const ticks = niceTicks(0.0291, 0.1269, 6);
    expect(ticks.domain[0]).toBeLessThanOrEqual(0.0291);
    expect(ticks.domain[1]).toBeGreaterThanOrEqual(0.1269);
    expect(niceTicks(2, 2).ticks.length).toBeGreaterThan(1);
  });
});
