import type { CellSummary, Results } from '../contracts/index.js';

/**
 * Warnings for the terminal summary, where the user is: cells whose share of actions in the intended
 * language, share of unparsable actions, or share of failed calls crosses the study's thresholds. Read
 * from results.json (never recomputed), one line per kind of problem, with the count of cells.
 */

export interface SummaryThresholds {
  /** `exclusions.maxFailedActionShare`: a run over it is excluded; a cell over it is warned about. */
  maxFailedActionShare: number;
  /** `exclusions.minIntendedLanguageShare`; when the study sets none, DEFAULT_MIN_LANGUAGE_SHARE warns. */
  minIntendedLanguageShare: number | null;
}

/** Below this share of actions in the intended language a cell is warned about when the study sets no threshold. */
export const DEFAULT_MIN_LANGUAGE_SHARE = 0.5;

export function summaryWarnings(results: Results, thresholds: SummaryThresholds): string[] {
  const languageFloor = thresholds.minIntendedLanguageShare ?? DEFAULT_MIN_LANGUAGE_SHARE;
  const languageSource =
    thresholds.minIntendedLanguageShare === null
      ? 'the default warning level; set exclusions.minIntendedLanguageShare to exclude such runs'
      : 'exclusions.minIntendedLanguageShare';
  const failedSource = 'exclusions.maxFailedActionShare';
  const warnings: string[] = [];
  const add = (
    cells: readonly CellSummary[],
    value: (cell: CellSummary) => number,
    what: string,
    comparison: string,
    source: string,
  ) => {
    if (cells.length === 0) return;
    const listed = cells
      .slice(0, 6)
      .map((cell) => `${cell.cellId} ${formatShare(value(cell))}`)
      .join(', ');
    const more = cells.length > 6 ? `, and ${cells.length - 6} more` : '';
    warnings.push(
      `${cells.length} of ${results.cells.length} cells have ${what} ${comparison} (${source}): ${listed}${more}; see report.md`,
    );
  };
  add(
    results.cells.filter((cell) => cell.intendedLanguageShare !== null && cell.intendedLanguageShare < languageFloor),
    (cell) => cell.intendedLanguageShare ?? 0,
    'a share of actions in the intended language',
    `below ${formatShare(languageFloor)}`,
    languageSource,
  );
  const undetermined = results.cells.filter((cell) => cell.intendedLanguageShare === null && cell.attemptedActions > 0);
  if (undetermined.length > 0) {
    warnings.push(
      `${undetermined.length} of ${results.cells.length} cells have no action whose language could be determined (answers too short for the language detector, or in no language it knows), so their in-language share is n/a: ${undetermined
        .slice(0, 6)
        .map((cell) => cell.cellId)
        .join(', ')}${undetermined.length > 6 ? `, and ${undetermined.length - 6} more` : ''}; see report.md`,
    );
  }
  add(
    results.cells.filter((cell) => (cell.parseErrorRate ?? 0) > thresholds.maxFailedActionShare),
    (cell) => cell.parseErrorRate ?? 0,
    'a parse-error rate',
    `above ${formatShare(thresholds.maxFailedActionShare)}`,
    failedSource,
  );
  add(
    results.cells.filter((cell) => (cell.callErrorRate ?? 0) > thresholds.maxFailedActionShare),
    (cell) => cell.callErrorRate ?? 0,
    'a failed-call rate',
    `above ${formatShare(thresholds.maxFailedActionShare)}`,
    failedSource,
  );
  const excluded = results.cells.reduce((total, cell) => total + cell.excludedRuns, 0);
  const runs = results.cells.reduce((total, cell) => total + cell.runs, 0);
  if (excluded > 0) warnings.push(`${excluded} of ${runs} runs were excluded from the analysis (see report.md)`);
  return warnings;
}

function formatShare(value: number): string {
  return `${Number((value * 100).toFixed(1))}%`;
}
