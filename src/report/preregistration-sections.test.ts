import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import type { PreregistrationResults } from '../contracts/index.js';
import type { ReportOptions } from './context.js';
import { LANGUAGE_NAMES, twoLanguageFixture } from './fixtures.test-support.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

const options: ReportOptions = {
  tQuantile: (probability, degreesOfFreedom) => tQuantileStdlib(probability, degreesOfFreedom),
  languageNames: LANGUAGE_NAMES,
};

const PREREGISTRATION: PreregistrationResults = {
  lockHash: 'b'.repeat(64),
  lockedAt: '2026-12-01T09:00:00.000Z',
  alpha: 0.05,
  hypotheses: [
    {
      id: 'H1',
      plannedTest: "Hedges' g of cpi at k = 10 vs 0, in each language; two-sided Student t test",
      plannedConfirmatory: true,
      status: 'as-planned',
      analysedAs: 'confirmatory',
      tests: 2,
      significant: 1,
      verdict: 'partly-confirmed',
      note: '1 of 2 tests with adjusted p < .05',
    },
    {
      id: 'H2',
      plannedTest: 'OLS slope of di on k, in each language',
      plannedConfirmatory: true,
      status: 'changed',
      analysedAs: 'exploratory',
      tests: 2,
      significant: 0,
      verdict: 'exploratory',
      note: 'moved to exploratory by D1 (a change after data existed)',
    },
  ],
  deviations: [
    {
      id: 'D1',
      recordedAt: '2026-12-03T12:00:00.000Z',
      reason: 'the <b>slope</b> was meant per 10% of agents',
      phase: 'after-data',
      dataSeen: ['runs/study1-1a2b3c4d (150 runs with transcripts)'],
      changes: [{ field: 'study.analysis.hypotheses[H2].by', preregistered: '"language"', observed: '"none"' }],
      exploratory: ['H2'],
    },
  ],
};

describe('the report of a preregistered run', () => {
  it('shows each hypothesis planned vs observed, and every deviation, in Markdown and HTML', () => {
    const fixture = twoLanguageFixture();
    const results = { ...fixture.results, preregistration: PREREGISTRATION };
    const markdown = renderMarkdown(results, fixture.manifest, options);
    const section = markdown.slice(markdown.indexOf('## Preregistered vs observed'), markdown.indexOf('## Index'));
    expect(section).toContain('Preregistration lock `bbbbbbbbbbbbbbbb`');
    expect(section).toContain(
      "| **H1** | Hedges' g of cpi at k = 10 vs 0, in each language; two-sided Student t test | as planned | confirmatory | English: g = \u22121.84, p adj. \\< .001; Japanese: g = 0.77, p adj. .077 | **partly confirmed**",
    );
    expect(section).toContain('**exploratory (no claim)** — moved to exploratory by D1');
    expect(section).toContain('## Deviations');
    expect(section).toContain('after data existed (runs/study1-1a2b3c4d (150 runs with transcripts))');
    expect(section).toContain('study.analysis.hypotheses\\[H2\\].by: "language" → "none"');
    const html = renderHtml(results, fixture.manifest, options);
    expect(html).toContain('id="preregistered-vs-observed"');
    expect(html).toContain('id="deviations"');
    // The researcher's reason is text, never markup.
    expect(html).not.toContain('<b>slope</b>');
    expect(html).toContain('&lt;b&gt;slope&lt;/b&gt;');
  });

  it('says so when a run was not preregistered', () => {
    const fixture = twoLanguageFixture();
    const markdown = renderMarkdown(fixture.results, fixture.manifest, options);
    expect(markdown).toContain('This run was not preregistered');
    expect(markdown).toContain('Not applicable: the run has no preregistration.');
  });
});
