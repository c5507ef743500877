import { PropValidationError } from '../../lib';

/**
 * Runs `build` (which makes a construct) and returns the PropValidationError it must throw: any other error, or none,
 * fails the test. The one check behind each test of a validation rule.
 */
export function expectValidationError(build: () => unknown): PropValidationError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(PropValidationError);
    return error as PropValidationError;
  }
  throw new Error('expected a PropValidationError');
}
