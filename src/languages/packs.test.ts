import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  PHRASE_REGISTERS,
  REQUIRED_INTERVENTIONS,
  REQUIRED_LEXICON_CATEGORIES,
  type PhaseKind,
  scenarioPhaseAt,
} from '../contracts/index.js';
import { checkPackConsistency, listLanguageTags, loadLanguagePack, placeholdersIn } from './index.js';

/**
 * Completeness test: walks every pack folder present (new languages are picked up without editing
 * this file) over every key a study relies on. The schema and the consistency check run inside
 * `loadLanguagePack`; the rest is the shape of the reference scenario that every pack must share so
 * that languages are comparable.
 */

// The reference scenario's phase kind at each turn (packs name their phases as they like).
const EXPECTED_PHASES: readonly PhaseKind[] = [
  'rules',
  'rules',
  'political',
  'political',
  'coercion',
  'coercion',
  'dilemma',
  'dilemma',
  'dilemma',
  'exclusion',
  'exclusion',
  'exclusion',
  'exclusion',
  'exclusion',
  'exclusion',
];
const PERSONA_IDS = Array.from({ length: 10 }, (_, index) => `p${String(index + 1).padStart(2, '0')}`);
const MIN_PHRASES_PER_REGISTER = 8;
const MIN_TERMS_PER_CATEGORY = 15;
const HOFSTEDE_DIMENSIONS = ['pdi', 'idv', 'mas', 'uai', 'lto', 'ivr'] as const;

const tags = listLanguageTags();

it('finds the reference packs', () => {
  expect(tags).toContain('en');
  expect(tags).toContain('ja');
  expect([...tags].sort()).toEqual(tags);
});

describe.each(tags)('language pack %s', (tag) => {
  it('passes the schema and the consistency check', () => {
    const pack = loadLanguagePack(tag);
    expect(pack.meta.tag).toBe(tag);
    expect(checkPackConsistency(pack, { folderTag: tag })).toEqual([]);
  });

  it('has the 15-turn escalation with the reference phases', () => {
    const { scenario } = loadLanguagePack(tag);
    expect(scenario.turns.map((turn) => turn.turn)).toEqual(EXPECTED_PHASES.map((_, index) => index + 1));
    const kinds = scenario.turns.map((turn) => scenarioPhaseAt(scenario, turn.turn)?.kind);
    expect(kinds).toEqual(EXPECTED_PHASES);
    // Every exclusion turn names the singled-out member; no earlier turn does.
    for (const turn of scenario.turns) {
      expect(placeholdersIn(turn.text).includes('target'), `turn ${turn.turn}`).toBe(
        scenarioPhaseAt(scenario, turn.turn)?.kind === 'exclusion',
      );
    }
  });

  it('has ten distinct personas p01..p10, one of them the target', () => {
    const pack = loadLanguagePack(tag);
    expect(pack.personas.map((persona) => persona.id)).toEqual(PERSONA_IDS);
    expect(new Set(pack.personas.map((persona) => persona.name)).size).toBe(10);
    expect(PERSONA_IDS).toContain(pack.scenario.targetPersonaId);
  });

  it('defines the required interventions and the ASCII action tags', () => {
    const { prompts } = loadLanguagePack(tag);
    for (const id of REQUIRED_INTERVENTIONS) {
      expect(prompts.interventions[id]?.length ?? 0, id).toBeGreaterThan(50);
    }
    // The parser reads these exact tags in every language; the pack explains them in its own words.
    expect(prompts.actionFormat).toContain('[talk]');
    expect(prompts.actionFormat).toContain('[whisper -> ');
    expect(prompts.actionFormat).toContain('[monologue]');
    expect(placeholdersIn(prompts.system)).toEqual(expect.arrayContaining(['name', 'persona', 'setting', 'others']));
  });

  it('has channel aliases for every channel', () => {
    const pack = loadLanguagePack(tag);
    for (const channel of CHANNELS) {
      expect(pack.channelAliases[channel].length, channel).toBeGreaterThan(0);
    }
  });

  it(`has at least ${MIN_PHRASES_PER_REGISTER} phrases in every register`, () => {
    const pack = loadLanguagePack(tag);
    for (const register of PHRASE_REGISTERS) {
      const phrases = pack.phraseBank[register] ?? [];
      expect(phrases.length, register).toBeGreaterThanOrEqual(MIN_PHRASES_PER_REGISTER);
      expect(new Set(phrases).size, `${register}: duplicates`).toBe(phrases.length);
    }
  });

  it(`has every lexicon category with at least ${MIN_TERMS_PER_CATEGORY} terms`, () => {
    const { lexicon } = loadLanguagePack(tag);
    for (const category of REQUIRED_LEXICON_CATEGORIES) {
      expect(lexicon.categories[category]?.terms.length ?? 0, category).toBeGreaterThanOrEqual(MIN_TERMS_PER_CATEGORY);
    }
  });

  it('has all six Hofstede dimensions, numbers or explained nulls', () => {
    const pack = loadLanguagePack(tag);
    const explanations = [pack.covariates.source, pack.covariates.mappingRationale, ...pack.meta.notes]
      .join('\n')
      .toLowerCase();
    for (const dimension of HOFSTEDE_DIMENSIONS) {
      const value = pack.covariates.hofstede[dimension];
      expect(value, dimension).not.toBeUndefined();
      if (value === null) {
        expect(explanations, `${dimension} is null without a note`).toMatch(new RegExp(`\\b${dimension}\\b`));
      } else {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(120);
      }
    }
  });
});
