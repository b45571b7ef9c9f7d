import { describe, expect, it } from 'vitest';
import type { LanguagePack } from '../contracts/index.js';
import { loadLanguagePack } from '../languages/index.js';
import { compileLexicon } from './lexicon.js';
import { wilsonInterval } from './validation.js';

describe('the register rule of the codebook', () => {
  const pack = loadLanguagePack('en');

  it('counts conformity and individuation only in an action with protective speech', () => {
    const lexicon = compileLexicon(pack);
    expect(lexicon.count('We must all obey together, as one group.')).toMatchObject({ conformity: 0, protective: 0 });
    expect(lexicon.count('Together, as one group, we protect her.')).toMatchObject({ conformity: 2, protective: 1 });
    expect(lexicon.count('In my opinion the rules are fine.')).toMatchObject({ individuation: 0 });
    expect(lexicon.count('In my opinion we must protect him.')).toMatchObject({ individuation: 1, protective: 1 });
    const matches = lexicon.match('We must all obey together.');
    expect(matches.filter((match) => match.category === 'conformity')).toEqual([]);
  });

  it('is declared data, not a rule about category names', () => {
    const undeclared = structuredClone(pack);
    delete undeclared.lexicon.categories.conformity!.registerOf;
    // However many group markers the lexicon version finds there.
    expect(compileLexicon(undeclared).count('We must all obey together.').conformity).toBeGreaterThan(0);
  });
});

describe('negation does not cancel a register marker (docs/lexicon-format.md §5.7)', () => {
  /** The pack with the few terms and cues these sentences need, whatever its lexicon version holds. */
  function withTerms(
    tag: string,
    protective: string[],
    conformity: string[],
    cues: { before?: string[]; after?: string[] },
  ) {
    const changed = structuredClone(loadLanguagePack(tag));
    const categories = changed.lexicon.categories;
    categories.protective!.negatedTerms = [
      ...(categories.protective!.negatedTerms ?? []).filter((term) => !protective.includes(term)),
      ...protective,
    ];
    categories.protective!.terms = categories.protective!.terms.filter((term) => !protective.includes(term));
    categories.conformity!.terms = [...new Set([...categories.conformity!.terms, ...conformity])];
    changed.lexicon.negation.before = [...new Set([...changed.lexicon.negation.before, ...(cues.before ?? [])])];
    changed.lexicon.negation.after = [...new Set([...changed.lexicon.negation.after, ...(cues.after ?? [])])];
    // A reach that takes in the register marker, as it would in a pack that declares one this wide.
    changed.lexicon.negation.window = 4;
    return changed;
  }

  it('counts the register of a negated refusal: "nobody in our group signs" is protective and conformity', () => {
    const en = withTerms('en', ['~sign'], ['our group', 'none of us'], { before: ['nobody', 'none', 'not'] });
    const lexicon = compileLexicon(en);
    expect(lexicon.count('Nobody in our group signs.')).toMatchObject({ protective: 1, conformity: 1 });
    expect(lexicon.count('None of us will sign.')).toMatchObject({ protective: 1, conformity: 1 });
    // Negation still applies to the protective act itself: negated protection is no protection, and
    // then the register has nothing to be a register of.
    expect(lexicon.count('Our group will not protect him.')).toMatchObject({ protective: 0, conformity: 0 });
  });

  it('counts Hindi "together" before a verb-final नहीं', () => {
    const hi = withTerms('hi', ['हस्ताक्षर ... कर*'], ['एक साथ'], { after: ['नहीं'] });
    expect(compileLexicon(hi).count('हम एक साथ हस्ताक्षर नहीं करेंगे')).toMatchObject({ protective: 1, conformity: 1 });
  });

  it('is declared data: a register category may declare that negation applies to it', () => {
    const en = withTerms('en', ['~sign'], ['our group'], { before: ['nobody'] });
    en.lexicon.categories.conformity!.negation = 'applies';
    expect(compileLexicon(en).count('Nobody in our group signs.')).toMatchObject({ protective: 1, conformity: 0 });
    // ... and a category that is not a register may declare that it does not.
    const sexual = structuredClone(loadLanguagePack('en'));
    sexual.lexicon.categories.sexual!.terms.push('intimacy');
    sexual.lexicon.negation.before.push('not');
    expect(compileLexicon(sexual).count('This is not about intimacy.').sexual).toBe(0);
    sexual.lexicon.categories.sexual!.negation = 'ignored';
    expect(compileLexicon(sexual).count('This is not about intimacy.').sexual).toBe(1);
  });
});

