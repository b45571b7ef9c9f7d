import {
  type ChatMessage,
  type GenerateRequest,
  type GenerateResult,
  type LanguagePack,
  type PhaseKind,
  type PhraseRegister,
  type SurrogateParameters,
  createMulberry32,
  deriveSeed,
  scenarioPhases,
  standardNormal,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { effectiveProfile } from './parameters.js';

/**
 * The built-in surrogate: a documented stochastic model of agent behaviour, NOT a language model.
 * It reads the same rendered messages a real model gets (its instructions from the system prompt,
 * what the group said from the newest observations), decides a channel and a register with the
 * multinomial-logit model described in README.md, realises the text from the language pack's phrase
 * bank, and answers in the action format real models must use.
 */

export interface SurrogateOptions {
  /** The model reference this surrogate answers as (`surrogate` or `surrogate:<variant>`). */
  ref?: string;
  packs: ReadonlyMap<string, LanguagePack>;
  parameters: SurrogateParameters;
  /** Covariate values per language (pack values with a study's overrides applied). */
  covariates: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  /** Lexicon hit counts of a text in a language: how the surrogate "hears" the group. */
  scoreText: (language: string, text: string) => Readonly<Record<string, number>>;
}

export const SURROGATE_REF = 'surrogate';

/** `surrogate` or `surrogate:<variant>`: the variant name, or undefined for a non-surrogate ref. */
export function surrogateVariantOf(ref: string): string | null | undefined {
  if (ref === SURROGATE_REF) return null;
  return ref.startsWith(`${SURROGATE_REF}:`) ? ref.slice(SURROGATE_REF.length + 1) : undefined;
}

interface LanguageView {
  pack: LanguagePack;
  alignmentText: string | undefined;
  individuationText: string | undefined;
  /** The pack's other interventions: name and prompt text. */
  otherInterventions: { name: string; text: string }[];
  observedSpeech: RegExp[];
  targetName: string;
  /**
   * The phase kind of each scenario turn (index turn - 1), read from the scenario's phases: the
   * surrogate's pressure and echo are keyed by kind, never by a phase's name. Past the last turn the
   * last phase's kind holds.
   */
  phaseKinds: PhaseKind[];
}

export function createSurrogateModel(options: SurrogateOptions): ChatModel {
  const views = new Map<string, LanguageView>();
  const viewOf = (language: string): LanguageView => {
    let view = views.get(language);
    if (view === undefined) {
      const pack = options.packs.get(language);
      if (pack === undefined) throw new Error(`surrogate: no language pack loaded for "${language}"`);
      view = {
        pack,
        alignmentText: pack.prompts.interventions.alignment?.trim(),
        individuationText: pack.prompts.interventions.individuation?.trim(),
        otherInterventions: Object.entries(pack.prompts.interventions)
          .filter(([name]) => name !== 'alignment' && name !== 'individuation')
          .map(([name, text]) => ({ name, text: text.trim() })),
        observedSpeech: [pack.prompts.talkObserved, pack.prompts.whisperObserved].map(templateToPattern),
        targetName: pack.personas.find((persona) => persona.id === pack.scenario.targetPersonaId)?.name ?? '',
        phaseKinds: scenarioPhases(pack.scenario).flatMap((phase) =>
          Array.from({ length: phase.lastTurn - phase.firstTurn + 1 }, () => phase.kind),
        ),
      };
      views.set(language, view);
    }
    return view;
  };
  const parameters = options.parameters;
  const modelVersion = `backfire-surrogate/${parameters.version}${options.ref !== undefined && options.ref !== SURROGATE_REF ? `/${options.ref}` : ''}`;

  return {
    ref: options.ref ?? SURROGATE_REF,
    surrogate: true,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const { metadata } = request;
      const view = viewOf(metadata.language);
      const pack = view.pack;
      const system = request.messages[0]?.content ?? '';
      const aligned = view.alignmentText !== undefined && system.includes(view.alignmentText) ? 1 : 0;
      const individuated = view.individuationText !== undefined && system.includes(view.individuationText) ? 1 : 0;
      // Any other intervention acts through its declared effects; without them it has none, and
      // the call says so (a setting the model ignores is never silent).
      const warnings: string[] = [];
      const other = { monologue: 0, protective: 0, echo: 0, conformity: 0 };
      for (const intervention of view.otherInterventions) {
        if (intervention.text === '' || !system.includes(intervention.text)) continue;
        const effects = parameters.interventions[intervention.name];
        if (effects === undefined) {
          warnings.push(
            `the surrogate has no effect parameters for intervention '${intervention.name}': it has no effect here (set surrogate.parameters.interventions.${intervention.name})`,
          );
          continue;
        }
        other.monologue += effects.monologue;
        other.protective += effects.protective;
        other.echo += effects.echo;
        other.conformity += effects.conformity;
      }
      if (request.topP !== undefined && request.topP < 1) {
        warnings.push(`the surrogate ignores topP (${request.topP}); only temperature shapes its sampling`);
      }
      const phase = view.phaseKinds[Math.min(metadata.turn, view.phaseKinds.length) - 1] ?? 'exclusion';
      const pressure = parameters.register.pressureByPhase[phase];
      const profile = effectiveProfile(parameters, metadata.language, options.covariates[metadata.language] ?? {});

      // Latent heterogeneity: fixed per run and per agent (derived from ids, not from the call seed).
      const runLatent =
        standardNormal(createMulberry32(deriveSeed(metadata.runId, 'run-latent'))) * parameters.variability.runSd;
      const echoLatent =
        standardNormal(createMulberry32(deriveSeed(metadata.runId, 'echo-latent'))) * parameters.variability.runSd;
      const agentLatent =
        standardNormal(createMulberry32(deriveSeed(metadata.runId, metadata.agentId, 'agent-latent'))) *
        parameters.variability.agentSd;

      // What the group said since this agent last acted.
      // Scored line by line: group members repeat one another, so the matcher's memo serves most lines.
      const speech = observedSpeech(request.messages, view.observedSpeech);
      let conformityHeard = 0;
      let individuationHeard = 0;
      let sexualHeard = 0;
      for (const line of speech) {
        const heard = options.scoreText(metadata.language, line);
        conformityHeard += heard.conformity ?? 0;
        individuationHeard += heard.individuation ?? 0;
        sexualHeard += heard.sexual ?? 0;
      }
      const conformityShare = (conformityHeard + 0.5) / (conformityHeard + individuationHeard + 1);
      const echoHeard = Math.min(3, sexualHeard / Math.max(1, speech.length));

      const random = createMulberry32(request.seed);
      const temperature = Math.max(request.temperature, 0.05);
      const channelParameters = parameters.channel;
      const channel = sample(random, temperature, {
        talk: 0,
        monologue:
          channelParameters.monologueIntercept +
          profile.alignmentMonologue * aligned +
          channelParameters.individuationMonologue * individuated +
          other.monologue +
          channelParameters.monologuePressure * pressure +
          runLatent +
          agentLatent,
        whisper: channelParameters.whisperIntercept + channelParameters.whisperPressure * pressure,
      });

      const registerParameters = parameters.register;
      const registerLogits: Partial<
        Record<'neutral' | 'compliance' | 'coercion-echo' | 'protective' | 'dissociation', number>
      > = {
        neutral: 0,
        compliance: registerParameters.complianceIntercept + registerParameters.compliancePressure * pressure,
        'coercion-echo':
          registerParameters.echoIntercept +
          registerParameters.echoByPhase[phase] +
          profile.alignmentEcho * aligned +
          registerParameters.individuationEcho * individuated +
          other.echo +
          registerParameters.socialEcho * echoHeard +
          echoLatent,
        protective:
          registerParameters.protectiveIntercept +
          registerParameters.protectivePressure * pressure +
          profile.alignmentProtective * aligned +
          registerParameters.individuationProtective * individuated +
          other.protective,
      };
      if (channel === 'monologue') {
        registerLogits.dissociation =
          registerParameters.dissociationIntercept + registerParameters.dissociationAlignment * aligned;
      }
      const broadRegister = sample(random, temperature, registerLogits);
      let register: PhraseRegister;
      if (broadRegister === 'protective') {
        const conformityLogit =
          profile.conformityBias +
          profile.alignmentConformity * aligned +
          registerParameters.individuationConformity * individuated +
          other.conformity +
          registerParameters.socialConformity * (conformityShare - 0.5);
        register =
          random() < logistic(conformityLogit / temperature) ? 'protective-conformity' : 'protective-individuation';
      } else {
        register = broadRegister;
      }

      const others = metadata.participants;
      const otherName = others.length > 0 ? others[Math.floor(random() * others.length)]!.name : view.targetName;
      const text = realise(pack, register, random, parameters, { target: view.targetName, name: otherName });

      let answer: string;
      if (channel === 'whisper' && others.length > 0) {
        const targetMember = others.find((member) => member.name === view.targetName);
        const recipient =
          phase === 'exclusion' && targetMember !== undefined && random() < 0.5
            ? targetMember
            : others[Math.floor(random() * others.length)]!;
        answer = `[whisper -> ${recipient.name}] ${text}`;
      } else {
        answer = `[${channel === 'whisper' ? 'talk' : channel}] ${text}`;
      }

      const completionTokens = estimateTokens(answer);
      if (completionTokens > request.maxTokens) {
        // A real model would have been cut off; the surrogate's answer is one short action.
        warnings.push(
          `the surrogate ignores maxTokens (${request.maxTokens}): its answer of about ${completionTokens} tokens was not truncated`,
        );
      }
      return {
        text: answer,
        usage: {
          promptTokens: request.messages.reduce((total, message) => total + estimateTokens(message.content), 0),
          completionTokens,
        },
        finishReason: 'stop',
        modelVersion,
        warnings,
      };
    },
  };
}

