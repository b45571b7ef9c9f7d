import { z } from 'zod';
import { CovariateNameSchema, LanguageTagSchema } from './study.js';
import { ScenarioPhaseSchema } from './surrogate-parameters.js';

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
      })
      .strict()
      .optional(),
  })
  .strict();
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const ScenarioTurnSchema = z
  .object({
    turn: z.number().int().min(1),
    phase: ScenarioPhaseSchema,
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
      })
      .strict(),
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