describe('gap patterns backtrack (docs/lexicon-format.md §4)', () => {
  function withProtective(terms: string[], negatedTerms: string[]) {
    const changed = structuredClone(loadLanguagePack('en'));
    const protective = changed.lexicon.categories.protective!;
    protective.terms = [...protective.terms, ...terms];
    protective.negatedTerms = [...(protective.negatedTerms ?? []), ...negatedTerms];
    changed.lexicon.negation.before = [...new Set([...changed.lexicon.negation.before, 'not'])];
    return compileLexicon(changed);
  }
  const termsOf = (lexicon: ReturnType<typeof compileLexicon>, text: string) =>
    lexicon.match(text).map((match) => match.term);

  it('tries a later occurrence of a part when the nearest one leaves the next part out of reach', () => {
    const lexicon = withProtective(['stand ...4 by ...1 side'], []);
    // The nearest "by" (3rd word) leaves "side" 5 words away; the next "by" has it right after.
    expect(termsOf(lexicon, 'We stand close by the door by her side.')).toContain('stand ...4 by ...1 side');
    expect(termsOf(lexicon, 'We stand close by the door by the window at her side.')).not.toContain(
      'stand ...4 by ...1 side',
    );
  });

  it('tries a later occurrence of the last part when the drop rules drop the nearest one', () => {
    const lexicon = withProtective([], ['~put ...6 out']);
    // "put ... out" (the fire) is not negated; "put ... out" (the girl) has the cue in its gap.
    const matches = lexicon.match('They put the fire out not the girl out');
    expect(matches.filter((match) => match.term === '~put ...6 out')).toMatchObject([
      { text: 'put the fire out not the girl out' },
    ]);
    // With no later occurrence, the candidate is reported as dropped.
    const explained = lexicon.explain('They put the fire out');
    expect(explained.matches.map((match) => match.term)).not.toContain('~put ...6 out');
    // (by this term or another of the pack's that finds the same words).
    expect(explained.dropped).toContainEqual(
      expect.objectContaining({ text: 'put the fire out', reason: 'not-negated' }),
    );
  });
});

describe('a dropped longer term does not hide the shorter terms inside it (docs/lexicon-format.md §2)', () => {
  /** The en pack with one more category, so that only these terms are in play. */
  function withProbe(terms: string[], extra: Partial<LanguagePack['lexicon']['categories'][string]> = {}) {
    const changed = structuredClone(loadLanguagePack('en'));
    changed.lexicon.categories.probe = { description: 'rule test', terms, exclude: [], ...extra };
    changed.lexicon.negation = { ...changed.lexicon.negation, before: ['not'], window: 1 };
    return compileLexicon(changed);
  }

  it('checks a shorter term on its own when a sense block drops the longer one', () => {
    const lexicon = withProbe(['warm hands', 'hands'], {
      senseBlocks: [{ terms: ['warm hands'], context: ['fire'], window: 4 }],
    });
    expect(lexicon.match('Warm hands by the fire.').filter((hit) => hit.category === 'probe')).toMatchObject([
      { term: 'hands', text: 'hands' },
    ]);
    expect(lexicon.count('Warm hands in the dark.').probe).toBe(1);
    const explained = lexicon.explain('Warm hands by the fire.');
    expect(explained.dropped).toContainEqual(expect.objectContaining({ term: 'warm hands', reason: 'sense' }));
  });

  it('checks a term starting inside a dropped candidate on its own', () => {
    const lexicon = withProbe(['warm hands', 'hands together'], {
      senseBlocks: [{ terms: ['warm hands'], context: ['fire'], window: 4 }],
    });
    expect(lexicon.match('Warm hands together by the fire.').map((hit) => hit.term)).toContain('hands together');
  });

  it('checks a shorter term on its own when negation drops the longer one', () => {
    const changed = structuredClone(loadLanguagePack('en'));
    changed.lexicon.categories.probe = { description: 'rule test', terms: ['stop groping', 'groping'], exclude: [] };
    changed.lexicon.negation = {
      ...changed.lexicon.negation,
      before: ["won't", 'not'],
      window: 3,
      breakers: ['stop*'],
    };
    const lexicon = compileLexicon(changed);
    // "won't" negates "stop groping"; "groping" has the breaker "stop" between it and the cue, so
    // the groping itself is asserted ("they won't stop groping her" is sexual in the codebook).
    const probe = (text: string) => lexicon.match(text).filter((hit) => hit.category === 'probe');
    expect(probe("They won't stop groping her.")).toMatchObject([{ term: 'groping' }]);
    expect(probe('They did not stop groping her.')).toMatchObject([{ term: 'groping' }]);
    // Without a breaker the cue reaches the shorter term as well: it stays negated.
    expect(probe('He is not groping anyone.')).toEqual([]);
  });
});

