import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Alternative, FamilyName } from '../../../stats/index.js';
import { parseNumberCell } from '../../csv.js';
import { collect, parseInteger } from '../../options.js';

/** The options `backfire stats` subcommands share, and the parsers of their values. */

export interface DataOptions {
  data: string;
  dropMissing?: boolean;
  json?: boolean;
}

export interface SampleOptions extends DataOptions {
  y?: string;
  x?: string;
  group?: string;
  levels?: string;
  paired?: boolean;
  mu?: number;
  alternative?: Alternative;
}

export interface ModelOptions extends DataOptions {
  formula: string;
  factor?: string[];
  reference?: string[];
  ml?: boolean;
}

const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];

export function parseNumber(name: string, check?: (value: number) => string | undefined): (value: string) => number {
  return (value: string) => {
    const parsed = parseNumberCell(value);
    if (parsed === undefined) throw new InvalidArgumentError(`${name} must be a number, got "${value}".`);
    const problem = check?.(parsed);
    if (problem !== undefined) throw new InvalidArgumentError(`${name} ${problem}, got ${parsed}.`);
    return parsed;
  };
}

export const parseProbability = (name: string) =>
  parseNumber(name, (value) => (value > 0 && value < 1 ? undefined : 'must lie strictly between 0 and 1'));

export function parsePriorScale<Name extends string>(names: Record<Name, number>): (value: string) => number | Name {
  return (value: string) => {
    if (Object.hasOwn(names, value)) return value as Name;
    const parsed = parseNumberCell(value);
    if (parsed === undefined || !(parsed > 0)) {
      throw new InvalidArgumentError(
        `--rscale must be a positive number or one of ${Object.keys(names).join(', ')}, got "${value}".`,
      );
    }
    return parsed;
  };
}

export function withDataOptions(command: Command): Command {
  return command
    .requiredOption('--data <file>', 'CSV file with a header row (- reads standard input)')
    .option(
      '--drop-missing',
      'drop rows with a missing value (empty, NA, NaN, null) in a used column; reports how many',
    )
    .option('--json', 'print the result as JSON');
}

export function withAlternative(command: Command): Command {
  return command.addOption(
    new Option('--alternative <alternative>', 'alternative hypothesis').choices(ALTERNATIVES).default('two-sided'),
  );
}

export function withSampleOptions(command: Command, designs: { paired: boolean; oneSample: boolean }): Command {
  command
    .option('--y <column>', 'numeric outcome column (with --paired: the second measure)')
    .option('--group <column>', 'grouping column with exactly two levels (x = first level, y = second)')
    .option('--levels <a,b>', 'the two levels of --group to compare, in the order x,y');
  if (designs.paired) {
    command
      .option('--paired', 'paired samples: the columns --x and --y, one pair per row')
      .option('--x <column>', 'with --paired: the first measure');
  }
  if (designs.oneSample) {
    command.option('--mu <number>', 'null value: of the mean (no --group) or of the difference', parseNumber('--mu'));
  }
  return command;
}

export interface GeneralisedOptions extends ModelOptions {
  family?: FamilyName;
  nagq?: number;
}

const FAMILIES: readonly FamilyName[] = ['binomial', 'poisson'];

export function parseFamily(value: string): FamilyName {
  if (!(FAMILIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use ${FAMILIES.join(' or ')}`);
  }
  return value as FamilyName;
}

export function withModelOptions(command: Command): Command {
  return command
    .option('--factor <column>', 'treat a numeric column as a factor (repeatable)', collect)
    .option('--reference <column=level>', "a factor's reference level, as relevel() (repeatable)", collect);
}

export function withFamily(command: Command): Command {
  return command
    .option('--family <family>', 'binomial (logit) or poisson (log): fit GLM(M)s instead of linear models', parseFamily)
    .option('--nagq <n>', 'adaptive Gauss-Hermite points for a GLMM (1 = Laplace)', parseInteger('--nagq', 1));
}
