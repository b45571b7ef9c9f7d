import { InvalidArgumentError } from 'commander';

/** Option parsers that turn a bad flag value into one clear message (exit code 2). */
export function parseInteger(name: string, minimum = 0, maximum = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`${name} must be a whole number, got "${shown(value)}".`);
    const parsed = Number(value.trim());
    // The tighter bound is the one to name (a port is at most 65535, not 2^53).
    if (parsed < minimum) throw new InvalidArgumentError(`${name} must be at least ${minimum}, got ${shown(value)}.`);
    if (parsed > maximum) throw new InvalidArgumentError(`${name} must be at most ${maximum}, got ${shown(value)}.`);
    return parsed;
  };
}

/** A share or probability: a number from 0 to 1. */
export function parseProbability(name: string): (value: string) => number {
  return parseNumber(name, 0, { maximum: 1, what: 'a probability from 0 to 1' });
}

/** A flag value as it may be echoed: short, on one line, without control characters. */
function shown(value: string): string {
  const printable = value.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}...` : printable;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseNumber(
  name: string,
  minimum: number,
  options: { exclusiveMinimum?: boolean; maximum?: number; what?: string } = {},
): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new InvalidArgumentError(`${name} must be ${options.what ?? 'a number'}, got "${shown(value)}".`);
    if (options.exclusiveMinimum === true && parsed <= minimum)
      throw new InvalidArgumentError(`${name} must be more than ${minimum}, got ${shown(value)}.`);
    if (parsed < minimum)
      throw new InvalidArgumentError(`${name} must be ${options.what ?? `at least ${minimum}`}, got ${shown(value)}.`);
    if (options.maximum !== undefined && parsed > options.maximum)
      throw new InvalidArgumentError(
        `${name} must be ${options.what ?? `at most ${options.maximum}`}, got ${shown(value)}.`,
      );
    return parsed;
  };
}
