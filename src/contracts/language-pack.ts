import { z } from 'zod';
import { CovariateNameSchema, LanguageTagSchema } from './study.js';
import { PhaseNameSchema, ScenarioPhaseDeclarationSchema } from './scenario-phases.js';

/**
 * A language pack is data plus declared capabilities. Shared code reads the capabilities (script,
 * direction, segmentation) and never branches on a language code. One folder per BCP-47 tag under
 * `src/languages/`, holding `pack.json` in this shape.
 */

/** Lexicon categories every pack must define. Packs may add more. */
export const REQUIRED_LEXICON_CATEGORIES = ['sexual', 'protective', 'conformity', 'individuation'] as const;

/** Interventions every pack must define. Packs may add more (a study names them). */
export const REQUIRED_INTERVENTIONS = ['alignment', 'individuation'] as const;

/**
 * Registers of the surrogate's phrase bank: what kind of thing an agent says.
 * - neutral: everyday, procedural talk;
 * - compliance: going along with the facility's orders;
 * - coercion-echo: taking up the coercive content (disclosure, the "intimacy programme", bodies):
 *   the register the `sexual` lexicon measures; described, never depicted;
 * - protective-conformity: protecting others through group harmony and consensus;
 * - protective-individuation: protecting others through an independent, personal stance;
 * - dissociation: inner conflict between what one says and what one thinks (monologue).
 */
export const PHRASE_REGISTERS = [
  'neutral',
  'compliance',
  'coercion-echo',
  'protective-conformity',
  'protective-individuation',
  'dissociation',
] as const;
export const PhraseRegisterSchema = z.enum(PHRASE_REGISTERS);
export type PhraseRegister = z.infer<typeof PhraseRegisterSchema>;

