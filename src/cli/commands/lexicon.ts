import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserInputError } from '../../contracts/index.js';
import { listLanguageTags, loadLanguagePack } from '../../languages/index.js';
import { compileLexicon } from '../../metrics/index.js';

export function registerLexicon(program: Command): void {
  program
    .command('lexicon')
    .description("match a language pack's lexicon against a text (argument or stdin) and print the matches as JSON")
    .argument('<language>', 'language tag, e.g. ja')
    .argument('[text]', 'text to match (default: read standard input)')
    .action((language: string, text: string | undefined) => {
      const available = listLanguageTags();
      if (!available.includes(language)) {
        throw new UserInputError(`unknown language "${language}"`, {
          path: '<language>',
          fix: `use one of: ${available.join(', ')}`,
        });
      }
      const input = text ?? readFileSync(0, 'utf8');
      const lexicon = compileLexicon(loadLanguagePack(language));
      const matches = lexicon.match(input);
      const counts: Record<string, number> = {};
      for (const category of lexicon.categories) counts[category] = 0;
      for (const match of matches) counts[match.category] = (counts[match.category] ?? 0) + 1;
      const output = {
        language,
        lexiconVersion: lexicon.version,
        matches: matches.map(({ category, term, text: matched, start, end }) => ({
          category,
          term,
          text: matched,
          start,
          end,
        })),
        counts,
      };
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    });
}
