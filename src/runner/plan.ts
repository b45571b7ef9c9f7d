import { type Cell, deriveSeed, type RunPlan, type Study } from '../contracts/index.js';

/**
 * From a study to cells (language x dose x model) and runs (cells x replicates). Runs are
 * interleaved — replicate 0 of every cell, then replicate 1, ... — so an interrupted study has
 * balanced partial data in every cell.
 */

export interface StudyPlan {
  cells: Cell[];
  runs: RunPlan[];
  agentTurns: number;
}

/** A file-name-safe slug of a model reference (never containing a key; refs never contain keys). */
export function modelSlug(ref: string): string {
  const slug = ref
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return slug.length > 48 ? slug.slice(0, 48) : slug;
}

export function planStudy(study: Study): StudyPlan {
  const cells: Cell[] = [];
  for (const model of study.models) {
    for (const language of study.languages) {
      for (const dose of study.design.dose.levels) {
        const id = `${language}.${modelSlug(model)}.${study.design.dose.variable}${dose}`;
        cells.push({ id, language, dose, model });
      }
    }
  }
  const runs: RunPlan[] = [];
  for (let replicate = 0; replicate < study.replicates; replicate += 1) {
    for (const cell of cells) {
      runs.push({
        id: `${cell.id}.r${String(replicate).padStart(3, '0')}`,
        cell,
        replicate,
        seed: deriveSeed(study.seed, cell.language, cell.model, cell.dose, replicate),
        order: runs.length,
      });
    }
  }
  return { cells, runs, agentTurns: runs.length * study.agents * study.turns };
}
