import { describe, expect, it } from 'vitest';
import { StudySchema } from '../contracts/index.js';
import { modelSlug, planStudy } from './plan.js';

const study = StudySchema.parse({
  name: 'p',
  title: 'P',
  seed: 1,
  languages: ['en', 'ja'],
  design: { dose: { intervention: 'alignment', levels: [0, 5, 10] } },
  replicates: 3,
  models: ['surrogate', 'openai-compatible:http://127.0.0.1:9/v1#m'],
  analysis: { hypotheses: [{ id: 'H', kind: 'trend', metric: 'cpi' }] },
});

describe('planStudy', () => {
  it('crosses languages, doses and models, and interleaves replicates', () => {
    const plan = planStudy(study);
    expect(plan.cells).toHaveLength(2 * 3 * 2);
    expect(plan.runs).toHaveLength(36);
    expect(plan.agentTurns).toBe(36 * 10 * 15);
    // The first 12 runs are replicate 0 of every cell: an interrupted study stays balanced.
    expect(new Set(plan.runs.slice(0, 12).map((run) => run.cell.id)).size).toBe(12);
    expect(plan.runs.slice(0, 12).every((run) => run.replicate === 0)).toBe(true);
    expect(new Set(plan.runs.map((run) => run.seed)).size).toBe(36);
    expect(planStudy(study)).toEqual(plan);
  });

  it('makes file-safe model slugs', () => {
    expect(modelSlug('openai-compatible:http://127.0.0.1:9/v1#m')).toBe('openai-compatible-http-127.0.0.1-9-v1-m');
    expect(modelSlug('surrogate')).toBe('surrogate');
  });
});
