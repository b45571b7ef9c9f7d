import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import {
  EXPECTATION_LABEL,
  type ResultsExpectation,
  ResultsSchema,
  type SurrogateExpectation,
} from '../contracts/index.js';
import type { ReportOptions } from './context.js';
import { LANGUAGE_NAMES, twoLanguageFixture } from './fixtures.test-support.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

const options: ReportOptions = {
  tQuantile: (probability, degreesOfFreedom) => tQuantileStdlib(probability, degreesOfFreedom),
  languageNames: LANGUAGE_NAMES,
};

function expectationRow(label: string, mean: number, sd: number, power: number) {
  return {
    hypothesis: 'H1',
    label,
    quantity: 'hedges-g',
    adjusted: true,
    simulations: 50,
    failed: 0,
    meanEstimate: mean,
    sdEstimate: sd,
    estimateMcse: sd / Math.sqrt(50),
    quantiles: { q05: mean - 1.6 * sd, q25: mean - 0.7 * sd, q50: mean, q75: mean + 0.7 * sd, q95: mean + 1.6 * sd },
    power,
    powerMcse: Math.sqrt((power * (1 - power)) / 50),
  };
}

const STORED: SurrogateExpectation = {
  formatVersion: 1,
  label: EXPECTATION_LABEL,
  key: 'a'.repeat(64),
  keyInputs: {
    study: 'study1',
    replicates: 15,
    surrogateParametersVersion: '1.1.0',
    lexiconVersions: { en: '2.0.0', ja: '2.0.0' },
    packVersions: { en: '1.0.0', ja: '1.0.0' },
    packHashes: { en: 'c'.repeat(64), ja: 'd'.repeat(64) },
    indexVersions: { cpi: '1.0.0' },
  },
  simulations: 50,
  seed: 20260304,
  alpha: 0.05,
  correction: 'holm',
  rows: [expectationRow('en', -1.8123, 0.41, 0.94), expectationRow('ja', 0.7788, 0.36, 0.38)],
};

function withExpectation(expectation: ResultsExpectation) {
  const fixture = twoLanguageFixture();
  // The schema is the contract: an expectation that does not validate must not reach a report.
  const results = ResultsSchema.parse({ ...fixture.results, expectation });
  return { results, manifest: fixture.manifest };
}

describe('the surrogate expectation beside each observed effect', () => {
  it('adds the expected mean +- SD and the power to the rows it covers, in HTML and Markdown', () => {
    const { results, manifest } = withExpectation({
      status: 'matched',
      key: STORED.key,
      source: 'expectations/study1.json',
      expectation: STORED,
      message:
        'Surrogate expectation from 50 seeded simulations of this design (surrogate parameters 1.1.0; study1.json).',
    });
    const markdown = renderMarkdown(results, manifest, options);
    expect(markdown).toContain('Surrogate expectation (mean \u00B1 SD)');
    expect(markdown).toContain('Surrogate power');
    expect(markdown).toMatch(/not any language model/);
    // H1's English row: observed g, then the surrogate's mean and SD at the row's decimals, then power.
    const englishRow = markdown.split('\n').find((line) => line.startsWith('| English') && line.includes('1.84'));
    expect(englishRow).toBeDefined();
    expect(englishRow).toContain('\u22121.81 \u00B1 0.41');
    expect(englishRow).toContain('0.94');
    const japaneseRow = markdown.split('\n').find((line) => line.startsWith('| Japanese') && line.includes('0.77'));
    expect(japaneseRow).toContain('0.78 \u00B1 0.36');
    // A hypothesis the expectation does not cover gets no extra columns.
    const h2 = markdown.slice(markdown.indexOf('H2'), markdown.indexOf('H3'));
    expect(h2).not.toContain('Surrogate power');
    const html = renderHtml(results, manifest, options);
    expect(html).toContain('Surrogate expectation (mean \u00B1 SD)');
    expect(html).toContain('0.78 \u00B1 0.36');
  });

  it('says in one line that none matches, and how to get one, when no expectation matches the design', () => {
    const message =
      'No stored surrogate expectation matches this design; run `backfire power <study file> --simulations 50 --write-expectation` and analyze again.';
    const { results, manifest } = withExpectation({
      status: 'none',
      key: 'b'.repeat(64),
      source: null,
      expectation: null,
      message,
    });
    const markdown = renderMarkdown(results, manifest, options);
    expect(markdown).not.toContain('Surrogate power');
    expect(markdown).toContain('No stored surrogate expectation matches this design');
    expect(markdown).toContain('--write-expectation');
    expect(renderHtml(results, manifest, options)).toContain('No stored surrogate expectation matches this design');
  });

  it('shows nothing about expectations for results written before they existed', () => {
    const { results, manifest } = twoLanguageFixture();
    const markdown = renderMarkdown(results, manifest, options);
    expect(markdown).not.toContain('Surrogate power');
    expect(markdown).not.toContain('surrogate expectation');
  });
});
