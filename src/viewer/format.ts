/**
 * Number formatting for the viewer's tables. These only format stored values (principle: the viewer
 * never recomputes a statistic); a missing value shows as an en dash, and 0 stays 0.
 */

const DASH = '–';

export function formatNumber(value: number | null | undefined, decimals = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? (0).toFixed(decimals) : text.replace('-', '−');
}

export function formatP(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (value < 0.001) return '< .001';
  if (value > 0.999) return '> .999';
  return value.toFixed(3).replace(/^0/, '');
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `${(value * 100).toFixed(1)}%`;
}

export function formatCost(value: number | null | undefined, unpriced = 0): string {
  if (value === null || value === undefined) return DASH;
  const text = value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
  return unpriced > 0 && value === 0 ? `${DASH} (no price)` : text;
}

export function formatInterval(ci: readonly [number, number] | null | undefined): string {
  if (ci === null || ci === undefined) return DASH;
  return `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value.toLocaleString('en-US');
}
