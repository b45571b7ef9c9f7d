import {
  CHANNELS,
  type LanguagePack,
  PHRASE_REGISTERS,
  REQUIRED_INTERVENTIONS,
  REQUIRED_LEXICON_CATEGORIES,
  resolveScenarioPhases,
} from '../contracts/index.js';

/**
 * Semantic checks the zod schema cannot express: cross-references between parts of a pack, the
 * placeholders each text may use, and the conventions every pack shares (persona ids p01..pNN,
 * turns numbered 1..T). The loader refuses a pack with any problem, so the engine and the metrics
 * can rely on these facts without re-checking them.
 */

export interface PackProblem {
  /** Where in pack.json, e.g. `prompts.system` or `lexicon.categories.sexual.terms[3]`. */
  path: string;
  message: string;
  /** How to correct it, when more specific than "correct this value". */
  fix?: string;
}

interface PlaceholderRule {
  allowed: readonly string[];
  required: readonly string[];
}

/** The placeholders the engine fills in each prompt text (see the doc comments of PromptsSchema). */
export const PROMPT_PLACEHOLDERS = {
  system: { allowed: ['name', 'persona', 'setting', 'others', 'turns'], required: [] },
  actionFormat: { allowed: ['others'], required: [] },
  turnHeader: { allowed: ['turn', 'turns'], required: [] },
  announcement: { allowed: ['text'], required: ['text'] },
  talkObserved: { allowed: ['speaker', 'text'], required: ['speaker', 'text'] },
  whisperObserved: { allowed: ['speaker', 'text'], required: ['speaker', 'text'] },
  nothingObserved: { allowed: [], required: [] },
  actionRequest: { allowed: [], required: [] },
} as const satisfies Record<Exclude<keyof LanguagePack['prompts'], 'interventions'>, PlaceholderRule>;

/** Placeholders allowed in scenario turn texts and in phrase-bank utterances. */
export const SCENARIO_TURN_PLACEHOLDERS: readonly string[] = ['target'];
export const PHRASE_PLACEHOLDERS: readonly string[] = ['target', 'name'];

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of the `{placeholder}`s in a text, in order of appearance, without duplicates. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] ?? ''))];
}

function checkPlaceholders(problems: PackProblem[], path: string, text: string, rule: PlaceholderRule): void {
  const used = placeholdersIn(text);
  for (const name of used) {
    if (!rule.allowed.includes(name)) {
      const allowed = rule.allowed.length > 0 ? rule.allowed.map((item) => `{${item}}`).join(' ') : 'none';
      problems.push({
        path,
        message: `uses the placeholder {${name}}, which is not filled here (allowed: ${allowed})`,
      });
    }
  }
  for (const name of rule.required) {
    if (!used.includes(name)) {
      problems.push({ path, message: `must contain the placeholder {${name}}` });
    }
  }
}

const NO_PLACEHOLDERS: PlaceholderRule = { allowed: [], required: [] };
const HOFSTEDE_DIMENSIONS = ['pdi', 'idv', 'mas', 'uai', 'lto', 'ivr'] as const;

export interface ConsistencyOptions {
  /** The folder the pack was read from; `meta.tag` must equal it. */
  folderTag?: string | undefined;
}

/** Every semantic problem of a schema-valid pack, with its path. Empty when the pack is consistent. */
export function findPackProblems(pack: LanguagePack, options: ConsistencyOptions = {}): PackProblem[] {
  const problems: PackProblem[] = [];
  checkMeta(pack, options, problems);
  checkPersonas(pack, problems);
  checkScenario(pack, problems);
  checkPrompts(pack, problems);
  checkChannelAliases(pack, problems);
  checkLexicon(pack, problems);
  checkPhraseBank(pack, problems);
  checkCovariates(pack, problems);
  return problems;
}

/** The problems of `findPackProblems` as `path: message` lines. */
export function checkPackConsistency(pack: LanguagePack, options: ConsistencyOptions = {}): string[] {
  return findPackProblems(pack, options).map((problem) => `${problem.path}: ${problem.message}`);
}

