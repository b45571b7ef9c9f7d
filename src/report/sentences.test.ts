import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import type { HypothesisResult, StatisticRow } from '../contracts/index.js';
import { buildReportContext, type ReportOptions } from './context.js';
import { LANGUAGE_NAMES, sixteenLanguageFixture, twoLanguageFixture } from './fixtures.test-support.js';
import { describeHypothesis, describeRow, renderSentence } from './sentences.js';

const options: ReportOptions = {
  tQuantile: (probability, degreesOfFreedom) => tQuantileStdlib(probability, degreesOfFreedom),
  languageNames: LANGUAGE_NAMES,
};

function twoLanguageContext() {
  const { results, manifest } = twoLanguageFixture();
  return buildReportContext(results, manifest, options);
}

function hypothesis(id: string, results = twoLanguageFixture().results): HypothesisResult {
  const found = results.hypotheses.find((candidate) => candidate.id === id);
  if (!found) {
    throw new Error(`fixture has no hypothesis ${id}`);
  }
  return found;
}

describe('contrast sentences', () => {
  it('writes the paper-style sentence for English with U+2212 and APA p values', () => {
    const context = twoLanguageContext();
    const h1 = hypothesis('H1');
    const [english] = describeHypothesis(context, h1);
    expect(renderSentence(english ?? [], 'text')).toBe(
      'In English, raising the proportion of alignment-instructed agents from 0/10 to 10/10 lowered CPI, ' +
        'Hedges\u2019 g = \u22121.84, 95% CI [\u22122.70, \u22120.98], t(28) = \u22125.19, p < .001, Holm-adjusted p < .001.',
    );
    expect(renderSentence(english ?? [], 'markdown')).toContain('Hedges\u2019 *g* = \u22121.84');
    expect(renderSentence(english ?? [], 'markdown')).toContain('*t*(28) = \u22125.19, *p* < .001');
  });

  it('says "did not significantly change ... after Holm correction" when only the raw p passes', () => {
    const context = twoLanguageContext();
    const [, japanese] = describeHypothesis(context, hypothesis('H1'));
    const text = renderSentence(japanese ?? [], 'text');
    expect(text).toContain('In Japanese, raising the proportion');
    expect(text).toContain('did not significantly change CPI after Holm correction,');
    expect(text).toContain('p = .039, Holm-adjusted p = .077.');
  });

  it('derives the direction word from the sign when the row is significant', () => {
    const context = twoLanguageContext();
    const base = hypothesis('H1');
    const row: StatisticRow = { ...(base.rows[1] as StatisticRow), pAdjusted: 0.01 };
    expect(renderSentence(describeRow(context, base, row), 'text')).toContain('raised CPI,');
    const negative: StatisticRow = { ...row, estimate: -0.771 };
    expect(renderSentence(describeRow(context, base, negative), 'text')).toContain('lowered CPI,');
  });

  it('takes the dose levels from the estimator arguments when the study is unavailable', () => {
    const { results, manifest } = twoLanguageFixture();
    const context = buildReportContext(results, { ...manifest, study: { not: 'a study' } }, options);
    const [english] = describeHypothesis(context, hypothesis('H1', results));
    // Without the study there is no group size, so levels are bare numbers.
    expect(renderSentence(english ?? [], 'text')).toContain(
      'raising the proportion of dosed agents from 0 to 10 lowered CPI',
    );
  });

  it('reports a missing estimate instead of inventing one', () => {
    const context = twoLanguageContext();
    const base = hypothesis('H1');
    const row: StatisticRow = {
      ...(base.rows[0] as StatisticRow),
      estimate: null,
      warnings: ['fewer than 2 usable runs'],
    };
    expect(renderSentence(describeRow(context, base, row), 'text')).toBe(
      'In English, Hedges\u2019 g could not be estimated (1 warning).',
    );
  });
});

describe('other kinds', () => {
  it('describes a trend with b, SE and df', () => {
    const context = twoLanguageContext();
    const [english] = describeHypothesis(context, hypothesis('H2'));
    expect(renderSentence(english ?? [], 'text')).toBe(
      'In English, DI increased linearly with k (alignment-instructed agents), b = 0.089, SE = 0.019, ' +
        '95% CI [0.052, 0.127], t(73) = 4.70, p < .001, Holm-adjusted p < .001.',
    );
  });

  it('describes model terms with beta and Satterthwaite-style df', () => {
    const context = twoLanguageContext();
    const sentences = describeHypothesis(context, hypothesis('H3')).map((sentence) => renderSentence(sentence, 'text'));
    expect(sentences[3]).toBe(
      'For k:languageja, \u03B2 = 0.068, SE = 0.019, 95% CI [0.031, 0.106], t(145.50) = 3.60, p < .001.',
    );
  });

  it('summarises a direction count from its summary', () => {
    const context = twoLanguageContext();
    const sentences = describeHypothesis(context, hypothesis('H4'));
    expect(sentences).toHaveLength(1);
    expect(renderSentence(sentences[0] ?? [], 'text')).toBe(
      'Raising the proportion of alignment-instructed agents from 0/10 to 10/10 raised CPI in 1 of 2 languages ' +
        'and lowered it in 1 (individually significant, unadjusted: 1 rising, 1 falling).',
    );
  });

  it('describes a covariate correlation as r(df) without leading zeros, skipping its context rows', () => {
    const { results, manifest } = sixteenLanguageFixture();
    const context = buildReportContext(results, manifest, options);
    const sentences = describeHypothesis(context, hypothesis('H5', results));
    expect(sentences).toHaveLength(1);
    expect(renderSentence(sentences[0] ?? [], 'text')).toBe(
      'Across languages, the per-language effect on CPI (Hedges\u2019 g, 10/10 vs 0/10) was not significantly ' +
        'correlated with PDI, r(14) = .47, 95% CI [\u2212.03, .78], p = .064, Holm-adjusted p = .064.',
    );
  });
});

describe('rendering', () => {
  it('escapes untrusted parts in HTML and keeps statistics symbols italic', () => {
    const context = buildReportContext(twoLanguageFixture().results, twoLanguageFixture().manifest, {
      ...options,
      languageNames: { en: '<img src=x onerror=alert(1)>' },
    });
    const html = renderSentence(describeHypothesis(context, hypothesis('H1'))[0] ?? [], 'html');
    expect(html).toContain('In &lt;img src=x onerror=alert(1)&gt;,');
    expect(html).not.toContain('<img');
    expect(html).toContain('<i>g</i>\u00A0=\u00A0\u22121.84');
    expect(html).toContain('<i>p</i>\u00A0&lt;\u00A0.001');
  });

  it('fences inline code in Markdown so backticks and pipes cannot escape it', () => {
    expect(renderSentence([{ code: 'a`b' }], 'markdown')).toBe('``a`b``');
    expect(renderSentence([{ code: 'y ~ x + (1 | g)' }], 'markdown')).toBe('`y ~ x + (1 | g)`');
    expect(renderSentence([{ code: 'y ~ x + (1 | g)' }], 'markdown', true)).toBe('`y ~ x + (1 \\| g)`');
  });
});
