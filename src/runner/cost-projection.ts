import type { ChatMessage, GenerateRequest } from '../contracts/index.js';
import { type RunSpec, simulateRun } from '../engine/index.js';
import { countO200kTokens } from '../metrics/index.js';
import { findPrice, isBuiltinModelRef, loadBundledPrices, type PriceEntry, resolveModelRef } from '../models/index.js';
import { createBuiltinModel } from './builtin-models.js';
import { planStudy } from './plan.js';
import type { LoadedStudy } from './study-file.js';

/**
 * What a study will cost before it is run. For each language one run is rendered with the surrogate
 * (the real prompts: system prompt, scenario, the growing per-agent history) and its prompt tokens
 * counted with the o200k_base tokenizer (current OpenAI models; other tokenizers differ by roughly
 * ±20%). Model answers are assumed to be `completionTokens` long (the surrogate's are shorter), and
 * the history each later prompt carries is corrected for that. Cost = tokens x the price table; cached
 * prompt-token discounts are ignored, so the projection errs high.
 */

export interface ModelProjection {
  ref: string;
  builtin: boolean;
  price: PriceEntry | undefined;
  /** Null when no price is known for a network model. */
  costUsd: number | null;
}

export interface CostProjection {
  cells: number;
  runs: number;
  calls: number;
  /** Runs still to do in `remainingRuns` (all of them unless the caller says otherwise). */
  promptTokens: number;
  completionTokens: number;
  perLanguage: { language: string; promptTokensPerRun: number; completionTokensPerRun: number }[];
  models: ModelProjection[];
  /** Null when a network model has no price. */
  costUsd: number | null;
  assumptions: string[];
}

export interface ProjectionOptions {
  completionTokens?: number;
  env?: Readonly<Record<string, string | undefined>>;
  /** Only these runs are still to be made (resume); default: every planned run. */
  remainingRunIds?: ReadonlySet<string>;
}

const TOKENS_PER_MESSAGE = 4;

export async function projectStudyCost(loaded: LoadedStudy, options: ProjectionOptions = {}): Promise<CostProjection> {
  const study = loaded.study;
  const completionTokens = Math.min(options.completionTokens ?? 80, study.sampling.maxTokens);
  const plan = planStudy(study);
  const runs =
    options.remainingRunIds === undefined ? plan.runs : plan.runs.filter((run) => options.remainingRunIds!.has(run.id));
  const surrogate = createBuiltinModel('surrogate', loaded);
  if (surrogate === undefined) throw new Error('the surrogate is always available');

  const perLanguage = new Map<string, { promptTokensPerRun: number; completionTokensPerRun: number }>();
  const levels = [...study.design.dose.levels].sort((a, b) => a - b);
  const dose = levels[Math.floor(levels.length / 2)] ?? 0;
  for (const language of study.languages) {
    const pack = loaded.packs.get(language)!;
    const requests: GenerateRequest[] = [];
    const recording = {
      ...surrogate,
      generate: (request: GenerateRequest) => {
        requests.push(request);
        return surrogate.generate(request);
      },
    };
    const spec: RunSpec = {
      runId: `projection-${language}`,
      cellId: 'projection',
      pack,
      modelRef: 'surrogate',
      model: recording,
      agents: study.agents,
      turns: study.turns,
      dose,
      doseIntervention: study.design.dose.intervention,
      background: study.design.background,
      placement: study.design.placement,
      seed: study.seed,
      replicate: 0,
      sampling: study.sampling,
      memoryWindow: study.memory.window,
      turnPolicy: study.turnPolicy,
    };
    const answers: string[] = [];
    await simulateRun(spec, {
      commitTurn: (batch) => {
        for (const call of batch.calls) answers.push(call.text);
      },
    });
    const surrogateAnswerTokens =
      answers.reduce((total, text) => total + countO200kTokens(text), 0) / Math.max(1, answers.length);
    let promptTokens = 0;
    for (const request of requests) {
      const ownAnswers = request.messages.filter((message) => message.role === 'assistant').length;
      promptTokens += messageTokens(request.messages) + ownAnswers * (completionTokens - surrogateAnswerTokens);
    }
    perLanguage.set(language, {
      promptTokensPerRun: Math.round(promptTokens),
      completionTokensPerRun: requests.length * completionTokens,
    });
  }

  let totalPrompt = 0;
  let totalCompletion = 0;
  const byModel = new Map<string, { prompt: number; completion: number }>();
  for (const run of runs) {
    const tokens = perLanguage.get(run.cell.language)!;
    totalPrompt += tokens.promptTokensPerRun;
    totalCompletion += tokens.completionTokensPerRun;
    const model = byModel.get(run.cell.model) ?? { prompt: 0, completion: 0 };
    model.prompt += tokens.promptTokensPerRun;
    model.completion += tokens.completionTokensPerRun;
    byModel.set(run.cell.model, model);
  }
  const models: ModelProjection[] = study.models.map((ref) => {
    const tokens = byModel.get(ref) ?? { prompt: 0, completion: 0 };
    if (isBuiltinModelRef(ref)) return { ref, builtin: true, price: undefined, costUsd: 0 };
    const price = priceOf(ref, options.env ?? process.env);
    return {
      ref,
      builtin: false,
      price,
      costUsd:
        price === undefined
          ? null
          : (tokens.prompt * price.inputPerMillion + tokens.completion * price.outputPerMillion) / 1e6,
    };
  });
  const unpriced = models.some((model) => model.costUsd === null);
  return {
    cells: plan.cells.length,
    runs: runs.length,
    calls: runs.length * study.agents * study.turns,
    promptTokens: Math.round(totalPrompt),
    completionTokens: totalCompletion,
    perLanguage: [...perLanguage].map(([language, tokens]) => ({ language, ...tokens })),
    models,
    costUsd: unpriced ? null : models.reduce((total, model) => total + (model.costUsd ?? 0), 0),
    assumptions: [
      `answers of ${completionTokens} tokens (--completion-tokens)`,
      'prompt tokens counted with the o200k_base tokenizer on prompts rendered by the surrogate',
      'no prompt-cache discount',
    ],
  };
}

function messageTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((total, message) => total + countO200kTokens(message.content) + TOKENS_PER_MESSAGE, 0);
}

function priceOf(ref: string, env: Readonly<Record<string, string | undefined>>): PriceEntry | undefined {
  const resolved = resolveModelRef(ref, env);
  if (resolved.kind === 'builtin') return undefined;
  const provider = resolved.priceProvider;
  const model = 'model' in resolved ? resolved.model : ref;
  return findPrice(provider, model, [loadBundledPrices()]);
}
