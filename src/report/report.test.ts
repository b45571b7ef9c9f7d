import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';
import { describe, expect, it } from 'vitest';
import type { ReportOptions } from './context.js';
import { SURROGATE_LABEL } from './document.js';
import { type Fixture, LANGUAGE_NAMES, sixteenLanguageFixture, twoLanguageFixture } from './fixtures.test-support.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

const options: ReportOptions = {
  tQuantile: (probability, degreesOfFreedom) => tQuantileStdlib(probability, degreesOfFreedom),
  languageNames: LANGUAGE_NAMES,
};

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** The SVG elements of a page, in order. */
function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((match) => match[0]);
}

function withoutSurrogate(fixture: Fixture): Fixture {
  return {
    results: { ...fixture.results, surrogate: false, label: 'Model output from groq:llama-3.3-70b.' },
    manifest: {
      ...fixture.manifest,
      models: [
        {
          ref: 'groq:llama-3.3-70b',
          surrogate: false,
          resolvedVersions: ['llama-3.3-70b-versatile'],
          warnings: ['seed ignored by provider'],
        },
      ],
    },
  };
}

describe('surrogate label', () => {
  it('appears at the top and in the footer of the HTML, and in the Markdown', () => {
    const { results, manifest } = twoLanguageFixture();
    const html = renderHtml(results, manifest, options);
    expect(count(html, SURROGATE_LABEL)).toBe(2);
    const header = html.slice(0, html.indexOf('<main>'));
    expect(header).toContain(`<p class="banner" role="note"><strong>${SURROGATE_LABEL}</strong></p>`);
    const footer = html.slice(html.indexOf('<footer>'));
    expect(footer).toContain(SURROGATE_LABEL);
    const markdown = renderMarkdown(results, manifest, options);
    expect(count(markdown, SURROGATE_LABEL)).toBe(2);
    expect(markdown.split('\n').slice(0, 4).join('\n')).toContain(SURROGATE_LABEL);
  });

  it('is absent for a language-model run, whose label and model warnings are shown instead', () => {
    const { results, manifest } = withoutSurrogate(twoLanguageFixture());
    const html = renderHtml(results, manifest, options);
    expect(html).not.toContain('built-in surrogate');
    expect(html).not.toContain('class="banner');
    expect(html).toContain('Label: Model output from groq:llama-3.3-70b.');
    expect(html).toContain('seed ignored by provider');
    expect(renderMarkdown(results, manifest, options)).not.toContain(SURROGATE_LABEL);
  });
});

