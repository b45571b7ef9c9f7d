import { describe, expect, it } from 'vitest';
import type { CellSummary, Results } from '../contracts/index.js';
import { summaryWarnings } from './summary-warnings.js';

function cell(overrides: Partial<CellSummary>): CellSummary {
  return {
    cellId: 'ja.mock.k0',
    language: 'ja',
    model: 'mock:talk',
    dose: 0,
    runs: 4,
    completedRuns: 4,
    excludedRuns: 0,
    attemptedActions: 100,
    parseErrorRate: 0,
    callErrorRate: 0,
    retries: 0,
    intendedLanguageShare: 1,
    means: {},
    sds: {},
    ...overrides,
  };
}

const results = (cells: CellSummary[]) => ({ cells }) as unknown as Results;

describe('summaryWarnings', () => {
  it('is silent when every cell is within the thresholds', () => {
    expect(summaryWarnings(results([cell({})]), { maxFailedActionShare: 0.5, minIntendedLanguageShare: null })).toEqual(
      [],
    );
  });

  it('counts the cells in the wrong language, under the study threshold or the default one', () => {
    const cells = [cell({ intendedLanguageShare: 0 }), cell({ cellId: 'ja.mock.k4', intendedLanguageShare: 0.7 })];
    const byDefault = summaryWarnings(results(cells), { maxFailedActionShare: 0.5, minIntendedLanguageShare: null });
    expect(byDefault).toEqual([expect.stringMatching(/^1 of 2 cells .*intended language below 50%.*ja\.mock\.k0 0%/)]);
    const byStudy = summaryWarnings(results(cells), { maxFailedActionShare: 0.5, minIntendedLanguageShare: 0.9 });
    expect(byStudy[0]).toMatch(/^2 of 2 cells .*below 90% \(exclusions\.minIntendedLanguageShare\)/);
  });

  it("says when no action's language could be determined (the n/a rows of report.md)", () => {
    const warnings = summaryWarnings(results([cell({ intendedLanguageShare: null })]), {
      maxFailedActionShare: 0.5,
      minIntendedLanguageShare: null,
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^1 of 1 cells have no action whose language could be determined/),
    ]);
  });

  it('warns about parse and call failures over maxFailedActionShare, and excluded runs', () => {
    const warnings = summaryWarnings(results([cell({ parseErrorRate: 0.6, callErrorRate: 0.3, excludedRuns: 3 })]), {
      maxFailedActionShare: 0.25,
      minIntendedLanguageShare: null,
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^1 of 1 cells have a parse-error rate above 25%.*60%/),
      expect.stringMatching(/^1 of 1 cells have a failed-call rate above 25%.*30%/),
      '3 of 4 runs were excluded from the analysis (see report.md)',
    ]);
  });
});
