import { describe, expect, it } from 'vitest';
import {
  decimalsFor,
  displayWidth,
  escapeHtml,
  escapeMarkdown,
  formatCorrelation,
  formatCorrelationInterval,
  formatCount,
  formatDegreesOfFreedom,
  formatEstimate,
  formatFixed,
  formatInterval,
  formatLevel,
  formatP,
  formatPCell,
  formatPercent,
  MINUS,
  PLAIN,
  sanitizeTerminalText,
  sharedDecimals,
  truncateToWidth,
} from './format.js';

describe('APA p values', () => {
  it.each([
    [0.0386, 'p = .039'],
    [0.00001, 'p < .001'],
    [0.0009999, 'p < .001'],
    [0.001, 'p = .001'],
    [0.064, 'p = .064'],
    [0.5, 'p = .500'],
    [0.9996, 'p > .999'],
    [1, 'p > .999'],
  ])('formats %s as "%s"', (p, expected) => {
    expect(formatP(p)).toBe(expected);
  });

  it('has no leading zero and says n/a for a missing p', () => {
    expect(formatPCell(0.0386)).toBe('.039');
    expect(formatPCell(0.0000001)).toBe('< .001');
    expect(formatPCell(null)).toBe('n/a');
    expect(formatP(undefined)).toBe('p n/a');
  });
});

describe('numbers', () => {
  it('writes negative numbers with U+2212 and two decimals', () => {
    expect(formatFixed(-1.844, 2)).toBe('\u22121.84');
    expect(formatFixed(-1.844, 2)).toBe(`${MINUS}1.84`);
    expect(formatFixed(0.771, 2)).toBe('0.77');
    expect(formatEstimate(-5.19)).toBe('\u22125.19');
  });

  it('uses the hyphen-minus in plain style', () => {
    expect(formatFixed(-1.844, 2, PLAIN)).toBe('-1.84');
  });

  it('never prints a signed zero', () => {
    expect(formatFixed(-0.001, 2)).toBe('0.00');
    expect(formatFixed(-0, 2)).toBe('0.00');
  });

  it('keeps two significant digits for small estimates, at most four decimals', () => {
    expect(decimalsFor(1.844)).toBe(2);
    expect(decimalsFor(0.2)).toBe(2);
    expect(decimalsFor(0.0667)).toBe(3);
    expect(formatEstimate(0.0667)).toBe('0.067');
    expect(formatEstimate(0.0012)).toBe('0.0012');
    expect(decimalsFor(0.0000012)).toBe(4);
    expect(decimalsFor(0)).toBe(2);
    expect(sharedDecimals([-1.62, -0.04, null, 1.2])).toBe(2);
    expect(sharedDecimals([0.089, 0.067])).toBe(3);
  });

  it('formats correlations without a leading zero', () => {
    expect(formatCorrelation(0.474)).toBe('.47');
    expect(formatCorrelation(-0.474)).toBe('\u2212.47');
    expect(formatCorrelationInterval([-0.03, 0.78])).toBe('[\u2212.03, .78]');
  });

  it('formats intervals, degrees of freedom, counts, percentages and levels', () => {
    expect(formatInterval([-2.7, -0.98], 2)).toBe('[\u22122.70, \u22120.98]');
    expect(formatInterval(null, 2)).toBe('n/a');
    expect(formatDegreesOfFreedom(28)).toBe('28');
    expect(formatDegreesOfFreedom(27.4321)).toBe('27.43');
    expect(formatCount(1174)).toBe('1,174');
    expect(formatCount(1584000)).toBe('1,584,000');
    expect(formatCount(15)).toBe('15');
    expect(formatPercent(0.0125)).toBe('1.3%');
    expect(formatPercent(null)).toBe('n/a');
    expect(formatLevel(0.95)).toBe('95%');
    expect(formatLevel(0.975)).toBe('97.5%');
  });
});

describe('escaping', () => {
  it('escapes HTML metacharacters', () => {
    expect(escapeHtml('<script>alert("x")</script> & \'y\'')).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });

  it('escapes Markdown markup and flattens line breaks', () => {
    expect(escapeMarkdown('*bold* _x_ [link](u) <b> a|b\n# head')).toBe(
      '\\*bold\\* \\_x\\_ \\[link\\](u) \\<b\\> a\\|b \\# head',
    );
  });

  it('removes terminal control sequences from untrusted text', () => {
    const hostile = 'name\u001b[2J\u001b]0;owned\u0007\r\nnext';
    const clean = sanitizeTerminalText(hostile);
    expect(clean).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(clean).toContain('name');
    expect(clean).toContain('next');
  });
});

describe('display width', () => {
  it('counts East Asian wide characters as two columns', () => {
    expect(displayWidth('English')).toBe(7);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('한국어 ok')).toBe(9);
  });

  it('truncates to a width with an ellipsis', () => {
    expect(truncateToWidth('Portuguese (Brazil)', 10, '...')).toBe('Portugu...');
    expect(truncateToWidth('short', 10)).toBe('short');
    expect(displayWidth(truncateToWidth('日本語のテキスト', 7))).toBeLessThanOrEqual(7);
  });
});
