import type { Command } from 'commander';
import { listLanguageTags, loadLanguagePack, loadValidationSet } from '../../languages/index.js';
import { type ParityRow, parityRow } from '../../metrics/index.js';

export function parityTable(): ParityRow[] {
  return listLanguageTags().map((tag) => parityRow(loadLanguagePack(tag), loadValidationSet(tag)));
}

function formatScore(value: number | null): string {
  return value === null ? '  -  ' : value.toFixed(2);
}

export function registerLanguages(program: Command): void {
  program
    .command('languages')
    .description(
      'the installed language packs side by side: lexicon sizes, scenario length, in-sample lexicon scores (the lexicon was tuned on those items: not a validation), review status',
    )
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const rows = parityTable();
      if (options.json === true) {
        // Named as what they are: figures on the items the lexicon was tuned on, and no held-out
        // figures yet (docs/decisions/2026-12-04-measurement-instrument-v2.md).
        const named = rows.map((row) => ({
          ...row,
          validationKind: 'in-sample',
          heldOut: null,
        }));
        process.stdout.write(`${JSON.stringify(named, null, 2)}\n`);
        return;
      }
      const header = 'lang  script dir  terms(sex/pro/con/ind)  scenario chars/words/tokens  min P/R in-sample  review';
      process.stdout.write(`${header}\n${'-'.repeat(header.length)}\n`);
      for (const row of rows) {
        const terms = ['sexual', 'protective', 'conformity', 'individuation']
          .map((name) => row.lexiconTerms[name] ?? 0)
          .join('/');
        const scenario = `${row.scenarioCharacters}/${row.scenarioWords}/${row.scenarioTokens}`;
        process.stdout.write(
          `${row.language.padEnd(5)} ${row.script.padEnd(6)} ${row.direction.padEnd(4)} ${terms.padEnd(22)} ${scenario.padEnd(27)} ${formatScore(row.minimumValidationScore).padEnd(17)} ${row.reviewStatus}\n`,
        );
      }
    });
}