describe('HTML report', () => {
  it('is one self-contained document: inline CSS and SVG, no scripts, no external resources', () => {
    const { results, manifest } = twoLanguageFixture();
    const html = renderHtml(results, manifest, options);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    // The only absolute URL is the SVG namespace.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((match) => match[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    expect(html).toContain('@media print');
  });

  it('draws CPI and DI against the dose with one series line per language, and a forest plot per effect hypothesis', () => {
    const { results, manifest } = twoLanguageFixture();
    const figures = svgs(renderHtml(results, manifest, options));
    const doseResponse = figures.filter((svg) => svg.includes('class="figure dose-response'));
    expect(doseResponse).toHaveLength(2);
    for (const svg of doseResponse) {
      expect(count(svg, 'class="series-line"')).toBe(2);
    }
    expect(doseResponse[0]).toContain('<title>CPI by k and language</title>');
    expect(doseResponse[1]).toContain('<title>DI by k and language</title>');
    // H1 (contrast), H2 (trend) and H4 (direction count: per-language effects); H3 (model) has none.
    const forests = figures.filter((svg) => svg.includes('class="figure forest"'));
    expect(forests.map((svg) => /<title>([^<:]+):/.exec(svg)?.[1])).toEqual(['H1', 'H2', 'H4']);
  });

  it('handles sixteen languages as small multiples with sixteen series lines', () => {
    const { results, manifest } = sixteenLanguageFixture();
    const figures = svgs(renderHtml(results, manifest, options));
    const doseResponse = figures.filter((svg) => svg.includes('class="figure dose-response'));
    expect(doseResponse).toHaveLength(2);
    for (const svg of doseResponse) {
      expect(svg).toContain('small-multiples');
      expect(count(svg, 'class="series-line"')).toBe(16);
      for (const language of results.languages) {
        expect(count(svg, `data-language="${language}"`)).toBe(1);
      }
    }
  });

  it('escapes a hostile study title, description, language name and hypothesis id', () => {
    const fixture = twoLanguageFixture('<script>alert(1)</script>');
    const results = {
      ...fixture.results,
      hypotheses: fixture.results.hypotheses.map((hypothesis, index) =>
        index === 0 ? { ...hypothesis, description: '<img src=x onerror=alert(2)>' } : hypothesis,
      ),
    };
    const html = renderHtml(results, fixture.manifest, {
      ...options,
      languageNames: { ...LANGUAGE_NAMES, ja: '<svg onload=alert(3)>' },
    });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<h1 id="top">&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(html).toContain('<title>&lt;script&gt;alert(1)&lt;/script&gt; \u2014 backfire report</title>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('<svg onload');
    expect(html).toContain('&lt;svg onload=alert(3)&gt;');
    const markdown = renderMarkdown(results, fixture.manifest, options);
    expect(markdown.split('\n')[0]).toBe('# \\<script\\>alert(1)\\</script\\>');
    // Backslash-escaped, so CommonMark shows the text instead of opening a tag.
    expect(markdown).toContain('\\<img src=x onerror=alert(2)\\>');
    expect(markdown).not.toMatch(/(^|[^\\])<img/m);
  });

  it('shows failure rates per cell, hypotheses labelled and corrected, indices and reproducibility', () => {
    const { results, manifest } = twoLanguageFixture();
    const html = renderHtml(results, manifest, options);
    // Japanese at 10/10: one excluded run, 14 analysed, call errors 1.3%.
    expect(html).toContain(
      '<tr><td>Japanese</td><td class="number">10/10</td><td class="number">15</td><td class="number">15</td><td class="number">1</td><td class="number">14</td><td class="number">2,250</td><td class="number">1.3%</td><td class="number">1.3%</td><td class="number">6</td><td class="number">95.0%</td></tr>',
    );
    expect(html).toContain('<td>All cells</td>');
    expect(html).toContain(
      '<h3 id="hypothesis-H1">H1 \u2014 contrast on CPI <span class="badge confirmatory">confirmatory</span></h3>',
    );
    expect(html).toContain('<span class="badge exploratory">exploratory</span>');
    expect(html).toContain('Multiplicity correction: Holm');
    expect(html).toContain('<details><summary>Estimator <code>hedges-g 1.0.0</code>');
    expect(html).toContain('&quot;ciMethod&quot;: &quot;noncentral-t&quot;');
    expect(html).toContain('<code>z(monologue_ratio) + z(sexual_rate) - z(protective_rate)</code>');
    expect(html).toContain('<th scope="col" class="number">PDI</th>');
    expect(html).toContain(
      '<code>3f9c2a1d0b7e4c5a9d8e7f6a5b4c3d2e1f0a9b8c</code> (working tree had uncommitted changes)',
    );
    expect(html).toContain('<code>v20.20.2</code>');
    expect(html).toContain(`<code>${results.studyHash}</code>`);
    expect(html).toContain('<td>20260304</td>');
    expect(html).toContain('machine-drafted');
    // The instrument (parity) table, native names bidi-isolated.
    expect(html).toContain('<td>Japanese (<bdi>日本語</bdi>)</td>');
    expect(html).toContain('<td>60, .83</td>');
    expect(html).toContain('<td>110 (31 / 41 / 20 / 18)</td>');
    // Paper-style sentence, with no-break spaces inside the statistics.
    expect(html).toContain(
      'In English, raising the proportion of alignment-instructed agents from 0/10 to 10/10 lowered CPI, Hedges\u2019\u00A0<i>g</i>\u00A0=\u00A0\u22121.84',
    );
  });

  it('warns when the manifest belongs to a different study than the results', () => {
    const { results, manifest } = twoLanguageFixture();
    const html = renderHtml(results, { ...manifest, studyHash: 'ffff' }, options);
    expect(html).toContain('may not belong to this run folder');
  });
});

describe('determinism', () => {
  it('gives byte-identical HTML and Markdown on repeated calls, with no timestamps', () => {
    for (const fixture of [twoLanguageFixture(), sixteenLanguageFixture()]) {
      const first = renderHtml(fixture.results, fixture.manifest, options);
      const second = renderHtml(structuredClone(fixture.results), structuredClone(fixture.manifest), options);
      expect(second).toBe(first);
      expect(renderMarkdown(fixture.results, fixture.manifest, options)).toBe(
        renderMarkdown(fixture.results, fixture.manifest, options),
      );
      expect(first).not.toContain(fixture.manifest.startedAt);
      expect(first).not.toMatch(/20\d\d-\d\d-\d\dT/);
    }
  });
});

describe('Markdown report', () => {
  it('has the same sections as the HTML, with GFM tables and statistics in text form', () => {
    const { results, manifest } = twoLanguageFixture();
    const markdown = renderMarkdown(results, manifest, options);
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## Overview',
      '## Models',
      '## Design',
      '## Dose-response figures',
      '## Cells: runs and failures',
      '## Cell means',
      '## Hypotheses',
      '## Preregistered vs observed',
      '## Deviations',
      '## Index definitions',
      '## Measurement instruments',
      '## Covariates',
      '## Reproducibility',
    ]);
    expect(markdown).toContain('### H1 \u2014 contrast on CPI *(confirmatory)*');
    expect(markdown).toContain(
      '| Language | k | Runs | Completed | Excluded | Analysed | Actions attempted | Parse errors | Call errors | Retries |',
    );
    expect(markdown).toContain(
      '- In English, raising the proportion of alignment-instructed agents from 0/10 to 10/10 lowered CPI, Hedges\u2019 *g* = \u22121.84, 95% CI [\u22122.70, \u22120.98], *t*(28) = \u22125.19, *p* < .001, Holm-adjusted *p* < .001.',
    );
    expect(markdown).toContain('**Figure: CPI by k and language.**');
    expect(markdown).toContain('```json\n{\n  "args": {');
    expect(markdown).not.toContain('\u00A0');
    expect(markdown.endsWith('\n')).toBe(true);
  });
});

// Writes the sample reports for a visual check: BACKFIRE_REPORT_SAMPLE_DIR=/tmp npx vitest run src/report
const sampleDirectory = process.env.BACKFIRE_REPORT_SAMPLE_DIR;
describe.runIf(sampleDirectory !== undefined)('sample reports', () => {
  it('writes report-sample.html and report-sample-16.html', () => {
    const directory = sampleDirectory ?? '.';
    mkdirSync(directory, { recursive: true });
    const two = twoLanguageFixture();
    const sixteen = sixteenLanguageFixture();
    writeFileSync(join(directory, 'report-sample.html'), renderHtml(two.results, two.manifest, options));
    writeFileSync(join(directory, 'report-sample.md'), renderMarkdown(two.results, two.manifest, options));
    writeFileSync(join(directory, 'report-sample-16.html'), renderHtml(sixteen.results, sixteen.manifest, options));
    writeFileSync(join(directory, 'report-sample-16.md'), renderMarkdown(sixteen.results, sixteen.manifest, options));
  });
});
