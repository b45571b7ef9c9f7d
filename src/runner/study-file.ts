import { closeSync, openSync, readSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import {
  decodeTextInput,
  hashCanonical,
  type LanguagePack,
  REQUIRED_LEXICON_CATEGORIES,
  type Study,
  StudySchema,
  UserInputError,
  userInputErrorFromZod,
} from '../contracts/index.js';
import { listLanguageTags, loadLanguagePack, type RegistryOptions } from '../languages/index.js';

/**
 * Loading a study file: YAML syntax, then the strict schema, then the checks that need the language
 * packs (languages exist, interventions exist in every pack, group size fits the personas, dose levels
 * fit the group, hypotheses name planned levels). All before anything is written or called.
 */

export interface LoadedStudy {
  file: string;
  study: Study;
  /** SHA-256 of the canonical JSON of the resolved study (defaults written out). */
  hash: string;
  packs: Map<string, LanguagePack>;
  /** The folder the packs were read from (a bundle's, `--rescore-with`); undefined: the installed packs. */
  packsDirectory?: string | undefined;
}

export interface StudyOverrides {
  seed?: number | undefined;
  budgetUsd?: number | undefined;
  models?: readonly string[] | undefined;
  replicates?: number | undefined;
}

const SCHEMA_HINT = 'see schema/study.schema.json or studies/study1.yaml';

/** A study file is a few kilobytes; anything near this is not one (and YAML parsing it would be slow). */
export const MAX_STUDY_FILE_BYTES = 1024 * 1024;
/** Aliases a study file may expand (the yaml library's guard against "billion laughs" expansion). */
const MAX_YAML_ALIAS_COUNT = 100;

export function loadStudyFile(
  file: string,
  overrides: StudyOverrides = {},
  packSource: RegistryOptions = {},
): LoadedStudy {
  let bytes: Buffer;
  try {
    bytes = readAtMost(file, MAX_STUDY_FILE_BYTES + 1);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`, {
      file,
      fix: 'check the path of the study file (e.g. studies/study1.yaml)',
    });
  }
  const text = decodeTextInput(bytes, {
    file,
    kind: 'a study file',
    maxBytes: MAX_STUDY_FILE_BYTES,
    fix: 'pass a YAML study file (UTF-8 text), e.g. studies/study1.yaml',
  });
  const lineCounter = new LineCounter();
  // logLevel 'error': the library's warnings (e.g. a mapping used as a key) would reach the terminal as
  // Node warnings; such a study fails the schema anyway, with a message naming the key.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const position = lineCounter.linePos(syntaxError.pos[0]);
    throw new UserInputError(`YAML syntax error: ${syntaxError.message.split('\n')[0]}`, {
      file,
      path: `line ${position.line}, column ${position.col}`,
      fix: 'correct the YAML syntax at that position (indentation, a missing colon or quote)',
    });
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    // The yaml library refuses aliases that expand exponentially ("billion laughs") with a ReferenceError.
    if (!(error instanceof ReferenceError)) throw error;
    throw new UserInputError('YAML aliases expand too far (more than a study file ever needs)', {
      file,
      fix: 'write the values out instead of repeating anchors (&name) and aliases (*name)',
    });
  }
  if (!isMap(document.contents)) {
    throw new UserInputError(isSeq(document.contents) ? 'is a list, not a study' : 'is empty or not a mapping', {
      file,
      fix: `a study file is a YAML mapping with keys such as name, title, seed, languages, design, replicates, analysis (${SCHEMA_HINT})`,
    });
  }
  return resolveStudy(applyOverrides(raw as Record<string, unknown>, overrides), file, packSource);
}

/** The first `limit` bytes of a file: a device or a huge file given by mistake is not read to its end. */
function readAtMost(file: string, limit: number): Buffer {
  const descriptor = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let filled = 0;
    while (filled < limit) {
      const read = readSync(descriptor, buffer, filled, limit - filled, null);
      if (read === 0) break;
      filled += read;
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(descriptor);
  }
}

/** Validates a study object (from a file, or from a run folder's manifest) against schema and packs. */
export function resolveStudy(raw: unknown, file: string, packSource: RegistryOptions = {}): LoadedStudy {
  const parsed = StudySchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw userInputErrorFromZod(parsed.error, file, SCHEMA_HINT);
  const study = parsed.data;
  const packs = checkAgainstPacks(study, file, packSource);
  return {
    file,
    study,
    hash: studyHash(study),
    packs,
    ...(packSource.directory === undefined ? {} : { packsDirectory: packSource.directory }),
  };
}

/**
 * The identity of a study: the canonical hash of the resolved study without its execution settings
 * (budget, per-model connection options), which change neither what is asked nor what is computed.
 * Raising a budget or a rate limit therefore resumes the same run folder.
 */
export function studyHash(study: Study): string {
  return hashCanonical(studyDesign(study));
}

/** The study without its execution settings: what the study hash and a preregistration lock cover. */
export function studyDesign(study: Study): Omit<Study, 'budget' | 'modelOptions'> {
  const { budget: _budget, modelOptions: _modelOptions, ...design } = study;
  return design;
}

function applyOverrides(raw: Record<string, unknown>, overrides: StudyOverrides): Record<string, unknown> {
  const result = { ...raw };
  if (overrides.seed !== undefined) result.seed = overrides.seed;
  if (overrides.models !== undefined && overrides.models.length > 0) result.models = [...overrides.models];
  if (overrides.replicates !== undefined) result.replicates = overrides.replicates;
  if (overrides.budgetUsd !== undefined) result.budget = { usd: overrides.budgetUsd };
  return result;
}

function checkAgainstPacks(study: Study, file: string, packSource: RegistryOptions): Map<string, LanguagePack> {
  const available = listLanguageTags(packSource);
  const packs = new Map<string, LanguagePack>();
  study.languages.forEach((tag, index) => {
    if (!available.includes(tag)) {
      throw new UserInputError(`unknown language "${tag}"`, {
        file,
        path: `languages[${index}]`,
        fix: `use one of the installed language packs: ${available.join(', ')} (or add src/languages/${tag}/pack.json)`,
      });
    }
    if (packs.has(tag)) {
      throw new UserInputError(`language "${tag}" is listed twice`, {
        file,
        path: `languages[${index}]`,
        fix: 'list each language once',
      });
    }
    packs.set(tag, loadLanguagePack(tag, packSource));
  });

  const interventions = [study.design.dose.intervention, ...study.design.background];
  for (const [tag, pack] of packs) {
    if (study.agents > pack.personas.length) {
      throw new UserInputError(`agents is ${study.agents}, but the ${tag} pack has ${pack.personas.length} personas`, {
        file,
        path: 'agents',
        fix: `use at most ${pack.personas.length} agents, or add personas to src/languages/${tag}/pack.json`,
      });
    }
    if (study.turns > pack.scenario.turns.length) {
      throw new UserInputError(
        `turns is ${study.turns}, but the ${tag} scenario has ${pack.scenario.turns.length} turns`,
        {
          file,
          path: 'turns',
          fix: `use at most ${pack.scenario.turns.length} turns`,
        },
      );
    }
    for (const intervention of interventions) {
      if (pack.prompts.interventions[intervention] === undefined) {
        const isDose = intervention === study.design.dose.intervention;
        throw new UserInputError(`intervention "${intervention}" is not defined in the ${tag} pack`, {
          file,
          path: isDose
            ? 'design.dose.intervention'
            : `design.background[${study.design.background.indexOf(intervention)}]`,
          fix: `use one of: ${Object.keys(pack.prompts.interventions).join(', ')}`,
        });
      }
    }
    for (const category of REQUIRED_LEXICON_CATEGORIES) {
      if (pack.lexicon.categories[category] === undefined) {
        throw new UserInputError(`the ${tag} pack has no "${category}" lexicon`, {
          file: `src/languages/${tag}/pack.json`,
          path: `lexicon.categories.${category}`,
          fix: 'add the category to the pack',
        });
      }
    }
  }

  study.models.forEach((model, index) => {
    if (model.startsWith('surrogate:')) {
      const variant = model.slice('surrogate:'.length);
      if (study.surrogate.variants[variant] === undefined) {
        throw new UserInputError(`surrogate variant "${variant}" is not defined`, {
          file,
          path: `models[${index}]`,
          fix: `define it under surrogate.variants.${variant}, or use "surrogate"`,
        });
      }
    }
  });

  const levels = study.design.dose.levels;
  levels.forEach((level, index) => {
    if (level > study.agents) {
      throw new UserInputError(`dose level ${level} is more than the ${study.agents} agents of the group`, {
        file,
        path: `design.dose.levels[${index}]`,
        fix: `use levels between 0 and agents (${study.agents}), e.g. [0, 3, 5, 7, 10]`,
      });
    }
  });
  if (new Set(levels).size !== levels.length) {
    throw new UserInputError('dose levels repeat', { file, path: 'design.dose.levels', fix: 'list each level once' });
  }
  const ids = new Set<string>();
  study.analysis.hypotheses.forEach((hypothesis, index) => {
    const path = `analysis.hypotheses[${index}]`;
    if (ids.has(hypothesis.id)) {
      throw new UserInputError(`hypothesis id "${hypothesis.id}" is used twice`, {
        file,
        path: `${path}.id`,
        fix: 'give every hypothesis its own id',
      });
    }
    ids.add(hypothesis.id);
    if ('high' in hypothesis) {
      for (const key of ['high', 'low'] as const) {
        if (!levels.includes(hypothesis[key])) {
          throw new UserInputError(`${key} = ${hypothesis[key]} is not one of the dose levels [${levels.join(', ')}]`, {
            file,
            path: `${path}.${key}`,
            fix: `use one of the planned levels: ${levels.join(', ')}`,
          });
        }
      }
      if (hypothesis.high === hypothesis.low) {
        throw new UserInputError('high and low are the same level', {
          file,
          path,
          fix: 'compare two different dose levels',
        });
      }
    }
    if (hypothesis.kind === 'covariate-correlation' && study.languages.length < 3) {
      throw new UserInputError('a covariate correlation needs at least 3 languages', {
        file,
        path,
        fix: 'add languages or remove this hypothesis',
      });
    }
  });
  for (const [tag] of Object.entries(study.covariates)) {
    if (!packs.has(tag)) {
      throw new UserInputError(`covariates are given for "${tag}", which the study does not use`, {
        file,
        path: `covariates.${tag}`,
        fix: `remove it or add "${tag}" to languages`,
      });
    }
  }
  return packs;
}