describe('negation cues glued to a word by elision (docs/lexicon-format.md §5.1)', () => {
  /** fr with the refusals written only as harmful acts (negatedTerms), whatever the pack's version holds. */
  function french(before?: string[], after?: string[]) {
    const changed = structuredClone(loadLanguagePack('fr'));
    const protective = changed.lexicon.categories.protective!;
    protective.terms = protective.terms.filter((term) => !term.startsWith("n'"));
    protective.negatedTerms = [
      ...(protective.negatedTerms ?? []).filter((term) => !['expuls*', 'accept*'].includes(term)),
      'expuls*',
      'accept*',
    ];
    protective.terms = protective.terms.filter((term) => !['expuls*', 'accept*'].includes(term));
    if (before !== undefined) changed.lexicon.negation.before = before;
    if (after !== undefined) changed.lexicon.negation.after = after;
    return compileLexicon(changed);
  }
  const harms = (lexicon: ReturnType<typeof compileLexicon>, text: string) =>
    lexicon
      .explain(text)
      .matches.filter((hit) => hit.rule === 'negated-harm')
      .map((hit) => hit.term);

  it(`reads a declared elided cue inside the verb's own word: "on n'expulse personne" is a refusal`, () => {
    const lexicon = french();
    expect(harms(lexicon, "On n'expulse personne.")).toContain('expuls*');
    expect(harms(lexicon, "Je n'accepte pas.")).toContain('accept*');
    expect(harms(lexicon, 'Je n’accepte pas.')).toContain('accept*');
    // Not negated: no refusal.
    expect(harms(lexicon, 'Nous expulsons Hugo.')).toEqual([]);
    expect(harms(lexicon, "Nous l'expulsons.")).toEqual([]);
  });

  it('is declared data: without the elided cue "n\'" nothing is negated there', () => {
    // No cue after the verb either (the pack declares "jamais" and "pas" after it since 2.2.0),
    // so only the elided cue could negate these.
    expect(harms(french(['ne', 'jamais', 'pas'], []), "On n'expulse jamais.")).toEqual([]);
    expect(harms(french(['ne', 'jamais', 'pas'], []), "Je n'accepte rien.")).toEqual([]);
  });
});

describe('negation scope into a dependent infinitive clause (docs/lexicon-format.md §5.2)', () => {
  /** de with the two refusals as negatedTerms and, when given, the declared dependent clause. */
  function german(dependentClause?: { markers?: string[]; infixes?: string[] }) {
    const changed = structuredClone(loadLanguagePack('de'));
    const protective = changed.lexicon.categories.protective!;
    const acts = ['unterschreib*', 'hinauszuwerf*'];
    protective.terms = protective.terms.filter((term) => !acts.includes(term));
    protective.negatedTerms = [...(protective.negatedTerms ?? []).filter((term) => !acts.includes(term)), ...acts];
    delete changed.lexicon.negation.dependentClause;
    if (dependentClause !== undefined) changed.lexicon.negation.dependentClause = dependentClause;
    return compileLexicon(changed);
  }
  const refusals = (lexicon: ReturnType<typeof compileLexicon>, text: string) =>
    lexicon
      .explain(text)
      .matches.filter((hit) => hit.rule === 'negated-harm')
      .map((hit) => hit.term);
  const declared = { markers: ['zu', 'um'], infixes: ['zu'] };

  it('lets a cue reach through a comma into a declared zu-infinitive clause', () => {
    const lexicon = german(declared);
    expect(refusals(lexicon, 'Ich bin nicht bereit, das zu unterschreiben.')).toContain('unterschreib*');
    expect(refusals(lexicon, 'Wir haben nicht vor, ihn hinauszuwerfen.')).toContain('hinauszuwerf*');
    // Not a dependent infinitive clause, or not through a comma: the cue stays in its clause.
    expect(refusals(lexicon, 'Ich bin nicht müde, ich unterschreibe.')).toEqual([]);
    expect(refusals(lexicon, 'Ich bin nicht bereit. Das zu unterschreiben wäre falsch.')).toEqual([]);
  });

  it('is declared data: without it the comma ends the scope', () => {
    const lexicon = german();
    expect(refusals(lexicon, 'Ich bin nicht bereit, das zu unterschreiben.')).toEqual([]);
    expect(refusals(lexicon, 'Wir haben nicht vor, ihn hinauszuwerfen.')).toEqual([]);
  });
});

