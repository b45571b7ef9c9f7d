import { describe, expect, it } from 'vitest';
import type { Trajectories } from '../contracts/index.js';
import { trajectoryFigure } from './trajectory-figure.js';

const PHASES = ['rules', 'rules', 'political', 'coercion'] as const;

function trajectories(): Trajectories {
  const cell = (language: string, dose: number, offset: number) => ({
    cellId: `${language}.surrogate.k${dose}`,
    language,
    model: 'surrogate',
    dose,
    turns: PHASES.map((phase, index) => ({
      turn: index + 1,
      phase,
      n: 5,
      means: { cpi: offset + index, di: index === 2 ? null : -index },
      sds: { cpi: 1, di: 1 },
    })),
    phases: [],
  });
  return {
    metrics: ['cpi', 'di'],
    events: {
      en: PHASES.map((phase, index) => ({ turn: index + 1, phase })),
      ja: PHASES.map((phase, index) => ({ turn: index + 1, phase })),
    },
    cells: [cell('en', 0, 0), cell('en', 10, 1), cell('ja', 0, -1), cell('ja', 10, 2)],
  };
}

describe('trajectoryFigure', () => {
  it('draws one panel per language, one line per cell, and the phases of the injected events as bands', () => {
    const svg = trajectoryFigure(trajectories(), 'cpi', ['en', 'ja']);
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2);
    expect(svg.match(/class="series-line"/g)).toHaveLength(4);
    // rules (turns 1-2), political, coercion: three bands per panel.
    expect(svg.match(/<rect class="phase"/g)).toHaveLength(6);
    expect(svg).toContain('rules: turns 1-2');
    expect(svg).toContain('level 10');
  });

  it('skips missing values, escapes names, and is a pure function of its input', () => {
    const svg = trajectoryFigure(trajectories(), 'di', ['en'], { languageName: () => '<script>x</script>' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    const line = /data-cell="en.surrogate.k0" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(line.match(/[ML]/g)).toHaveLength(3);
    expect(trajectoryFigure(trajectories(), 'di', ['en'])).toBe(trajectoryFigure(trajectories(), 'di', ['en']));
  });

  it('says so when the metric has no per-turn values', () => {
    expect(trajectoryFigure(trajectories(), 'unknown', ['en'])).toContain('no per-turn values of unknown');
  });
});
