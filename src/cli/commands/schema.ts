import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { StudySchema, UserInputError } from '../../contracts/index.js';

export function studyJsonSchema(): unknown {
  return z.toJSONSchema(StudySchema, { io: 'input', unrepresentable: 'any' });
}

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print (or write) the JSON Schema of study files, for editors')
    .option('--out <file>', 'write to this file instead of stdout')
    .action((options: { out?: string }) => {
      const text = `${JSON.stringify(studyJsonSchema(), null, 2)}\n`;
      if (options.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        mkdirSync(dirname(options.out), { recursive: true });
        writeFileSync(options.out, text);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new UserInputError(`cannot be written (${code})`, {
          file: options.out,
          path: '--out',
          fix: 'pass the path of a file to write, e.g. --out schema/study.schema.json',
        });
      }
    });
}
