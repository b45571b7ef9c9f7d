import { describe, expect, it } from 'vitest';
import type { LanguagePack } from '../contracts/index.js';
import { checkPackConsistency, findPackProblems, loadLanguagePack, placeholdersIn } from './index.js';

/** A mutable copy of the English pack to break in one place per test. */
function englishPack(): LanguagePack {
  return structuredClone(loadLanguagePack('en'));
}

function problemPaths(pack: LanguagePack, folderTag?: string): string[] {
  return findPackProblems(pack, { folderTag }).map((problem) => problem.path);
}

describe('placeholdersIn', () => {
  it('lists each placeholder once, in order, ignoring other braces', () => {
    expect(placeholdersIn('{speaker}: {text} ({text}) { not } {{x}')).toEqual(['speaker', 'text', 'x']);
  });
});

describe('checkPackConsistency', () => {
  it('finds nothing wrong with the reference packs', () => {
    expect(checkPackConsistency(englishPack(), { folderTag: 'en' })).toEqual([]);
    expect(checkPackConsistency(structuredClone(loadLanguagePack('ja')), { folderTag: 'ja' })).toEqual([]);
  });

  it('requires meta.tag to equal the folder', () => {
    expect(checkPackConsistency(englishPack(), { folderTag: 'en-GB' })).toEqual([
      'meta.tag: is "en" but the pack lives in the folder "en-GB"; they must be equal',
    ]);
  });

  it('requires persona ids p01..pNN in order and distinct names', () => {
    const pack = englishPack();
    pack.personas[2]!.id = 'p02';
    pack.personas[5]!.name = pack.personas[0]!.name;
    expect(problemPaths(pack)).toEqual(['personas[2].id', 'personas[5].name']);
  });

  it('requires the target to be a persona', () => {
    const pack = englishPack();
    pack.scenario.targetPersonaId = 'p11';
    expect(problemPaths(pack)).toEqual(['scenario.targetPersonaId']);
  });

  it('requires turns numbered 1..T in order', () => {
    const pack = englishPack();
    [pack.scenario.turns[3]!.turn, pack.scenario.turns[4]!.turn] = [5, 4];
    expect(problemPaths(pack)).toEqual(['scenario.turns[3].turn', 'scenario.turns[4].turn']);
  });

  it('requires every required intervention, lexicon category and phrase register', () => {
    const pack = englishPack();
    delete pack.prompts.interventions.individuation;
    delete pack.lexicon.categories.conformity;
    delete (pack.phraseBank as Record<string, string[]>).dissociation;
    expect(problemPaths(pack)).toEqual([
      'prompts.interventions.individuation',
      'lexicon.categories.conformity',
      'phraseBank.dissociation',
    ]);
  });

  it('allows only the placeholders each text is rendered with', () => {
    const pack = englishPack();
    pack.prompts.system += ' Target: {target}.';
    pack.prompts.turnHeader = 'Turn {turn} of {turns} ({others})';
    pack.prompts.interventions.alignment += ' {name}';
    pack.scenario.turns[0]!.text += ' {name}';
    pack.phraseBank.neutral[0] = 'Hello {speaker}.';
    pack.personas[0]!.description = 'Knows {target}.';
    expect(checkPackConsistency(pack)).toEqual([
      'personas[0].description: uses the placeholder {target}, which is not filled here (allowed: none)',
      'scenario.turns[0].text: uses the placeholder {name}, which is not filled here (allowed: {target})',
      'prompts.system: uses the placeholder {target}, which is not filled here (allowed: {name} {persona} {setting} {others} {turns})',
      'prompts.turnHeader: uses the placeholder {others}, which is not filled here (allowed: {turn} {turns})',
      'prompts.interventions.alignment: uses the placeholder {name}, which is not filled here (allowed: none)',
      'phraseBank.neutral[0]: uses the placeholder {speaker}, which is not filled here (allowed: {target} {name})',
    ]);
  });

  it('requires {text} in the announcement and {speaker} {text} in observed lines', () => {
    const pack = englishPack();
    pack.prompts.announcement = 'The administration announces:';
    pack.prompts.whisperObserved = 'Someone whispers: {text}';
    expect(checkPackConsistency(pack)).toEqual([
      'prompts.announcement: must contain the placeholder {text}',
      'prompts.whisperObserved: must contain the placeholder {speaker}',
    ]);
  });

  it('rejects ambiguous channel aliases', () => {
    const pack = englishPack();
    pack.channelAliases.monologue.push('Private');
    pack.channelAliases.whisper.push('talk');
    expect(problemPaths(pack)).toEqual([
      `channelAliases.whisper[${pack.channelAliases.whisper.length - 1}]`,
      `channelAliases.monologue[${pack.channelAliases.monologue.length - 1}]`,
    ]);
  });

  it('rejects a wildcard inside a term, a bare wildcard, duplicates and wildcards in exclusions', () => {
    const pack = englishPack();
    const sexual = pack.lexicon.categories.sexual!;
    sexual.terms.push('in*timate', '*', 'Intimacy');
    sexual.exclude.push('bo*dy of');
    const count = sexual.terms.length;
    expect(checkPackConsistency(pack)).toEqual([
      `lexicon.categories.sexual.terms[${count - 3}]: "in*timate": "*" is only allowed at the end of a term (a stem)`,
      `lexicon.categories.sexual.terms[${count - 2}]: "*" has nothing to match before the "*"`,
      `lexicon.categories.sexual.terms[${count - 1}]: "Intimacy" is listed twice in this category`,
      `lexicon.categories.sexual.exclude[${sexual.exclude.length - 1}]: "bo*dy of": "*" is only allowed at the end of an exclusion (it may continue into its last word)`,
    ]);
  });

  it('checks the v2 term syntax, negatedTerms, sense blocks and the romanised policy (docs/lexicon-format.md)', () => {
    // The English pack with one plain term per category, whatever its lexicon version holds.
    const pack = englishPack();
    delete pack.capabilities.morphology;
    for (const [name, category] of Object.entries(pack.lexicon.categories)) {
      category.terms = [name];
      delete category.negatedTerms;
      delete category.senseBlocks;
    }
    const protective = pack.lexicon.categories.protective!;
    const sexual = pack.lexicon.categories.sexual!;
    const protectiveTerm = 'protective';
    const sexualTerm = 'sexual';
    protective.negatedTerms = ['~sign', '... hurt', 'send ... ... out', 'vote ...9 for', '~obe*y', protectiveTerm];
    sexual.senseBlocks = [{ terms: [sexualTerm, 'not a term here'], context: ['cold', '~freeze'], window: 6 }];
    pack.lexicon.negation.breakers = [' '];
    expect(checkPackConsistency(pack)).toEqual([
      'lexicon.categories.sexual.senseBlocks[0].terms[1]: "not a term here" is not one of this category\'s terms or negatedTerms (write it exactly as there)',
      'lexicon.categories.sexual.senseBlocks[0].context[1]: "~freeze": a context is a plain expression (words, "*" only at its end; no "~", no "...")',
      'lexicon.categories.protective.negatedTerms[0]: "~sign": "~sign" is a stem word, but the pack declares no capabilities.morphology',
      'lexicon.categories.protective.negatedTerms[1]: "... hurt": a gap "..." must stand between two words',
      'lexicon.categories.protective.negatedTerms[2]: "send ... ... out": two gaps in a row; write one ("...N", N at most 8)',
      'lexicon.categories.protective.negatedTerms[3]: "vote ...9 for": a gap spans at most 8 words ("...8")',
      'lexicon.categories.protective.negatedTerms[4]: "~obe*y": "~obe*y" combines "~" (stem) and "*" (prefix); use one',
      'lexicon.categories.protective.negatedTerms[4]: "~obe*y": "~obe*y" is a stem word, but the pack declares no capabilities.morphology',
      `lexicon.categories.protective.negatedTerms[5]: "${protectiveTerm}" is listed twice in this category (in terms and negatedTerms, or twice)`,
      'lexicon.negation.breakers[0]: is blank',
    ]);
    pack.capabilities.morphology = { stemmer: 'snowball:english' };
    protective.negatedTerms = ['~sign', 'send ... out', '~vote ...2 for'];
    sexual.senseBlocks = [{ terms: [sexualTerm], context: ['cold', 'freez*'], window: 6 }];
    pack.lexicon.negation.breakers = ['stop*'];
    expect(checkPackConsistency(pack)).toEqual([]);

    // Hindi without its romanised spellings, declaring the "lexicon" policy for romanised input.
    const hindi = structuredClone(loadLanguagePack('hi'));
    const latin = /\p{Script=Latin}/u;
    hindi.capabilities.romanised = { policy: 'lexicon' };
    for (const category of Object.values(hindi.lexicon.categories)) {
      category.terms = category.terms.filter((term) => !latin.test(term));
      category.negatedTerms = (category.negatedTerms ?? []).filter((term) => !latin.test(term));
      category.senseBlocks = [];
    }
    hindi.lexicon.negation.before = hindi.lexicon.negation.before.filter((cue) => !latin.test(cue));
    hindi.lexicon.negation.after = hindi.lexicon.negation.after.filter((cue) => !latin.test(cue));
    const hindiProblems = checkPackConsistency(hindi);
    expect(hindiProblems).toContain(
      'lexicon.categories.sexual.terms: has no term in Latin letters, but capabilities.romanised.policy is "lexicon": add the romanised spellings',
    );
    expect(hindiProblems).toContain(
      'lexicon.negation: has no cue in Latin letters, but capabilities.romanised.policy is "lexicon": add the romanised cues',
    );
  });

  it('accepts a null Hofstede value only with a note naming the dimension', () => {
    const pack = englishPack();
    pack.covariates.mappingRationale = 'English is mapped to the United States.';
    pack.meta.notes.push('Voltorb is not a dimension.');
    pack.covariates.hofstede.lto = null;
    expect(checkPackConsistency(pack)).toEqual([
      'covariates.hofstede.lto: is null without an explanation; say in covariates.source or meta.notes why LTO has no value',
    ]);
    pack.meta.notes.push('LTO: no published score for this country.');
    expect(checkPackConsistency(pack)).toEqual([]);
  });
});
