import { ApplicationFailure } from '@temporalio/common';
import { ProvisioningError, sqlState } from '../db/errors';

/**
 * SQLSTATE classes that are the input's fault and will fail again on retry: data exceptions (22),
 * integrity violations that no conflict handling anticipated (23), and syntax/access errors (42).
 * Everything else (08 connection, 40001 serialization, 40P01 deadlock, 53 resources, 57 operator
 * intervention, pool acquire timeouts) is transient and left for Temporal to retry.
 */
const PERMANENT_SQLSTATE_CLASSES = ['22', '23', '42'];

/** Maps an operation's error to what Temporal should do with it. */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ProvisioningError) {
    return ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: true, details: error.field ? [{ field: error.field }] : [] });
  }
  const state = sqlState(error);
  if (state && PERMANENT_SQLSTATE_CLASSES.includes(state.slice(0, 2))) {
    return ApplicationFailure.create({ message: (error as Error).message, type: state.startsWith('22') ? 'InvalidInput' : 'DatabaseError', nonRetryable: true });
  }
  return error;
}
