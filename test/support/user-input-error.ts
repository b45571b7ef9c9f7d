import { UserInputError } from '../../src/contracts/index.js';

/** The `UserInputError` that `action` throws; any other error is rethrown, and no error fails the test. */
export function userInputErrorOf(action: () => unknown): UserInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof UserInputError) return error;
    throw error;
  }
  throw new Error('expected a UserInputError');
}
