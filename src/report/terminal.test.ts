import { describe, expect, it } from 'vitest';
import { displayWidth } from './format.js';
import { SURROGATE_LABEL } from './document.js';
import { LANGUAGE_NAMES, sixteenLanguageFixture, twoLanguageFixture } from './fixtures.test-support.js';
import { renderTerminalSummary, wrap } from './terminal.js';

const ESCAPE = /\u001b/;

describe('terminal summary', () => {
  it('prints the surrogate label (wrapped) and one row per statistic with estimate, CI, p and adjusted p', () => {
    const summary = renderTerminalSummary(twoLanguageFixture().results, { languageNames: LANGUAGE_NAMES });
    const lines = summary.split('\n');
    expect(lines[0]).toBe('backfire results: Study 1: alignment backfire in English and Japanese');
    expect(lines.slice(1, 4).join(' ')).toBe(`SURROGATE: ${SURROGATE_LABEL}`);
    expect(summary).toContain('H1  contrast on cpi  [confirmatory]  (hedges-g)');
    expect(summary).toMatch(/^English\s+-1\.84\s+\[-2\.70, -0\.98\]\s+< \.001\s+< \.001\*$/m);
    expect(summary).toMatch(/^Japanese\s+0\.77\s+\[0\.03, 1\.51\]\s+\.039\s+\.077$/m);
    // Exploratory rows have no adjusted p; the star then marks the raw p.
    expect(summary).toMatch(/^k:languageja\s+0\.068\s+\[0\.031, 0\.106\]\s+< \.001\*\s+n\/a$/m);
    expect(summary).toContain('149 of 150 runs analysed (1 excluded)');
    expect(summary).not.toMatch(ESCAPE);
    expect(summary).not.toContain('\u2212');
  });

  it('stays within 100 columns for sixteen languages and within a narrower width when asked', () => {
    const { results } = sixteenLanguageFixture();
    for (const width of [100, 80]) {
      const summary = renderTerminalSummary(results, { languageNames: LANGUAGE_NAMES, width });
      const widths = summary.split('\n').map((line) => displayWidth(line));
      expect(Math.max(...widths)).toBeLessThanOrEqual(width);
      // Labels are cut (with "...") only when the line would not fit.
      expect(summary).toContain(width === 100 ? 'Portuguese (Brazil) (effect)' : 'Portuguese (Brazil) (eff...');
      expect(summary).toMatch(/^r with PDI\s+\.47\s+\[-\.03, \.78\]\s+\.064\s+\.064$/m);
    }
    const clamped = renderTerminalSummary(results, { width: 500 });
    expect(Math.max(...clamped.split('\n').map((line) => displayWidth(line)))).toBeLessThanOrEqual(100);
  });

  it('uses colour codes only when asked', () => {
    const { results } = twoLanguageFixture();
    const coloured = renderTerminalSummary(results, { color: true });
    expect(coloured).toMatch(ESCAPE);
    expect(coloured).toContain('\u001b[33m\u001b[1mSURROGATE:');
    expect(renderTerminalSummary(results)).not.toMatch(ESCAPE);
  });

  it('strips control sequences from untrusted titles and labels', () => {
    const { results } = twoLanguageFixture('Study\u001b[2J\u001b]0;pwned\u0007 title');
    const summary = renderTerminalSummary({
      ...results,
      hypotheses: results.hypotheses.map((hypothesis) => ({
        ...hypothesis,
        rows: hypothesis.rows.map((row) => ({ ...row, label: `${row.label}\u001b[31m`, language: undefined })),
      })),
    });
    expect(summary).not.toMatch(ESCAPE);
    expect(summary).not.toContain('\u0007');
  });

  it('does not print the label for language-model runs', () => {
    const { results } = twoLanguageFixture();
    expect(renderTerminalSummary({ ...results, surrogate: false })).not.toContain('SURROGATE');
  });

  it('is identical across calls', () => {
    const { results } = sixteenLanguageFixture();
    expect(renderTerminalSummary(results)).toBe(renderTerminalSummary(structuredClone(results)));
  });
});

describe('wrap', () => {
  it('breaks at spaces within the width', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('x'.repeat(12), 8)).toEqual(['xxxxx...']);
  });
});