describe('Wilson score intervals', () => {
  it('equals R prop.test(x, n, correct = FALSE)$conf.int', () => {
    // R 4.2: prop.test(8, 10, correct = FALSE)$conf.int -> 0.4901625 0.9433178
    const eight = wilsonInterval(8, 10)!;
    expect(eight.lower).toBeCloseTo(0.4901625, 6);
    expect(eight.upper).toBeCloseTo(0.9433178, 6);
    // prop.test(20, 20, correct = FALSE)$conf.int -> 0.8388748 1.0000000
    const all = wilsonInterval(20, 20)!;
    expect(all.lower).toBeCloseTo(0.8388748, 6);
    expect(all.upper).toBe(1);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('exclusions are matched as terms', () => {
  it('in whitespace scripts an exclusion must stand as whole words, unless written open with `*`', () => {
    const pack = structuredClone(loadLanguagePack('it'));
    // Whatever the pack's lexicon version counts in the refusal, the added exclusions change nothing there.
    const before = compileLexicon(pack).count('Noi rifiutiamo questo ordine.').protective;
    pack.lexicon.categories.protective!.exclude.push('rifiuti', 'rifiuto del*');
    const lexicon = compileLexicon(pack);
    // "rifiuti" (rubbish) no longer cancels "rifiutiamo" (we refuse) as a substring would.
    expect(before).toBeGreaterThan(0);
    expect(lexicon.count('Noi rifiutiamo questo ordine.').protective).toBe(before);
    expect(lexicon.count('Portate fuori i rifiuti.').protective).toBe(0);
    expect(lexicon.count('Il rifiuto della cena.').protective).toBe(0);
  });
});

describe('declared script normalisation', () => {
  it('matches vocalised Arabic and tatweel against unvocalised terms, from the pack declaration', () => {
    const lexicon = compileLexicon(loadLanguagePack('ar'));
    const plain = lexicon.count('يجب أن نحميه').protective;
    expect(plain).toBe(1);
    expect(lexicon.count('يَجِبُ أَنْ نَحْمِيَهُ').protective).toBe(plain);
    expect(lexicon.count('يجب أن نحـــميه').protective).toBe(plain);
    const undeclared = structuredClone(loadLanguagePack('ar'));
    delete undeclared.capabilities.scriptNormalisation;
    expect(compileLexicon(undeclared).count('يَجِبُ أَنْ نَحْمِيَهُ').protective).toBe(0);
  });

  it('matches Hindi written with or without the nukta alike', () => {
    const lexicon = compileLexicon(loadLanguagePack('hi'));
    expect(lexicon.count('हमें उसकी हिफ़ाज़त करनी है').protective).toBe(1);
    expect(lexicon.count('हमें उसकी हिफाजत करनी है').protective).toBe(1);
  });
});

/**
 * A pack's own negation with one probe category in place of its categories, so that only these
 * terms are in play whatever the pack's lexicon version holds: `asserted` count when not negated,
 * `refused` (negatedTerms) only when negated.
 */
function probeLexicon(
  tag: string,
  asserted: string[],
  refused: string[],
  declare: (negation: LanguagePack['lexicon']['negation']) => void = () => {},
) {
  const changed = structuredClone(loadLanguagePack(tag));
  changed.lexicon.categories = {
    probe: { description: 'rule probe', terms: asserted, exclude: [], negatedTerms: refused },
  };
  declare(changed.lexicon.negation);
  return compileLexicon(changed);
}
const probeTerms = (lexicon: ReturnType<typeof compileLexicon>, text: string) =>
  lexicon.match(text).map((hit) => hit.term);

describe('a quotative after a negative form is a negation, not an obligation (docs/lexicon-format.md §5.5)', () => {
  const japanese = () => probeLexicon('ja', ['守*'], ['追い出*', '署名*']);

  it('reads …ないと言った / 決めた / 誓った as a negation: a refusal counts and a negated protection does not', () => {
    const lexicon = japanese();
    expect(probeTerms(lexicon, '誰も追い出さないと言いました。')).toEqual(['追い出*']);
    expect(probeTerms(lexicon, '彼女を追い出さないと決めた。')).toEqual(['追い出*']);
    expect(probeTerms(lexicon, '私たちは署名させないと誓った。')).toEqual(['署名*']);
    expect(probeTerms(lexicon, '彼を守らないと言った。')).toEqual([]);
    expect(probeTerms(lexicon, 'もう彼女を守らないと思う。')).toEqual([]);
  });

  it('keeps the obligation and the conditional: ないと before いけない, a consequence or the clause end asserts', () => {
    const lexicon = japanese();
    expect(probeTerms(lexicon, '彼を守らないといけない。')).toEqual(['守*']);
    expect(probeTerms(lexicon, '俺たち、一丸となってあいつを守らないと。')).toEqual(['守*']);
    expect(probeTerms(lexicon, '彼を守らないとだめだ。')).toEqual(['守*']);
    expect(probeTerms(lexicon, '彼女を追い出さないと罰せられる。')).toEqual([]);
  });

  it('is declared data: without the quotative declaration ないと is always a pseudo-negation', () => {
    const lexicon = probeLexicon('ja', ['守*'], ['追い出*'], (negation) => {
      delete negation.quotative;
    });
    expect(probeTerms(lexicon, '誰も追い出さないと言いました。')).toEqual([]);
    expect(probeTerms(lexicon, '彼を守らないと言った。')).toEqual(['守*']);
  });
});

describe('a reflexive or impersonal clitic is not a conditional (docs/lexicon-format.md §5.4)', () => {
  it('pt: "ela se levanta sem assinar" is a refusal; "se ela não assinar" stays a conditional', () => {
    const lexicon = probeLexicon('pt', ['proteg*'], ['assin*', 'expuls*']);
    expect(probeTerms(lexicon, 'Ela se levanta sem assinar nada.')).toEqual(['assin*']);
    expect(probeTerms(lexicon, 'Ninguém se mexe nem expulsa o Joaquim.')).toEqual(['expuls*']);
    expect(probeTerms(lexicon, 'Aqui a gente se recusa e não assina.')).toEqual(['assin*']);
    expect(probeTerms(lexicon, 'Ele se cala mas não protege ninguém.')).toEqual([]);
    // The conditional keeps its force.
    expect(probeTerms(lexicon, 'Se ela não assinar, cortam a luz.')).toEqual([]);
    expect(probeTerms(lexicon, 'Cortam a luz se a gente não assinar.')).toEqual([]);
  });

  it('it: "se ne sta lì senza firmare" is a refusal; "se non firmiamo" stays a conditional', () => {
    const lexicon = probeLexicon('it', ['protegg*'], ['firm*']);
    expect(probeTerms(lexicon, 'Lei se ne sta lì senza firmare niente.')).toEqual(['firm*']);
    expect(probeTerms(lexicon, 'Se non firmiamo, ci puniscono.')).toEqual([]);
  });

  it('is declared data: without pseudo-conditionals "se" before the cue voids it', () => {
    const lexicon = probeLexicon('pt', ['proteg*'], ['assin*'], (negation) => {
      delete negation.pseudoConditionals;
    });
    expect(probeTerms(lexicon, 'Ela se levanta sem assinar nada.')).toEqual([]);
  });
});

describe('a negative subject reaches its verb over an insertion and a long subject (docs/lexicon-format.md §5.8)', () => {
  const cases: [tag: string, refused: string, asserted: string, insertion: string, longSubject: string][] = [
    [
      'en',
      '~sign',
      'protect*',
      'Nobody, not one of us, will sign.',
      'Nobody in this whole group of ten people will ever sign it.',
    ],
    [
      'pt',
      'assin*',
      'proteg*',
      'Ninguém, nem mesmo eu, vai assinar.',
      'Ninguém deste grupo inteiro de dez pessoas vai assinar isso.',
    ],
    [
      'es',
      'firm*',
      'proteg*',
      'Nadie, ni siquiera yo, va a firmar.',
      'Nadie de este grupo entero de diez personas va a firmar eso.',
    ],
    [
      'it',
      'firm*',
      'protegg*',
      'Nessuno, nemmeno io, firmerà.',
      'Nessuno di questo gruppo intero di dieci persone firmerà mai.',
    ],
    [
      'de',
      'unterschreib*',
      'schütz*',
      'Niemand, nicht einmal ich, wird unterschreiben.',
      'Niemand aus dieser ganzen Gruppe von zehn Leuten wird unterschreiben.',
    ],
    [
      'sv',
      'underteckn*',
      'skydd*',
      'Ingen, inte ens jag, kommer att underteckna.',
      'Ingen i hela den här gruppen av tio kommer att underteckna.',
    ],
  ];

  it.each(cases)(
    '%s: the refusal counts over the insertion and the long subject',
    (tag, refused, asserted, insertion, longSubject) => {
      const lexicon = probeLexicon(tag, [asserted], [refused]);
      expect(probeTerms(lexicon, insertion)).toEqual([refused]);
      expect(probeTerms(lexicon, longSubject)).toEqual([refused]);
    },
  );

  it('en: the scope still ends at another clause, a clause word, a breaker or a second comma-clause', () => {
    const lexicon = probeLexicon('en', ['protect*'], ['~sign']);
    expect(probeTerms(lexicon, 'Nobody came. We will sign.')).toEqual([]);
    expect(probeTerms(lexicon, 'Nobody came to help so we will sign.')).toEqual([]);
    expect(probeTerms(lexicon, 'Nobody, we protect her.')).toEqual(['protect*']);
    expect(probeTerms(lexicon, 'Nobody, not one of us, will stop them from making us sign.')).toEqual([]);
    // Negated protection stays no protection across the insertion.
    expect(probeTerms(lexicon, 'Nobody, not even the doctor, will protect him.')).toEqual([]);
  });

  it('is declared data: without negative subjects the comma ends the scope', () => {
    const lexicon = probeLexicon('en', ['protect*'], ['~sign'], (negation) => {
      delete negation.subjects;
    });
    expect(probeTerms(lexicon, 'Nobody, not one of us, will sign.')).toEqual([]);
  });
});

describe('a sense block stays in the sentence of its hit (docs/lexicon-format.md §6)', () => {
  function withColdBlock(tag: string, term: string, context: string) {
    const changed = structuredClone(loadLanguagePack(tag));
    changed.lexicon.categories = {
      probe: {
        description: 'rule probe',
        terms: [term],
        exclude: [],
        senseBlocks: [{ terms: [term], context: [context], window: 6 }],
      },
    };
    return compileLexicon(changed);
  }

  it.each([
    ['fr', 'corps', 'froid*', 'Il fait si froid. Ils veulent voir nos corps.', 'Nos corps tremblent de froid.'],
    ['en', 'bodies', 'freez*', 'It is freezing! They want to inspect our bodies.', 'Our bodies are freezing.'],
    ['ja', '体', '寒', '外は寒い。彼らは私たちの体を見たがっている。', '寒くて体が震える。'],
  ])('%s: a context in another sentence does not block the hit', (tag, term, context, otherSentence, sameSentence) => {
    const lexicon = withColdBlock(tag, term, context);
    expect(probeTerms(lexicon, otherSentence)).toEqual([term]);
    expect(probeTerms(lexicon, sameSentence)).toEqual([]);
  });
});

describe('a verb of wanting takes the cue for itself in a declared category, never for a refusal (docs/lexicon-format.md §5.3)', () => {
  /** The pack's verbs of wanting, declared for the probe category (the packs declare them for sexual). */
  const forProbe = (negation: LanguagePack['lexicon']['negation']) => {
    negation.volitional = { verbs: negation.volitional!.verbs, categories: ['probe'] };
  };

  // [tag, mention term, refused term, "I don't want to <mention>", "I don't want to <refused>", "I don't <mention>"]
  const cases: [tag: string, mention: string, refused: string, wanted: string, refusal: string, denied: string][] = [
    [
      'en',
      'sleep with',
      '~sign',
      "I don't want to sleep with him.",
      "I don't want to sign.",
      "I don't sleep with him.",
    ],
    [
      'de',
      'schlafen',
      'unterschreib*',
      'Ich will nicht mit ihm schlafen.',
      'Ich will nicht unterschreiben.',
      'Ich werde nicht mit ihm schlafen.',
    ],
    [
      'sv',
      'ligga med',
      'skriva under',
      'Jag vill inte ligga med honom.',
      'Jag vill inte skriva under.',
      'Jag kommer inte ligga med honom.',
    ],
    ['ru', 'спать с', 'подпис*', 'Я не хочу спать с ним.', 'Я не хочу подписывать.', 'Я не буду спать с ним.'],
    [
      'id',
      'tidur dengan',
      'tanda tangan',
      'Aku tidak mau tidur dengan dia.',
      'Aku tidak mau tanda tangan.',
      'Aku tidak tidur dengan dia.',
    ],
    ['ar', 'تشارك', 'اوقع', 'لا تريد أن تشارك أحدا فراشه.', 'لا أريد أن أوقع.', 'لن تشارك أحدا فراشه.'],
    ['es', 'acostarme con', 'firm*', 'No quiero acostarme con él.', 'No quiero firmar.', 'No voy a acostarme con él.'],
    [
      'fr',
      'coucher avec',
      'sign*',
      'Je ne veux pas coucher avec lui.',
      'Je ne veux pas signer.',
      'Je ne vais pas coucher avec lui.',
    ],
  ];

  it.each(cases)(
    '%s: the mention stays, the refusal counts, a plain negation still denies',
    (tag, mention, refused, wanted, refusal, denied) => {
      const lexicon = probeLexicon(tag, [mention], [refused], forProbe);
      expect(probeTerms(lexicon, wanted)).toEqual([mention]);
      expect(probeTerms(lexicon, refusal)).toEqual([refused]);
      expect(probeTerms(lexicon, denied)).toEqual([]);
    },
  );

  it('is declared data: without verbs of wanting, or for a category not declared, the cue reaches the hit', () => {
    for (const [tag, mention, refused, wanted] of cases) {
      const lexicon = probeLexicon(tag, [mention], [refused], (negation) => {
        delete negation.volitional;
      });
      expect(probeTerms(lexicon, wanted)).toEqual([]);
      // The packs declare them for sexual only: the probe category's mention is denied.
      expect(probeTerms(probeLexicon(tag, [mention], [refused]), wanted)).toEqual([]);
    }
    // Not wanting to protect someone is no protection (the packs' protective terms).
    expect(compileLexicon(loadLanguagePack('es')).count('No quiero proteger a Adrián.').protective).toBe(0);
    expect(compileLexicon(loadLanguagePack('en')).count("I don't want to protect him.").protective).toBe(0);
  });
});

describe('a conditional ends where its main clause starts (docs/lexicon-format.md §5.4)', () => {
  // [tag, refused term, condition then main clause without a comma, negated condition]
  const cases: [tag: string, refused: string, mainClause: string, negatedCondition: string][] = [
    ['en', 'evict*', "If we stay united they can't evict anyone.", "If we don't evict her they cut the heating."],
    ['sv', 'vräk*', 'Om vi håller ihop kan de inte vräka någon.', 'Om vi inte vräker henne stänger de av värmen.'],
    [
      'id',
      'mengusir',
      'Kalau kita bersatu mereka tidak bisa mengusir siapa pun.',
      'Kalau kita tidak mengusir dia pemanas dimatikan.',
    ],
    [
      'fr',
      'expuls*',
      'Si on reste unis ils ne peuvent expulser personne.',
      "Si on n'expulse pas Marie ils coupent le chauffage.",
    ],
    [
      'es',
      'echar',
      'Si seguimos unidos entonces no pueden echar a nadie.',
      'Si no la echamos a ella cortan la calefacción.',
    ],
    [
      'pt',
      'expuls*',
      'Se ficarmos unidos eles não podem expulsar ninguém.',
      'Se não expulsarmos ela cortam o aquecimento.',
    ],
    [
      'de',
      'rauswerf*',
      'Wenn wir zusammenhalten dann können sie niemanden rauswerfen.',
      'Wenn wir sie nicht rauswerfen drehen sie die Heizung ab.',
    ],
  ];

  it.each(cases)(
    '%s: the refusal in the main clause counts; a negated condition is still no refusal',
    (tag, refused, main, condition) => {
      const lexicon = probeLexicon(tag, [], [refused]);
      expect(probeTerms(lexicon, main)).toEqual([refused]);
      expect(probeTerms(lexicon, condition)).toEqual([]);
    },
  );

  it('is declared data: without main-clause words the conditional reaches the cue', () => {
    for (const [tag, refused, main] of cases) {
      const lexicon = probeLexicon(tag, [], [refused], (negation) => {
        delete negation.mainClause;
      });
      expect(probeTerms(lexicon, main)).toEqual([]);
    }
  });
});

describe('a long negative subject is a declared subject (docs/lexicon-format.md §5.8)', () => {
  const cases: [tag: string, refused: string, sentence: string][] = [
    ['en', '~vote ... out', 'Not a single one of us will vote him out.'],
    ['es', 'firm*', 'Ni uno solo de nosotros va a firmar eso.'],
    ['pt', 'assin*', 'Nem um único de nós vai assinar isso.'],
    ['sv', 'skriva under', 'Inte en enda av oss kommer att skriva under.'],
  ];

  it.each(cases)('%s: "not a single one of us" negates its verb beyond the window', (tag, refused, sentence) => {
    expect(probeTerms(probeLexicon(tag, [], [refused]), sentence)).toEqual([refused]);
  });
});

describe('a verb-first conditional voids the cues in it (docs/lexicon-format.md §5.4)', () => {
  const cases: [tag: string, refused: string, condition: string, refusals: string[]][] = [
    [
      'de',
      'werf* ...4 raus',
      'Werfen wir sie nicht raus, drehen sie die Heizung ab.',
      [
        'Wir werfen sie nicht raus.',
        'Werfen wir sie nicht raus!',
        'Wenn wir zusammenhalten, werfen wir sie nicht raus.',
        'Heute werfen wir sie nicht raus, sie ist krank.',
      ],
    ],
    [
      'sv',
      'vräka',
      'Tänker vi inte vräka henne stänger de av värmen.',
      [
        'Vi tänker inte vräka henne.',
        'Står vi enade kan de inte vräka någon.',
        'Därför tänker vi inte vräka henne i natt.',
        'Tänker vi inte vräka henne?',
      ],
    ],
  ];

  it.each(cases)(
    '%s: no refusal in the condition; refusals elsewhere still count',
    (tag, refused, condition, refusals) => {
      const lexicon = probeLexicon(tag, [], [refused]);
      expect(probeTerms(lexicon, condition)).toEqual([]);
      for (const refusal of refusals) expect(probeTerms(lexicon, refusal)).toEqual([refused]);
    },
  );

  it('is declared data: without it the cue in the condition negates', () => {
    for (const [tag, refused, condition] of cases) {
      const lexicon = probeLexicon(tag, [], [refused], (negation) => {
        delete negation.verbFirstConditional;
      });
      expect(probeTerms(lexicon, condition)).toEqual([refused]);
    }
  });
});

describe('an after cue declared whole-word is not the start of another word (docs/lexicon-format.md §5.1)', () => {
  const korean = (declare?: (negation: LanguagePack['lexicon']['negation']) => void) =>
    probeLexicon('ko', ['보호*'], ['내보내*'], declare);

  it('ko: 마 ("don\'t") negates, the 마 of 마셔 ("drink") does not; short 안 before the verb negates it', () => {
    const lexicon = korean();
    expect(probeTerms(lexicon, '그를 보호하면서 차를 마셔요.')).toEqual(['보호*']);
    expect(probeTerms(lexicon, '그를 보호하지 마.')).toEqual([]);
    expect(probeTerms(lexicon, '그 사람을 내보내지 마.')).toEqual(['내보내*']);
    expect(probeTerms(lexicon, '우리는 그를 안 내보내요.')).toEqual(['내보내*']);
  });

  it('is declared data: without it 마셔 starts with the cue 마', () => {
    const lexicon = korean((negation) => {
      delete negation.afterWholeWord;
    });
    expect(probeTerms(lexicon, '그를 보호하면서 차를 마셔요.')).toEqual([]);
  });
});
