import type { Command } from 'commander';
import {
  type HeldOutStatus,
  heldOutFor,
  listLanguageTags,
  loadLanguagePack,
  loadValidationSet,
} from '../../languages/index.js';
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
      'the installed language packs side by side: lexicon sizes, scenario length, held-out lexicon validation (locked gold test parts) beside in-sample scores, review status',
    )
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const rows = parityTable();
      if (options.json === true) {
        // Named as what they are: the pack's own items are in-sample (the lexicon was tuned on them);
        // `heldOut` holds the locked gold test parts' figures when they were computed with exactly
        // the installed lexicon (gold/README.md), and says "stale" or "none" otherwise.
        const named = rows.map((row) => ({
          ...row,
          validationKind: 'in-sample',
          heldOut: heldOutJson(heldOutFor(loadLanguagePack(row.language))),
        }));
        process.stdout.write(`${JSON.stringify(named, null, 2)}\n`);
        return;
      }
      const header =
        'lang  script dir  terms(sex/pro/con/ind)  scenario chars/words/tokens  min P/R in-sample  held-out min P/R  review';
      process.stdout.write(`${header}\n${'-'.repeat(header.length)}\n`);
      for (const row of rows) {
        const terms = ['sexual', 'protective', 'conformity', 'individuation']
          .map((name) => row.lexiconTerms[name] ?? 0)
          .join('/');
        const scenario = `${row.scenarioCharacters}/${row.scenarioWords}/${row.scenarioTokens}`;
        process.stdout.write(
          `${row.language.padEnd(5)} ${row.script.padEnd(6)} ${row.direction.padEnd(4)} ${terms.padEnd(22)} ${scenario.padEnd(27)} ${formatScore(row.minimumValidationScore).padEnd(17)} ${heldOutCell(heldOutFor(loadLanguagePack(row.language))).padEnd(17)} ${row.reviewStatus}\n`,
        );
      }
    });
}

function heldOutJson(status: HeldOutStatus): object {
  if (status.status === 'current') {
    return {
      status: 'current',
      kind: 'held-out',
      scoredAt: status.scoredAt,
      goldLock: status.goldLock,
      ...status.figures,
    };
  }
  return status.status === 'stale'
    ? { status: 'stale', note: `scored with lexicon ${status.scoredLexiconVersion}, not the installed one` }
    : { status: 'none' };
}

/** The lowest held-out precision or recall of the four categories (the weakest link), or why not. */
function heldOutCell(status: HeldOutStatus): string {
  if (status.status !== 'current') return status.status;
  const values = status.figures.categories.flatMap((row) => [row.precision, row.recall]);
  const defined = values.filter((value): value is number => value !== null);
  return defined.length === 0 ? '  -  ' : Math.min(...defined).toFixed(2);
}