function checkMeta(pack: LanguagePack, options: ConsistencyOptions, problems: PackProblem[]): void {
  if (options.folderTag !== undefined && pack.meta.tag !== options.folderTag) {
    problems.push({
      path: 'meta.tag',
      message: `is "${pack.meta.tag}" but the pack lives in the folder "${options.folderTag}"; they must be equal`,
    });
  }
}

function checkPersonas(pack: LanguagePack, problems: PackProblem[]): void {
  const seenNames = new Map<string, number>();
  pack.personas.forEach((persona, index) => {
    const expected = `p${String(index + 1).padStart(2, '0')}`;
    if (persona.id !== expected) {
      problems.push({
        path: `personas[${index}].id`,
        message: `is "${persona.id}" but must be "${expected}" (ids run p01, p02, ... in order, shared across packs)`,
      });
    }
    const key = persona.name.trim().toLowerCase();
    const earlier = seenNames.get(key);
    if (earlier !== undefined) {
      problems.push({
        path: `personas[${index}].name`,
        message: `"${persona.name}" is also the name of personas[${earlier}]; names must be distinct (agents address each other by name)`,
      });
    } else {
      seenNames.set(key, index);
    }
    for (const field of ['name', 'role', 'description'] as const) {
      checkPlaceholders(problems, `personas[${index}].${field}`, persona[field], NO_PLACEHOLDERS);
    }
  });
}

function checkScenario(pack: LanguagePack, problems: PackProblem[]): void {
  const { scenario } = pack;
  if (!pack.personas.some((persona) => persona.id === scenario.targetPersonaId)) {
    const ids = pack.personas.map((persona) => persona.id).join(', ');
    problems.push({
      path: 'scenario.targetPersonaId',
      message: `"${scenario.targetPersonaId}" is not the id of a persona (ids: ${ids})`,
    });
  }
  checkPlaceholders(problems, 'scenario.title', scenario.title, NO_PLACEHOLDERS);
  checkPlaceholders(problems, 'scenario.setting', scenario.setting, NO_PLACEHOLDERS);
  scenario.turns.forEach((turn, index) => {
    if (turn.turn !== index + 1) {
      problems.push({
        path: `scenario.turns[${index}].turn`,
        message: `is ${turn.turn} but must be ${index + 1} (turns are numbered 1..${scenario.turns.length} in order)`,
      });
    }
    checkPlaceholders(problems, `scenario.turns[${index}].text`, turn.text, {
      allowed: SCENARIO_TURN_PLACEHOLDERS,
      required: [],
    });
  });
  problems.push(...resolveScenarioPhases(scenario).problems);
}

function checkPrompts(pack: LanguagePack, problems: PackProblem[]): void {
  const { prompts } = pack;
  for (const [field, rule] of Object.entries(PROMPT_PLACEHOLDERS)) {
    const text = prompts[field as keyof typeof PROMPT_PLACEHOLDERS];
    checkPlaceholders(problems, `prompts.${field}`, text, rule);
  }
  for (const id of REQUIRED_INTERVENTIONS) {
    if (prompts.interventions[id] === undefined) {
      problems.push({ path: `prompts.interventions.${id}`, message: `is missing; every pack must define "${id}"` });
    }
  }
  for (const [id, text] of Object.entries(prompts.interventions)) {
    // Interventions are prefixed verbatim to the system prompt; nothing fills placeholders in them.
    checkPlaceholders(problems, `prompts.interventions.${id}`, text, NO_PLACEHOLDERS);
  }
}

function checkChannelAliases(pack: LanguagePack, problems: PackProblem[]): void {
  const owner = new Map<string, string>(CHANNELS.map((channel) => [channel, channel]));
  for (const channel of CHANNELS) {
    pack.channelAliases[channel].forEach((alias, index) => {
      const key = alias.trim().toLowerCase();
      const path = `channelAliases.${channel}[${index}]`;
      if (key === '') {
        problems.push({ path, message: 'is blank' });
        return;
      }
      const previous = owner.get(key);
      if (previous !== undefined && previous !== channel) {
        problems.push({
          path,
          message: `"${alias}" also names the channel "${previous}"; an alias must be unambiguous`,
        });
      } else {
        owner.set(key, channel);
      }
    });
  }
}

