import type { Alternative, LmmFit } from '../../../stats/index.js';
import type { DataSummary } from './data.js';
import type { Design, PairedColumns, SampleDescription } from './samples.js';

/** How `backfire stats` prints: JSON as the engine returned it, or aligned text with five significant digits. */

export type Output = { test: string } & Record<string, unknown>;

export function emit(output: Output, json: boolean | undefined, text: () => string[]): void {
  // Open interval ends and overflowing Bayes factors are ±Infinity; JSON has no such number and
  // JSON.stringify writes null, which is what we document.
  process.stdout.write(json === true ? `${JSON.stringify(output, null, 2)}\n` : `${text().join('\n')}\n`);
}

/**
 * Five significant digits for reading (the JSON output keeps every digit): plain notation in
 * [1e-4, 1e6), scientific outside it, trailing zeros dropped.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NA';
  if (value === Number.POSITIVE_INFINITY) return 'Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e6) {
    return value.toExponential(4).replace(/\.?0+e/, 'e');
  }
  const decimals = Math.min(9, Math.max(0, 4 - Math.floor(Math.log10(magnitude))));
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

export function formatInterval(interval: readonly [number, number] | null): string {
  return interval === null ? 'NA' : `[${formatNumber(interval[0])}, ${formatNumber(interval[1])}]`;
}

/**
 * A plain table: the first `textColumns` columns left-aligned (labels), the rest right-aligned
 * (numbers), two spaces apart.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  textColumns = 0,
): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/**
 * The lines a mixed model (LMM or GLMM) prints after its variance components: the correlations of
 * random effects, when there are any, and the observations and groups.
 */
export function randomCorrelationAndGroupLines(fit: Pick<LmmFit, 'correlations' | 'nobs' | 'ngroups'>): string[] {
  return [
    ...(fit.correlations.length === 0
      ? []
      : [
          'Correlations of random effects:',
          ...indent(
            formatTable(
              ['group', 'term 1', 'term 2', 'correlation'],
              fit.correlations.map((entry) => [entry.group, entry.term1, entry.term2, formatNumber(entry.correlation)]),
              3,
            ),
          ),
        ]),
    `observations: ${fit.nobs}; groups: ${Object.entries(fit.ngroups)
      .map(([group, count]) => `${group} ${count}`)
      .join(', ')}`,
  ];
}

export function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

/** The two columns of a paired test and how many complete pairs they gave. */
export function pairsLine(pairs: PairedColumns): string {
  return `x: "${pairs.variables.x}"; y: "${pairs.variables.y}"; ${pairs.x.length} pairs`;
}

export function estimatorLine(estimator: { name: string; version: string }): string {
  return `estimator: ${estimator.name} ${estimator.version}`;
}

export function dataLines(data: DataSummary): string[] {
  const parts = [`data: ${data.file}: ${data.used} of ${data.rows} rows used`];
  if (data.otherLevels > 0) parts.push(`${data.otherLevels} in other levels of the group column left out`);
  if (data.dropped > 0) {
    const shown = data.droppedLines.slice(0, 10).join(', ');
    parts.push(
      `${data.dropped} dropped for missing values (line${data.dropped === 1 ? '' : 's'} ${shown}${data.dropped > 10 ? ', ...' : ''})`,
    );
  }
  return [parts.join('; ')];
}

export function warningLines(warnings: readonly string[]): string[] {
  return warnings.length === 0 ? [] : ['', 'warnings:', ...warnings.map((warning) => `  - ${warning}`)];
}

export function sampleLines(samples: { x: SampleDescription; y?: SampleDescription | undefined }): string[] {
  const describeSample = (name: string, sample: SampleDescription) => {
    const where =
      sample.level === undefined
        ? `"${sample.column}"`
        : `"${sample.column}" where "${sample.group}" = "${sample.level}"`;
    return `${name}: ${where} (n = ${sample.n}, mean = ${formatNumber(sample.mean)}, sd = ${formatNumber(sample.sd)})`;
  };
  return [describeSample('x', samples.x), ...(samples.y === undefined ? [] : [describeSample('y', samples.y)])];
}

export function hypothesisLine(quantity: string, alternative: Alternative, value: number): string {
  const relation = alternative === 'two-sided' ? '!=' : alternative === 'less' ? '<' : '>';
  return `H1: ${quantity} ${relation} ${formatNumber(value)}`;
}

export function estimateOf(design: Design['kind']): string {
  return design === 'two-sample' ? 'mean(x) - mean(y)' : design === 'paired' ? 'mean(x - y)' : 'mean(x)';
}