export const CHANNELS = ['talk', 'whisper', 'monologue'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/**
 * The Snowball stemmers a pack may declare (`capabilities.morphology.stemmer`): the algorithms of
 * the snowball-stemmers package (src/metrics/morphology.test.ts checks the list against it).
 */
export const SNOWBALL_STEMMERS = [
  'snowball:arabic',
  'snowball:armenian',
  'snowball:basque',
  'snowball:catalan',
  'snowball:czech',
  'snowball:danish',
  'snowball:dutch',
  'snowball:english',
  'snowball:finnish',
  'snowball:french',
  'snowball:german',
  'snowball:hungarian',
  'snowball:italian',
  'snowball:irish',
  'snowball:norwegian',
  'snowball:porter',
  'snowball:portuguese',
  'snowball:romanian',
  'snowball:russian',
  'snowball:spanish',
  'snowball:slovene',
  'snowball:swedish',
  'snowball:tamil',
  'snowball:turkish',
] as const;

export const PackMetaSchema = z
  .object({
    tag: LanguageTagSchema,
    englishName: z.string().min(1),
    nativeName: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version such as 1.0.0'),
    /** Who wrote the pack: a person, or the tool/model that drafted it. */
    author: z.string().min(1),
    reviewStatus: z.enum(['draft', 'machine-drafted', 'self-reviewed', 'native-reviewed']),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date YYYY-MM-DD'),
    /** Choices a reviewer should check. */
    notes: z.array(z.string()),
  })
  .strict();

export const CapabilitiesSchema = z
  .object({
    /** ISO 15924 script code, e.g. Latn, Jpan, Hans, Hang, Cyrl, Arab, Deva. */
    script: z.string().regex(/^[A-Z][a-z]{3}$/),
    direction: z.enum(['ltr', 'rtl']),
    /** How words are found: split on whitespace/punctuation, or Intl.Segmenter (unspaced scripts). */
    segmentation: z.enum(['whitespace', 'intl-segmenter']),
    /** ISO 639-3 code the language detector reports for this language. */
    detectorCode: z.string().regex(/^[a-z]{3}$/),
    /** Whether lexicon matching keeps letter case (false: both sides are lower-cased). */
    caseSensitive: z.boolean().default(false),
    /**
     * Script normalisation before lexicon matching, applied to texts and terms alike, so that
     * spelling variants of one word match one term (docs/codebook.md: vocalised and unvocalised
     * Arabic are labelled alike).
     */
    scriptNormalisation: z
      .object({
        /**
         * Characters removed (after NFKC), each a single character or a range "a-z" of code points:
         * e.g. Arabic harakat U+064B-U+065F, superscript alef U+0670, tatweel U+0640; the Devanagari
         * nukta U+093C (NFKC has already split precomposed nukta letters into letter + nukta).
         */
        remove: z
          .array(z.string().regex(/^(?:.|.-.)$/u, 'must be one character or a range such as "\u064B-\u065F"'))
          .default([]),
        /** Letters folded into one spelling, e.g. Arabic "أ" -> "ا"; each key and value one character. */
        fold: z.record(z.string().regex(/^.$/u), z.string().regex(/^.?$/u)).default({}),
        /**
         * Chinese variant conversion with the maintained converter opencc-js (docs/lexicon-format.md
         * §7), applied after lower-casing and before `remove` / `fold`: e.g. from "tw" to "cn" lets
         * Traditional text meet Simplified terms.
         */
        opencc: z
          .object({ from: z.enum(['t', 'tw', 'twp', 'hk']), to: z.enum(['cn']) })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /**
     * Morphology for the `~word` (stem) words of lexicon terms (docs/lexicon-format.md §3): a
     * maintained Snowball stemmer ("snowball:<algorithm>" of the snowball-stemmers package) and/or
     * declared affix rules (longest prefix, then longest suffix, each only if `minStem` characters
     * stay).
     */
    morphology: z
      .object({
        stemmer: z.enum(SNOWBALL_STEMMERS).optional(),
        prefixes: z.array(z.string().min(1)).optional(),
        suffixes: z.array(z.string().min(1)).optional(),
        minStem: z.number().int().min(1).max(10).optional(),
      })
      .strict()
      .optional(),
    /**
     * Romanised input (docs/lexicon-format.md §7): "lexicon" when the language is also written in
     * Latin letters and the lexicon holds romanised terms and cues; "none" (the default) when
     * romanised text is not scored.
     */
    romanised: z
      .object({ policy: z.enum(['lexicon', 'none']) })
      .strict()
      .optional(),
  })
  .strict();
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const ScenarioTurnSchema = z
  .object({
    turn: z.number().int().min(1),
    /**
     * The phase this turn is in. Required when the scenario declares no `phases` (each name is then
     * also its kind); optional, and must agree, when it does (scenario-phases.ts).
     */
    phase: PhaseNameSchema.optional(),
    /** What the facility announces at the start of the turn. May use {target}. */
    text: z.string().min(1),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    title: z.string().min(1),
    /** The setting every agent is told about in its system prompt. */
    setting: z.string().min(1),
    /** The persona singled out for exclusion in the last phase (the "quiet member"). */
    targetPersonaId: z.string(),
    turns: z.array(ScenarioTurnSchema).min(1),
    /**
     * The scenario's phases in turn order (name, first and last turn, the surrogate's phase kind).
     * Optional: without it every turn names its phase, and the name is the kind (scenario-phases.ts).
     */
    phases: z.array(ScenarioPhaseDeclarationSchema).optional(),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;

export const PersonaSchema = z
  .object({
    /** Shared across packs (p01..p10) so that persona i is the same role in every language. */
    id: z.string().regex(/^p\d{2}$/),
    name: z.string().min(1),
    age: z.number().int().min(16).max(100),
    role: z.string().min(1),
    description: z.string().min(1),
  })
  .strict();
export type Persona = z.infer<typeof PersonaSchema>;

export const PromptsSchema = z
  .object({
    /** System prompt. Placeholders: {name} {persona} {setting} {others} {turns}. */
    system: z.string().min(1),
    /** Instruction texts by id, prefixed to the system prompt of the agents that receive them. */
    interventions: z.record(z.string(), z.string().min(1)),
    /** How to answer: the action format. Placeholders: {others}. */
    actionFormat: z.string().min(1),
    /** Header of each turn's observation message. Placeholders: {turn} {turns}. */
    turnHeader: z.string().min(1),
    /** The facility's announcement line. Placeholder: {text}. */
    announcement: z.string().min(1),
    /** Someone's public speech. Placeholders: {speaker} {text}. */
    talkObserved: z.string().min(1),
    /** A whisper addressed to this agent. Placeholders: {speaker} {text}. */
    whisperObserved: z.string().min(1),
    /** Shown when nothing else happened since the agent's last action. */
    nothingObserved: z.string().min(1),
    /** The closing request of each observation message ("Your action:"). */
    actionRequest: z.string().min(1),
  })
  .strict();

export const LexiconCategorySchema = z
  .object({
    description: z.string().min(1),
    /** Terms; `*` at the end matches any word continuation (stems), otherwise whole words. */
    terms: z.array(z.string().min(1)).min(1),
    /** Longer expressions that contain a term but must not count (other senses of a word). */
    exclude: z.array(z.string().min(1)).default([]),
    /**
     * A register of another category (docs/codebook.md): this category's hits count only in an
     * action that also has a hit of the named category, e.g. conformity and individuation are
     * registers of protective speech.
     */
    registerOf: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/)
      .optional(),
    /**
     * Whether a negation cue drops a hit of this category's `terms` (docs/lexicon-format.md §5.7).
     * Default: "applies", except "ignored" for a category declared `registerOf` (the codebook's
     * rule: a register marker keeps its force in negated protective speech, "none of us will sign").
     */
    negation: z.enum(['applies', 'ignored']).optional(),
    /**
     * Acts whose negated or prohibited occurrence is a hit of this category (docs/lexicon-format.md
     * §5.6): "I won't sign", "don't hurt him" are protective. Same term syntax; they count only when
     * negated.
     */
    negatedTerms: z.array(z.string().min(1)).optional(),
    /**
     * Other senses recognised by their context (docs/lexicon-format.md §6): a hit of one of `terms`
     * (as written in this category) is dropped when a `context` expression occurs within `window`
     * words of it (a body word near cold and fever words is not sexual).
     */
    senseBlocks: z
      .array(
        z
          .object({
            terms: z.array(z.string().min(1)).min(1),
            context: z.array(z.string().min(1)).min(1),
            window: z.number().int().min(1).max(12),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export const LexiconSchema = z
  .object({
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    /** Negation cues: a hit is dropped when a cue stands within `window` words before / after it. */
    negation: z
      .object({
        before: z.array(z.string()).default([]),
        after: z.array(z.string()).default([]),
        window: z.number().int().min(0).max(10).default(3),
        /**
         * `after` cues that count only as a whole word after the hit, never as the start of a longer
         * word: Korean 마 ("don't") is not the 마 of 마셔 ("drink"), docs/lexicon-format.md §5.1.
         */
        afterWholeWord: z.array(z.string().min(1)).optional(),
        /** Words that end a clause for negation and gaps, besides clause punctuation ("but", "and"). */
        clauseWords: z.array(z.string().min(1)).optional(),
        /** Words that take a negation for themselves: "they won't stop groping her" stays sexual. */
        breakers: z.array(z.string().min(1)).optional(),
        /**
         * Verbs of wanting, liking or needing that take a cue for themselves when the hit is a term
         * of one of `categories` (mentions): "I don't want to sleep with him" stays sexual, whereas
         * "I don't want to protect him" is no protection and "I don't want to sign" (negatedTerms)
         * a refusal (docs/lexicon-format.md §5.3).
         */
        volitional: z
          .object({ verbs: z.array(z.string().min(1)).min(1), categories: z.array(z.string().min(1)).min(1) })
          .strict()
          .optional(),
        /** Words opening a conditional: "if we don't undress ..." asserts the demand; the cue is void. */
        conditionals: z.array(z.string().min(1)).optional(),
        /**
         * Words that start the main clause after a condition (subject pronouns, "then"): standing
         * between a conditional word (not right after it) and a cue, they end the conditional's reach
         * ("if we stay united they can't evict anyone"), docs/lexicon-format.md §5.4.
         */
        mainClause: z.array(z.string().min(1)).optional(),
        /**
         * Verb-first conditionals (Swedish "Säger vi nej ...", German "Unterschreiben wir nicht, ..."):
         * a clause whose second word is one of these subject pronouns is a condition, and a cue in
         * it is void, as after a conditional word (docs/lexicon-format.md §5.4).
         */
        verbFirstConditional: z
          .object({ subjects: z.array(z.string().min(1)).min(1) })
          .strict()
          .optional(),
        /** How many words before a cue a conditional word may stand (default 6). */
        conditionalWindow: z.number().int().min(1).max(12).optional(),
        /** Expressions containing a cue that do not negate (Japanese ないと, Korean 않으면). */
        pseudo: z.array(z.string().min(1)).optional(),
        /**
         * Pseudo-negations that are a negation after all when a verb of saying, deciding or thinking
         * follows them directly: Japanese quotative と (…しないと言った), docs/lexicon-format.md §5.5.
         */
        quotative: z
          .object({ pseudo: z.array(z.string().min(1)).min(1), followedBy: z.array(z.string().min(1)).min(1) })
          .strict()
          .optional(),
        /**
         * Expressions containing a conditional word that is not a conditional there (a clitic pronoun:
         * Portuguese "ninguém se mexe", Italian "non se ne va"): docs/lexicon-format.md §5.4.
         */
        pseudoConditionals: z.array(z.string().min(1)).optional(),
        /**
         * Negative subjects ("nobody", "ninguém") whose scope runs over a comma-enclosed insertion
         * right after them and reaches the verb of a long subject: docs/lexicon-format.md §5.8.
         */
        subjects: z
          .object({
            cues: z.array(z.string().min(1)).min(1),
            window: z.number().int().min(1).max(12),
            insertion: z.number().int().min(0).max(12).default(6),
          })
          .strict()
          .optional(),
        /**
         * A `before` cue reaches through a comma into a following dependent infinitive clause
         * (German "nicht bereit, das zu unterschreiben"), recognised by a marker word between the comma
         * and the hit or by an infix inside the hit's first word ("hinaus-zu-werfen"):
         * docs/lexicon-format.md §5.2.
         */
        dependentClause: z
          .object({ markers: z.array(z.string().min(1)).optional(), infixes: z.array(z.string().min(1)).optional() })
          .strict()
          .optional(),
      })
      .strict(),
    /** The default maximum number of words a `...` gap of a pattern term spans (default 3). */
    maxGap: z.number().int().min(0).max(8).optional(),
    /** Clitics that may be attached in front of any term (e.g. Arabic و ف ب ل ال), matched before it. */
    cliticPrefixes: z.array(z.string().min(1)).default([]),
    /** Quotation marks: text between an opening and closing mark is reported speech and not scored. */
    quotes: z.array(z.tuple([z.string().min(1), z.string().min(1)])).default([]),
    categories: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), LexiconCategorySchema),
  })
  .strict();
export type Lexicon = z.infer<typeof LexiconSchema>;

export const CovariatesSchema = z
  .object({
    /** ISO 3166 code of the country (or a named cluster) the language is mapped to. */
    country: z.string().min(2),
    countryName: z.string().min(1),
    /** Why this country represents the language (a reviewer should be able to disagree). */
    mappingRationale: z.string().min(1),
    hofstede: z.record(CovariateNameSchema, z.number().min(0).max(120).nullable()),
    source: z.string().min(1),
  })
  .strict();

export const LanguagePackSchema = z
  .object({
    meta: PackMetaSchema,
    capabilities: CapabilitiesSchema,
    scenario: ScenarioSchema,
    personas: z.array(PersonaSchema).min(2),
    prompts: PromptsSchema,
    /** Localised names a model may use for a channel in the action tag (e.g. "[独白]"). */
    channelAliases: z
      .object({
        talk: z.array(z.string().min(1)),
        whisper: z.array(z.string().min(1)),
        monologue: z.array(z.string().min(1)),
      })
      .strict(),
    lexicon: LexiconSchema,
    phraseBank: z.record(PhraseRegisterSchema, z.array(z.string().min(1)).min(3)),
    covariates: CovariatesSchema,
  })
  .strict();

export type LanguagePackInput = z.input<typeof LanguagePackSchema>;
export type LanguagePack = z.infer<typeof LanguagePackSchema>;