function checkLexicon(pack: LanguagePack, problems: PackProblem[]): void {
  const { lexicon } = pack;
  for (const category of REQUIRED_LEXICON_CATEGORIES) {
    if (lexicon.categories[category] === undefined) {
      problems.push({
        path: `lexicon.categories.${category}`,
        message: `is missing; every pack must define "${category}"`,
      });
    }
  }
  for (const [name, category] of Object.entries(lexicon.categories)) {
    if (category.registerOf !== undefined) {
      const base = lexicon.categories[category.registerOf];
      if (category.registerOf === name || base === undefined || base.registerOf !== undefined) {
        problems.push({
          path: `lexicon.categories.${name}.registerOf`,
          message: `"${category.registerOf}" must name another category of this lexicon that is not itself a register`,
        });
      }
    }
    const hasMorphology = pack.capabilities.morphology !== undefined;
    const seen = new Set<string>();
    const checkTerms = (list: readonly string[], key: 'terms' | 'negatedTerms') => {
      list.forEach((term, index) => {
        const path = `lexicon.categories.${name}.${key}[${index}]`;
        for (const message of termSyntaxProblems(term, hasMorphology)) problems.push({ path, message });
        const normalised = term.normalize('NFKC').toLowerCase();
        if (seen.has(normalised)) {
          problems.push({
            path,
            message: `"${term}" is listed twice in this category${key === 'negatedTerms' ? ' (in terms and negatedTerms, or twice)' : ''}`,
          });
        }
        seen.add(normalised);
      });
    };
    checkTerms(category.terms, 'terms');
    checkTerms(category.negatedTerms ?? [], 'negatedTerms');
    (category.senseBlocks ?? []).forEach((block, blockIndex) => {
      const path = `lexicon.categories.${name}.senseBlocks[${blockIndex}]`;
      block.terms.forEach((term, index) => {
        if (!category.terms.includes(term) && !(category.negatedTerms ?? []).includes(term)) {
          problems.push({
            path: `${path}.terms[${index}]`,
            message: `"${term}" is not one of this category's terms or negatedTerms (write it exactly as there)`,
          });
        }
      });
      block.context.forEach((context, index) => {
        if (isPatternSyntax(context) || context.slice(0, -1).includes('*') || context.trim() === '') {
          problems.push({
            path: `${path}.context[${index}]`,
            message: `"${context}": a context is a plain expression (words, "*" only at its end; no "~", no "...")`,
          });
        }
      });
    });
    category.exclude.forEach((expression, index) => {
      if (expression.slice(0, -1).includes('*')) {
        problems.push({
          path: `lexicon.categories.${name}.exclude[${index}]`,
          message: `"${expression}": "*" is only allowed at the end of an exclusion (it may continue into its last word)`,
        });
      }
    });
  }
  for (const side of [
    'before',
    'after',
    'clauseWords',
    'breakers',
    'conditionals',
    'mainClause',
    'pseudo',
    'afterWholeWord',
  ] as const) {
    (lexicon.negation[side] ?? []).forEach((cue, index) => {
      if (cue.trim() === '') {
        problems.push({ path: `lexicon.negation.${side}[${index}]`, message: 'is blank' });
      }
    });
  }
  checkRomanisedPolicy(pack, problems);
}

const GAP_WORD = /^\.\.\.(\d)?$/;
/** Most words a `...N` gap may span (docs/lexicon-format.md §4; the matcher's MAX_GAP). */
const MAX_GAP_WORDS = 8;

/** Whether a written term uses the v2 pattern syntax: a `~word` or a `...` gap. */
function isPatternSyntax(term: string): boolean {
  return term.split(' ').some((word) => word.startsWith('~') || GAP_WORD.test(word));
}

