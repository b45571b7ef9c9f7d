import type { Command } from 'commander';
import { UserInputError } from '../../contracts/index.js';
import { findPackProblems, listLanguageTags, loadLanguagePack } from '../../languages/index.js';
// The runner's light entry and study-options.ts, not the pipeline: validate loads no stage (start-up).
import { planStudy } from '../../runner/study-entry.js';
import { collect, parseInteger } from '../options.js';
import { loadStudyWithOverrides, type StudyCommandOptions } from '../study-options.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check study files and the language packs they use, without any model call (no study: check every pack)',
    )
    .argument('[studies...]', 'study files')
    .option('--seed <n>', "override the study's seed", parseInteger('--seed', 0, 2 ** 31 - 1))
    .option('--model <ref>', 'model reference (repeatable)', collect)
    .action((studyFiles: string[], options: StudyCommandOptions) => {
      if (studyFiles.length === 0) {
        for (const tag of listLanguageTags()) {
          const pack = loadLanguagePack(tag);
          process.stdout.write(
            `ok  pack ${tag} ${pack.meta.version} (${pack.meta.reviewStatus}, lexicon ${pack.lexicon.version})\n`,
          );
        }
        return;
      }
      for (const file of studyFiles) {
        const loaded = loadStudyWithOverrides(file, options);
        for (const [tag, pack] of loaded.packs) {
          const problems = findPackProblems(pack);
          const first = problems[0];
          if (first !== undefined) {
            throw new UserInputError(first.message, {
              file: `src/languages/${tag}/pack.json`,
              path: first.path,
              fix: 'correct the pack (see src/languages/README.md)',
            });
          }
        }
        const plan = planStudy(loaded.study);
        const packs = [...loaded.packs.values()]
          .map((pack) => `${pack.meta.tag} ${pack.meta.version} (${pack.meta.reviewStatus})`)
          .join(', ');
        process.stdout.write(
          `ok  ${file}: ${plan.cells.length} cells, ${plan.runs.length} runs, ${plan.agentTurns.toLocaleString('en-US')} agent turns; ` +
            `models ${loaded.study.models.join(', ')}; packs ${packs}; hash ${loaded.hash.slice(0, 8)}\n`,
        );
      }
    });
}
