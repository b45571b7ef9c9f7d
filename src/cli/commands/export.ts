import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { UserInputError } from '../../contracts/index.js';
import { SURROGATE_LABEL } from '../../report/index.js';
import { assertRunFolderSound, readManifest, STORE_FILE } from '../../runner/index.js';
import {
  EXPORT_FORMATS,
  EXPORT_TABLE_NAMES,
  type ExportFormat,
  type ExportTable,
  exportTable,
  StoreReader,
} from '../../store/index.js';

/**
 * `backfire export <run-folder> --format csv|jsonl|parquet --table <name>|all --out <file-or-folder>`:
 * the store as tidy long tables (columns in docs/data-dictionary.md). A reader: it opens the store
 * read-only and never takes the run folder's write lock, so it works while a run is still going.
 */

interface ExportOptions {
  format: ExportFormat;
  table: ExportTable | 'all';
  out: string;
  quiet?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export runs, agents, actions, calls, turns and results as CSV, JSON Lines or Parquet')
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .addOption(new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).default('csv'))
    .addOption(
      new Option('--table <table>', 'which table (all: every table, one file each)')
        .choices([...EXPORT_TABLE_NAMES, 'all'])
        .default('all'),
    )
    .requiredOption('--out <file-or-folder>', 'output file (one table) or folder (--table all)')
    .option('--quiet', 'no summary output')
    .action((directory: string, options: ExportOptions) => {
      const store = join(directory, STORE_FILE);
      if (!existsSync(join(directory, 'manifest.json')) || !existsSync(store)) {
        throw new UserInputError('is not a run folder (no manifest.json and store.sqlite)', {
          file: directory,
          fix: 'pass a folder made by `backfire run` or `backfire simulate`, e.g. runs/study1-1a2b3c4d',
        });
      }
      // An emptied or corrupt store is named as such, not exported as empty tables.
      const manifest = readManifest(directory);
      assertRunFolderSound(directory, manifest);
      const tables = options.table === 'all' ? EXPORT_TABLE_NAMES : [options.table];
      const targets = tables.map((table) => ({
        table,
        path: options.table === 'all' ? join(options.out, `${table}.${options.format}`) : options.out,
      }));
      if (options.table === 'all') {
        if (existsSync(options.out) && !statSync(options.out).isDirectory()) {
          throw new UserInputError('is a file; --table all writes one file per table into a folder', {
            file: options.out,
            path: '--out',
            fix: 'give a folder with --out, or export one table with --table <name>',
          });
        }
      } else if (existsSync(options.out) && statSync(options.out).isDirectory()) {
        throw new UserInputError('is a folder; one table is written to a file', {
          file: options.out,
          path: '--out',
          fix: `give a file name, e.g. --out ${join(options.out, `${options.table}.${options.format}`)}`,
        });
      }
      const reader = StoreReader.open(store);
      try {
        if (options.table === 'all') mkdirSync(options.out, { recursive: true });
        for (const { table, path } of targets) {
          const rows = exportTable(reader, table, options.format, path);
          if (options.quiet !== true) process.stderr.write(`export: ${table}: ${rows} rows -> ${path}\n`);
        }
        if (options.quiet !== true && manifest?.models.some((model) => model.surrogate) === true) {
          process.stderr.write(`note: rows of surrogate models: ${SURROGATE_LABEL}\n`);
        }
      } finally {
        reader.close();
      }
    });
}