/** What is wrong with a term's syntax (docs/lexicon-format.md §2): plain terms as in v1, pattern terms word by word. */
function termSyntaxProblems(term: string, hasMorphology: boolean): string[] {
  const problems: string[] = [];
  if (term !== term.trim()) problems.push(`"${term}" starts or ends with a space`);
  if (!isPatternSyntax(term)) {
    const stem = term.endsWith('*') ? term.slice(0, -1) : term;
    if (stem.includes('*')) problems.push(`"${term}": "*" is only allowed at the end of a term (a stem)`);
    if (stem.trim() === '') problems.push(`"${term}" has nothing to match before the "*"`);
    return problems;
  }
  const words = term.trim().split(/ +/);
  words.forEach((word, index) => {
    const gap = GAP_WORD.exec(word);
    if (gap !== null) {
      if (index === 0 || index === words.length - 1) {
        problems.push(`"${term}": a gap "${word}" must stand between two words`);
      } else if (GAP_WORD.test(words[index - 1] ?? '')) {
        problems.push(`"${term}": two gaps in a row; write one ("...N", N at most ${MAX_GAP_WORDS})`);
      }
      if (gap[1] !== undefined && Number(gap[1]) > MAX_GAP_WORDS) {
        problems.push(`"${term}": a gap spans at most ${MAX_GAP_WORDS} words ("...${MAX_GAP_WORDS}")`);
      }
      return;
    }
    const body = word.startsWith('~') ? word.slice(1) : word;
    if (word.startsWith('~') && body.includes('*')) {
      problems.push(`"${term}": "${word}" combines "~" (stem) and "*" (prefix); use one`);
    } else if (body.slice(0, -1).includes('*') || body.includes('~')) {
      problems.push(`"${term}": "*" only ends a word and "~" only starts one`);
    }
    if (body.replace(/\*$/, '') === '') problems.push(`"${term}": "${word}" has nothing to match`);
    if (word.startsWith('~') && !hasMorphology) {
      problems.push(`"${term}": "${word}" is a stem word, but the pack declares no capabilities.morphology`);
    }
  });
  return problems;
}

const LATIN_LETTER = /\p{Script=Latin}/u;

/**
 * A pack that declares romanised input scored through its lexicon (docs/lexicon-format.md §7) must
 * hold romanised terms in every category and romanised negation cues.
 */
function checkRomanisedPolicy(pack: LanguagePack, problems: PackProblem[]): void {
  if (pack.capabilities.romanised?.policy !== 'lexicon' || pack.capabilities.script === 'Latn') return;
  for (const [name, category] of Object.entries(pack.lexicon.categories)) {
    if (![...category.terms, ...(category.negatedTerms ?? [])].some((term) => LATIN_LETTER.test(term))) {
      problems.push({
        path: `lexicon.categories.${name}.terms`,
        message:
          'has no term in Latin letters, but capabilities.romanised.policy is "lexicon": add the romanised spellings',
      });
    }
  }
  const cues = [...pack.lexicon.negation.before, ...pack.lexicon.negation.after];
  if (cues.length > 0 && !cues.some((cue) => LATIN_LETTER.test(cue))) {
    problems.push({
      path: 'lexicon.negation',
      message: 'has no cue in Latin letters, but capabilities.romanised.policy is "lexicon": add the romanised cues',
    });
  }
}

function checkPhraseBank(pack: LanguagePack, problems: PackProblem[]): void {
  for (const register of PHRASE_REGISTERS) {
    const phrases = pack.phraseBank[register];
    if (phrases === undefined) {
      problems.push({ path: `phraseBank.${register}`, message: `is missing; every pack must define "${register}"` });
      continue;
    }
    phrases.forEach((phrase, index) => {
      checkPlaceholders(problems, `phraseBank.${register}[${index}]`, phrase, {
        allowed: PHRASE_PLACEHOLDERS,
        required: [],
      });
    });
  }
}

function checkCovariates(pack: LanguagePack, problems: PackProblem[]): void {
  const { covariates } = pack;
  // A missing value is allowed only when someone wrote down why it is missing.
  const explanations = [covariates.source, covariates.mappingRationale, ...pack.meta.notes].join('\n').toLowerCase();
  for (const dimension of HOFSTEDE_DIMENSIONS) {
    const value = covariates.hofstede[dimension];
    if (value === undefined) {
      problems.push({
        path: `covariates.hofstede.${dimension}`,
        message: 'is missing (write a number, or null with a note)',
      });
    } else if (value === null && !new RegExp(`\\b${dimension}\\b`).test(explanations)) {
      problems.push({
        path: `covariates.hofstede.${dimension}`,
        message: `is null without an explanation; say in covariates.source or meta.notes why ${dimension.toUpperCase()} has no value`,
      });
    }
  }
}
