import { InvalidArgumentError } from 'commander';

/** Option parsers that turn a bad flag value into one clear message (exit code 2). */
export function parseInteger(name: string, minimum = 0): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`${name} must be a whole number, got "${value}".`);
    const parsed = Number.parseInt(value, 10);
    if (parsed < minimum) throw new InvalidArgumentError(`${name} must be at least ${minimum}, got ${parsed}.`);
    return parsed;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseNumber(name: string, minimum: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new InvalidArgumentError(`${name} must be a number, got "${value}".`);
    if (parsed < minimum) throw new InvalidArgumentError(`${name} must be at least ${minimum}, got ${parsed}.`);
    return parsed;
  };
}
