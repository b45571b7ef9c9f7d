import {
  BudgetExceededError,
  type CallMetadata,
  type GenerateRequest,
  type GenerateResult,
} from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { costOf, type PriceEntry } from '../prices.js';

/**
 * Usage and cost. Every result gets its normalised token usage (adapters already report prompt,
 * completion and cached prompt tokens in one shape) and `costUsd` from the price table: the
 * provider's list price for a fresh call, 0 for a cache hit or a replayed call (nothing was spent),
 * undefined when no price is known (the model-level warning says so once). A `UsageMeter` shared
 * by all models of a study adds calls up per run, per cell, per model and for the whole study; with
 * a budget it refuses the next call once the spend reached it (`BudgetExceededError`, so the runner
 * stops cleanly instead of every call failing).
 */

export interface UsageTotals {
  calls: number;
  /** Calls answered from the response cache or a recording (no spend, no latency). */
  cachedCalls: number;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
  /** Spend in USD over priced calls. */
  costUsd: number;
  /** Fresh calls whose model has no price: their cost is missing from `costUsd`. */
  unpricedCalls: number;
}

function emptyTotals(): UsageTotals {
  return {
    calls: 0,
    cachedCalls: 0,
    promptTokens: 0,
    completionTokens: 0,
    cachedPromptTokens: 0,
    costUsd: 0,
    unpricedCalls: 0,
  };
}

export interface MeteredCall {
  model: string;
  metadata: CallMetadata;
  result: GenerateResult;
}

export interface UsageMeterOptions {
  /** Groups runs into cells; defaults to `<model> <language>` (finer cells need the runner's map). */
  cellOf?: (call: { model: string; metadata: CallMetadata }) => string;
  budgetUsd?: number | undefined;
}

export class UsageMeter {
  readonly #study = emptyTotals();
  readonly #byRun = new Map<string, UsageTotals>();
  readonly #byCell = new Map<string, UsageTotals>();
  readonly #byModel = new Map<string, UsageTotals>();
  readonly #cellOf: NonNullable<UsageMeterOptions['cellOf']>;
  readonly budgetUsd: number | undefined;

  constructor(options: UsageMeterOptions = {}) {
    this.#cellOf = options.cellOf ?? ((call) => `${call.model} ${call.metadata.language}`);
    this.budgetUsd = options.budgetUsd;
  }

  /** Throws when the budget is spent; called before every fresh call. */
  checkBudget(): void {
    if (this.budgetUsd !== undefined && this.#study.costUsd >= this.budgetUsd) {
      throw new BudgetExceededError(
        `spend reached the budget of ${this.budgetUsd} USD (${this.#study.costUsd.toFixed(4)} USD over ${this.#study.calls} calls)`,
      );
    }
  }

  record(call: MeteredCall): void {
    const groups = [
      this.#study,
      this.#group(this.#byRun, call.metadata.runId),
      this.#group(this.#byCell, this.#cellOf(call)),
      this.#group(this.#byModel, call.model),
    ];
    const { usage, cached, costUsd } = call.result;
    for (const totals of groups) {
      totals.calls += 1;
      totals.cachedCalls += cached === true ? 1 : 0;
      totals.promptTokens += usage.promptTokens;
      totals.completionTokens += usage.completionTokens;
      totals.cachedPromptTokens += usage.cachedPromptTokens ?? 0;
      totals.costUsd += costUsd ?? 0;
      totals.unpricedCalls += costUsd === undefined ? 1 : 0;
    }
  }

  #group(map: Map<string, UsageTotals>, key: string): UsageTotals {
    let totals = map.get(key);
    if (totals === undefined) {
      totals = emptyTotals();
      map.set(key, totals);
    }
    return totals;
  }

  study(): UsageTotals {
    return { ...this.#study };
  }

  byRun(): Map<string, UsageTotals> {
    return cloneMap(this.#byRun);
  }

  byCell(): Map<string, UsageTotals> {
    return cloneMap(this.#byCell);
  }

  byModel(): Map<string, UsageTotals> {
    return cloneMap(this.#byModel);
  }
}

function cloneMap(map: Map<string, UsageTotals>): Map<string, UsageTotals> {
  return new Map([...map].map(([key, totals]) => [key, { ...totals }]));
}

export interface UsageMeterWrapperOptions {
  /** The model's price row, or undefined when unknown. */
  price: PriceEntry | undefined;
  meter?: UsageMeter | undefined;
}

export function withUsageMeter(inner: ChatModel, options: UsageMeterWrapperOptions): ChatModel {
  // A model whose price is known to be zero (built-in, local weights) cannot spend the budget, so a
  // spent budget does not stop it; an unknown price is not zero.
  const free =
    options.price !== undefined &&
    options.price.inputPerMillion === 0 &&
    options.price.outputPerMillion === 0 &&
    (options.price.cachedInputPerMillion ?? 0) === 0;
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      if (!free) options.meter?.checkBudget();
      const result = await inner.generate(request);
      let costUsd: number | undefined;
      if (result.cached === true) {
        costUsd = 0;
      } else if (options.price !== undefined) {
        costUsd = costOf(result.usage, options.price);
      }
      const metered: GenerateResult = { ...result };
      if (costUsd === undefined) {
        delete metered.costUsd;
      } else {
        metered.costUsd = costUsd;
      }
      options.meter?.record({ model: inner.ref, metadata: request.metadata, result: metered });
      return metered;
    },
  };
}
