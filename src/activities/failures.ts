import { ApplicationFailure } from '@temporalio/common';
import { DatabaseError } from 'pg';
import { safeErrorMessage } from '../db/driver-errors';
import { ProvisioningError } from '../contracts/errors';
import { ConcurrentAttemptError, sqlState } from '../db/errors';

/**
 * SQLSTATE classes that are the input's fault and will fail again on retry: data exceptions (22),
 * integrity violations that no conflict handling anticipated (23), and syntax/access errors (42).
 * Everything else (08 connection, 40001 serialization, 40P01 deadlock, 53 resources, 55P03 lock_timeout,
 * 57 operator intervention and 57014 statement_timeout, pool acquire timeouts) is transient and left
 * for Temporal to retry. A driver error's message is shown through safeErrorMessage only.
 */
const PERMANENT_SQLSTATE_CLASSES = ['22', '23', '42'];

/**
 * The schema lacks a table, column or function the code uses (42P01 undefined_table, 42703
 * undefined_column, 42883 undefined_function): the code is ahead of the database, a migration is
 * pending. Inputs never name SQL objects (every query's identifiers are fixed), so retrying cannot be
 * wrong: the worker does not poll until migrations are current, and a migration applied (or a rollback
 * reverted) while a step is retried lets the retry succeed; the step's scheduleToCloseTimeout bounds it.
 */
const SCHEMA_SKEW_SQLSTATES = ['42P01', '42703', '42883'];

/** The type of a schema-skew error (SCHEMA_SKEW_SQLSTATES): retried. */
export const SCHEMA_NOT_READY = 'SchemaNotReady';

/** The type of a transient error the server raised (a terminated session, a restart, a deadlock): retried. */
export const TRANSIENT_DATABASE_ERROR = 'TransientDatabaseError';

/** Maps an operation's error to what Temporal should do with it. */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof ProvisioningError) {
    return ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: true, details: error.field ? [{ field: error.field }] : [] });
  }
  if (error instanceof ConcurrentAttemptError) return ApplicationFailure.create({ message: error.message, type: error.name, nonRetryable: false });
  const state = sqlState(error);
  if (state && SCHEMA_SKEW_SQLSTATES.includes(state)) {
    return ApplicationFailure.create({ message: safeErrorMessage(error), type: SCHEMA_NOT_READY, nonRetryable: false, details: [{ sqlState: state }] });
  }
  if (state && PERMANENT_SQLSTATE_CLASSES.includes(state.slice(0, 2))) {
    return ApplicationFailure.create({ message: safeErrorMessage(error), type: state.startsWith('22') ? 'InvalidInput' : 'DatabaseError', nonRetryable: true });
  }
  if (error instanceof DatabaseError) {
    // Thrown as it is, the SDK would name the failure after the error's class, pg's DatabaseError: the
    // type the workflow lists as non-retryable. A transient server error gets a retryable type instead.
    return ApplicationFailure.create({ message: safeErrorMessage(error), type: TRANSIENT_DATABASE_ERROR, nonRetryable: false, details: [{ sqlState: state }] });
  }
  return error;
}
