import { describe, expect, it } from 'vitest';
import { type LanguagePack, REQUIRED_LEXICON_CATEGORIES } from '../contracts/index.js';
import { listLanguageTags, loadLanguagePack, loadValidationSet, type ValidationItem } from '../languages/index.js';
import { compileLexicon } from './lexicon.js';
import { evaluateLexicon, formatEvaluationTable, type LexiconEvaluation, wilsonInterval } from './validation.js';

/**
 * The lexicon of every pack against its hand-labelled validation set, and the phrase bank of every
 * pack against its lexicon (the surrogate's registers must produce the hits the indices count).
 * New packs are picked up automatically.
 */

const MIN_RATE = 0.8;
const MIN_ITEMS = 60;
const MIN_POSITIVES_PER_CATEGORY = 5;

const tags = listLanguageTags();
const validated = tags.flatMap((tag) => {
  const items = loadValidationSet(tag);
  return items === null ? [] : [{ tag, items, evaluation: evaluateLexicon(loadLanguagePack(tag), items) }];
});

describe('evaluateLexicon', () => {
  const pack = structuredClone(loadLanguagePack('en'));
  // A fixed protective category, so these figures do not move with every new English lexicon.
  pack.lexicon.categories.protective = {
    description: 'fixture',
    terms: ['protect*', 'safe'],
    exclude: ['safe to say'],
  };
  const items: ValidationItem[] = [
    { text: 'I will protect her.', labels: ['protective'] },
    { text: 'Keep the fuel safe to say the least.', labels: [] },
    { text: 'It is safe here.', labels: [] },
    { text: 'Hide him in the kitchen.', labels: ['protective'] },
    { text: 'I will not protect anyone.', labels: [] },
  ];
  const evaluation = evaluateLexicon(pack, items);
  const protective = evaluation.categories.find((score) => score.category === 'protective')!;

  it('counts utterance-level agreement per category', () => {
    expect(protective).toEqual({
      category: 'protective',
      positives: 2,
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 1,
      trueNegatives: 2,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      precisionInterval: wilsonInterval(1, 2),
      recallInterval: wilsonInterval(1, 2),
    });
    // R: prop.test(1, 2, correct = FALSE)$conf.int -> 0.09453120 0.90546880
    expect(protective.precisionInterval!.lower).toBeCloseTo(0.0945312, 6);
    expect(protective.precisionInterval!.upper).toBeCloseTo(0.9054688, 6);
  });

  it('leaves precision and recall undefined when nothing was predicted or labelled', () => {
    const sexual = evaluation.categories.find((score) => score.category === 'sexual')!;
    expect(sexual.precision).toBeNull();
    expect(sexual.recall).toBeNull();
    expect(sexual.trueNegatives).toBe(5);
  });

  it('lists each disagreement with the hits behind it', () => {
    expect(
      evaluation.disagreements.map((item) => [item.index, item.category, item.kind, item.matches.map((m) => m.text)]),
    ).toEqual([
      [2, 'protective', 'false-positive', ['safe']],
      [3, 'protective', 'false-negative', []],
    ]);
  });

  it('formats a table with one row per language and category', () => {
    const lines = formatEvaluationTable([evaluation]).split('\n');
    expect(lines[0]).toMatch(/^language\s+category\s+n\s+pos\s+precision\s+recall\s+f1$/);
    expect(lines).toHaveLength(2 + REQUIRED_LEXICON_CATEGORIES.length);
    expect(lines.find((line) => line.includes('protective'))).toMatch(
      /en\s+protective\s+5\s+2\s+0\.500\s+0\.500\s+0\.500/,
    );
    expect(lines.find((line) => line.includes('sexual'))).toMatch(/\s-\s+-\s+-$/);
  });
});

describe('lexicon validation sets', () => {
  it('exist for the reference packs', () => {
    expect(validated.map((entry) => entry.tag)).toEqual(expect.arrayContaining(['en', 'ja']));
    console.log(`\n${formatEvaluationTable(validated.map((entry) => entry.evaluation))}\n`);
  });

  describe.each(validated)('$tag', ({ tag, items, evaluation }) => {
    it(`has at least ${MIN_ITEMS} items with positives for every category and hard negatives`, () => {
      expect(items.length).toBeGreaterThanOrEqual(MIN_ITEMS);
      for (const score of evaluation.categories) {
        expect(score.positives, `${tag} ${score.category}`).toBeGreaterThanOrEqual(MIN_POSITIVES_PER_CATEGORY);
      }
      // A note starts with the kind of hard negative, optionally followed by ": why".
      for (const kind of ['negation', 'quotation', 'other-sense']) {
        const present = items.some((item) => item.note?.startsWith(kind) === true);
        expect(present, `${tag}: no "${kind}" item`).toBe(true);
      }
    });

    it(`reaches precision and recall of at least ${MIN_RATE} in every category`, () => {
      const failing = evaluation.categories.filter(
        (score) => (score.precision ?? 0) < MIN_RATE || (score.recall ?? 0) < MIN_RATE,
      );
      const detail = describeFailures(evaluation, new Set(failing.map((score) => score.category)));
      expect(
        failing.map((score) => score.category),
        detail,
      ).toEqual([]);
    });
  });
});

describe.each(tags)('phrase bank of %s', (tag) => {
  const pack = loadLanguagePack(tag);
  const lexicon = compileLexicon(pack);
  const realise = (phrase: string): string => fillPlaceholders(phrase, pack);
  const categoriesHit = (phrase: string): Set<string> =>
    new Set(lexicon.match(realise(phrase)).map((match) => match.category));

  it.each([
    ['coercion-echo', ['sexual']],
    ['protective-conformity', ['protective', 'conformity']],
    ['protective-individuation', ['protective', 'individuation']],
  ] as const)('every %s phrase hits %j', (register, required) => {
    const missing = (pack.phraseBank[register] ?? []).filter((phrase) => {
      const hit = categoriesHit(phrase);
      return required.some((category) => !hit.has(category));
    });
    expect(missing).toEqual([]);
  });

  it.each(['neutral', 'compliance'] as const)('no %s phrase hits sexual or protective', (register) => {
    const offending = (pack.phraseBank[register] ?? []).filter((phrase) => {
      const hit = categoriesHit(phrase);
      return hit.has('sexual') || hit.has('protective');
    });
    expect(offending).toEqual([]);
  });

  it('has persona names that hit no lexicon category', () => {
    const hits = pack.personas.flatMap((persona) =>
      lexicon.match(persona.name).map((match) => `${persona.name}: ${match.term}`),
    );
    expect(hits).toEqual([]);
  });
});

/** The phrase as the surrogate would realise it: the target's and another member's name filled in. */
function fillPlaceholders(phrase: string, pack: LanguagePack): string {
  const target = pack.personas.find((persona) => persona.id === pack.scenario.targetPersonaId);
  const other = pack.personas.find((persona) => persona.id !== pack.scenario.targetPersonaId);
  return phrase.replaceAll('{target}', target?.name ?? '').replaceAll('{name}', other?.name ?? '');
}

function describeFailures(evaluation: LexiconEvaluation, categories: ReadonlySet<string>): string {
  const lines = evaluation.disagreements
    .filter((item) => categories.has(item.category))
    .map(
      (item) =>
        `  ${item.kind} ${item.category}: ${item.text}${item.matches.length > 0 ? ` [${item.matches.map((match) => match.text).join(', ')}]` : ''}`,
    );
  return `${evaluation.language}: lexicon below ${MIN_RATE}\n${lines.join('\n')}`;
}
