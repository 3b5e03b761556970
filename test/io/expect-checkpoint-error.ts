/** Assertions that a call fails with a CheckpointError whose message matches every pattern. */
import { expect } from 'vitest';
import { CheckpointError } from '../../src/errors.js';

function check(error: unknown, patterns: RegExp[]): CheckpointError {
  expect(error).toBeInstanceOf(CheckpointError);
  const message = (error as CheckpointError).message;
  for (const p of patterns) expect(message).toMatch(p);
  return error as CheckpointError;
}

/** Runs `fn`, expecting it to throw a CheckpointError matching `patterns`; returns the error. */
export function expectCheckpointError(fn: () => unknown, ...patterns: RegExp[]): CheckpointError {
  try {
    fn();
  } catch (e) {
    return check(e, patterns);
  }
  throw new Error('expected a CheckpointError, but the call succeeded');
}

/** Awaits `promise`, expecting it to reject with a CheckpointError matching `patterns`; returns the error. */
export async function expectCheckpointRejection(promise: Promise<unknown>, ...patterns: RegExp[]): Promise<CheckpointError> {
  try {
    await promise;
  } catch (e) {
    return check(e, patterns);
  }
  throw new Error('expected a CheckpointError, but the call succeeded');
}
