import { UserInputError } from '../contracts/index.js';
import { type LoadedStudy, planStudy } from '../runner/index.js';

/**
 * The count a `BACKFIRE_*_THREADS` variable forces (0 to 256), or undefined when it is unset or
 * blank; anything else is one clear user error naming the variable and `fix`. Shared by the
 * simulation and scoring thread settings, so that both variables read the same way.
 */
export function parseThreadCount(
  variable: string,
  env: Readonly<Record<string, string | undefined>>,
  fix: string,
): number | undefined {
  const value = env[variable];
  if (value === undefined || value.trim() === '') return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 256) {
    throw new UserInputError(`${variable} must be a whole number from 0 to 256, not "${value}"`, {
      path: variable,
      fix,
    });
  }
  return count;
}

/** Planned agent turns of a study: what decides whether worker threads repay their start-up. */
export function plannedAgentTurns(loaded: LoadedStudy): number {
  return planStudy(loaded.study).runs.length * loaded.study.agents * loaded.study.turns;
}
