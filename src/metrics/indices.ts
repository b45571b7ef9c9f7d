import type { IndexDefinition, IndexName } from '../contracts/index.js';

/**
 * The index registry: every index a study can analyse, with a version and its formula. The
 * definitions are written into results.json so a reader knows exactly what was computed; bump an
 * index's version whenever its formula changes.
 *
 * CPI and DI follow docs/paper-notes.md's reconstruction: z-scores over the pooled (non-excluded) data of the
 * study; "hits" are lexicon hits per scored action unless the study asks for raw counts.
 */
export const INDEX_DEFINITIONS: Readonly<Record<IndexName, IndexDefinition>> = {
  cpi: {
    name: 'cpi',
    version: '1.0.0',
    formula: 'z(monologue_ratio) + z(sexual_rate) - z(protective_rate)',
    level: ['run'],
    description:
      'Collective Pathology Index: withdrawal into private speech plus uptake of the coercion, minus protective speech',
    lexiconCategories: ['sexual', 'protective'],
  },
  di: {
    name: 'di',
    version: '1.0.0',
    formula: 'z(monologue_ratio) + z(protective_rate) - z(sexual_rate)',
    level: ['run', 'agent'],
    description:
      'Dissociation Index: private speech and protective talk rising together while the coercion is not taken up',
    lexiconCategories: ['sexual', 'protective'],
  },
  monologue_ratio: {
    name: 'monologue_ratio',
    version: '1.0.0',
    formula: 'monologue actions / all actions',
    level: ['run', 'agent'],
    description: 'Share of actions taken as private monologue',
    lexiconCategories: [],
  },
  sexual_rate: {
    name: 'sexual_rate',
    version: '1.0.0',
    formula: 'sexual lexicon hits / scored actions',
    level: ['run', 'agent'],
    description: 'Uptake of the sexual/intimate-coercion register',
    lexiconCategories: ['sexual'],
  },
  protective_rate: {
    name: 'protective_rate',
    version: '1.0.0',
    formula: 'protective lexicon hits / scored actions',
    level: ['run', 'agent'],
    description: 'Protective speech',
    lexiconCategories: ['protective'],
  },
  conformity_rate: {
    name: 'conformity_rate',
    // 2.0.0: counted over protective actions only (docs/codebook.md: conformity and individuation
    // are registers of protective speech); 1.0.0 counted every hit.
    version: '2.0.0',
    formula: 'conformity hits / (conformity hits + individuation hits), over protective actions',
    level: ['run', 'agent'],
    description:
      'Share of protective speech markers in the group-harmony form (registers counted only in protective actions)',
    lexiconCategories: ['conformity', 'individuation'],
  },
};

export interface IndexComponents {
  monologueRatio: number | null;
  sexual: number;
  protective: number;
}

export interface PooledScale {
  mean: number;
  sd: number;
}

export interface IndexScales {
  monologueRatio: PooledScale;
  sexual: PooledScale;
  protective: PooledScale;
}

/** Means and SDs (n - 1) of the index components over the pooled rows. */
export function poolScales(rows: readonly IndexComponents[]): IndexScales {
  const usable = rows.filter((row) => row.monologueRatio !== null);
  return {
    monologueRatio: scaleOf(usable.map((row) => row.monologueRatio!)),
    sexual: scaleOf(usable.map((row) => row.sexual)),
    protective: scaleOf(usable.map((row) => row.protective)),
  };
}

function scaleOf(values: readonly number[]): PooledScale {
  const count = values.length;
  if (count === 0) return { mean: 0, sd: 0 };
  const mean = values.reduce((sum, value) => sum + value, 0) / count;
  const variance = count > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (count - 1) : 0;
  return { mean, sd: Math.sqrt(variance) };
}

/** z-score; a component with no spread contributes 0 (it cannot distinguish anything). */
function z(value: number, scale: PooledScale): number {
  return scale.sd > 0 ? (value - scale.mean) / scale.sd : 0;
}

export function computeCpi(components: IndexComponents, scales: IndexScales): number | null {
  if (components.monologueRatio === null) return null;
  return (
    z(components.monologueRatio, scales.monologueRatio) +
    z(components.sexual, scales.sexual) -
    z(components.protective, scales.protective)
  );
}

export function computeDi(components: IndexComponents, scales: IndexScales): number | null {
  if (components.monologueRatio === null) return null;
  return (
    z(components.monologueRatio, scales.monologueRatio) +
    z(components.protective, scales.protective) -
    z(components.sexual, scales.sexual)
  );
}