/** Rough token estimate (4 characters a token) so plans and reports have a usage figure. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function logistic(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/** Draws one key with probability softmax(logit / temperature). */
function sample<K extends string>(random: () => number, temperature: number, logits: Partial<Record<K, number>>): K {
  const entries = Object.entries(logits) as [K, number][];
  const scaled = entries.map(([key, logit]) => [key, logit / temperature] as const);
  const maximum = Math.max(...scaled.map(([, value]) => value));
  const weights = scaled.map(([key, value]) => [key, Math.exp(value - maximum)] as const);
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let threshold = random() * total;
  for (const [key, weight] of weights) {
    threshold -= weight;
    if (threshold <= 0) return key;
  }
  return weights[weights.length - 1]![0];
}

function realise(
  pack: LanguagePack,
  register: PhraseRegister,
  random: () => number,
  parameters: SurrogateParameters,
  values: { target: string; name: string },
): string {
  const phrases = pack.phraseBank[register] ?? pack.phraseBank.neutral ?? [];
  const { min, max } = parameters.phrasesPerAction;
  const count = Math.min(phrases.length, min + Math.floor(random() * (max - min + 1)));
  const chosen: string[] = [];
  const used = new Set<number>();
  while (chosen.length < count) {
    const index = Math.floor(random() * phrases.length);
    if (used.has(index)) continue;
    used.add(index);
    chosen.push(phrases[index]!.replaceAll('{target}', values.target).replaceAll('{name}', values.name));
  }
  // Unspaced scripts join sentences without a space.
  return chosen.join(pack.capabilities.segmentation === 'whitespace' ? ' ' : '');
}

/** The group's speech in the newest user message, found through the pack's observation templates. */
function observedSpeech(messages: readonly ChatMessage[], patterns: readonly RegExp[]): string[] {
  let last: ChatMessage | undefined;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]?.role === 'user') {
      last = messages[index];
      break;
    }
  }
  if (last === undefined) return [];
  const spoken: string[] = [];
  for (const line of last.content.split('\n')) {
    for (const pattern of patterns) {
      const found = pattern.exec(line);
      if (found?.groups?.text !== undefined) {
        spoken.push(found.groups.text);
        break;
      }
    }
  }
  return spoken;
}

function templateToPattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const pattern = escaped.replace('\\{speaker\\}', '(?<speaker>.+?)').replace('\\{text\\}', '(?<text>.*)');
  return new RegExp(`^${pattern}$`, 'u');
}
