import type { Command } from 'commander';
import { BudgetExceededError } from '../../contracts/index.js';
import { planStudy, projectStudyCost } from '../../runner/index.js';
import { collect, parseInteger, parseNumber } from '../options.js';
import { loadStudyWithOverrides, type StudyCommandOptions } from '../stages.js';

interface PlanOptions extends StudyCommandOptions {
  completionTokens?: number;
  json?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('cells, calls, a token estimate and the projected cost of a study; with --budget, refuse when over it')
    .argument('<study>', 'study file')
    .option('--model <ref>', "model reference (repeatable); overrides the study's models", collect)
    .option('--seed <n>', "override the study's seed", parseInteger('--seed', 0, 2 ** 31 - 1))
    .option('--replicates <n>', 'override replicates per cell', parseInteger('--replicates', 1, 10_000))
    .option(
      '--budget <usd>',
      'exit with code 3 when the projection exceeds it',
      parseNumber('--budget', 0, { exclusiveMinimum: true }),
    )
    .option(
      '--completion-tokens <n>',
      'assumed length of a model answer in tokens (default 80)',
      parseInteger('--completion-tokens', 1),
    )
    .option('--json', 'print JSON')
    .action(async (studyFile: string, options: PlanOptions) => {
      const loaded = loadStudyWithOverrides(studyFile, options);
      const plan = planStudy(loaded.study);
      const projection = await projectStudyCost(
        loaded,
        options.completionTokens === undefined ? {} : { completionTokens: options.completionTokens },
      );
      const budget = loaded.study.budget?.usd;
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify({ study: loaded.study.name, hash: loaded.hash, budgetUsd: budget ?? null, ...projection }, null, 2)}\n`,
        );
      } else {
        const lines = [
          `study ${loaded.study.name} (hash ${loaded.hash.slice(0, 8)}): ${plan.cells.length} cells x ${loaded.study.replicates} replicates = ${plan.runs.length} runs`,
          `calls: ${projection.calls.toLocaleString('en-US')} (${loaded.study.agents} agents x ${loaded.study.turns} turns per run)`,
          `tokens: ${projection.promptTokens.toLocaleString('en-US')} prompt + ${projection.completionTokens.toLocaleString('en-US')} completion`,
          ...projection.perLanguage.map(
            (language) =>
              `  ${language.language.padEnd(6)} ${language.promptTokensPerRun.toLocaleString('en-US')} prompt tokens per run`,
          ),
          'cost:',
          ...projection.models.map((model) => {
            if (model.builtin) return `  ${model.ref}: 0 USD (built-in, no network)`;
            if (model.costUsd === null) return `  ${model.ref}: unknown (no price in the price table)`;
            const price = model.price!;
            return `  ${model.ref}: ${model.costUsd.toFixed(2)} USD (${price.inputPerMillion} / ${price.outputPerMillion} USD per million input / output tokens, prices of ${price.date})`;
          }),
          `total: ${projection.costUsd === null ? 'unknown' : `${projection.costUsd.toFixed(2)} USD`}${budget === undefined ? '' : ` (budget ${budget} USD)`}`,
          `assumptions: ${projection.assumptions.join('; ')}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (budget !== undefined && projection.costUsd !== null && projection.costUsd > budget) {
        throw new BudgetExceededError(
          `the projected cost ${projection.costUsd.toFixed(2)} USD exceeds the budget of ${budget} USD`,
        );
      }
    });
}
