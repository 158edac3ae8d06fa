import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { RunChanges, RunKey, RunRecords, StepRecord } from '../db/run-records';
import type { BeforeCommit } from '../db/transaction';
import { METRIC } from '../contracts/metric-names';
import { safeErrorMessage } from '../db/driver-errors';
import { toActivityFailure } from './failures';
import { annotateActiveSpan } from '../telemetry/span-attributes';

/**
 * How often a running step tells Temporal its worker is alive. Most steps end sooner and never send
 * one; a step waiting on bcrypt or a lock keeps its attempt alive within the workflow's heartbeatTimeout,
 * while a killed worker's attempt is retried after that timeout instead of startToCloseTimeout.
 */
export const HEARTBEAT_INTERVAL_MS = 1000;

export interface StepDefinition<T> {
  step: string;
  /** Log attributes identifying the work (never a password or hash). */
  attributes: Record<string, unknown>;
  /** The operation, given work to run inside its transaction before COMMIT. */
  operation: (beforeCommit: BeforeCommit<T>) => Promise<T>;
  /** Log attributes describing the result. */
  summary: (result: T) => Record<string, unknown>;
  /** How the run record changes when the step succeeds. */
  changes?: (result: T) => RunChanges;
  /** How the run record changes when the step fails (what the request names, such as its slug). */
  failureChanges?: RunChanges;
}

export function currentRun(): RunKey | undefined {
  const execution = Context.current().info.workflowExecution;
  return execution ? { workflowId: execution.workflowId, runId: execution.runId } : undefined;
}

function describe(error: unknown): StepRecord['error'] {
  const failure = toActivityFailure(error);
  return { message: safeErrorMessage(error), ...(failure instanceof ApplicationFailure && failure.type ? { type: failure.type } : {}) };
}

/**
 * Runs one provisioning step as an activity: logs through the activity context, records the duration
 * metric and the step's run record (inside the step's transaction when the storage shares its
 * database, else right after), and maps errors to retryable or non-retryable failures.
 */
export async function runStep<T>(runs: RunRecords | undefined, definition: StepDefinition<T>): Promise<T> {
  const context = Context.current();
  const { log, info, metricMeter } = context;
  const { step, attributes } = definition;
  const duration = metricMeter.createHistogram(METRIC.stepDuration, 'float', 's', 'Duration of one provisioning step attempt, in seconds');
  const run = runs && currentRun();
  const startedAt = new Date();
  const record = (error?: StepRecord['error']): StepRecord => {
    const completedAt = new Date();
    return { attempt: info.attempt, startedAt: startedAt.toISOString(), completedAt: completedAt.toISOString(), durationMs: completedAt.getTime() - startedAt.getTime(), ...(error ? { error } : {}) };
  };
  const write = (db: Knex, result: T) => runs!.recordStep(db, run!, step, record(), definition.changes?.(result));
  const inTransaction = run && runs.sharesAdminDatabase;
  const beforeCommit: BeforeCommit<T> = async (trx, result) => {
    // An attempt Temporal gave up on (timed out, cancelled, its worker shutting down) rolls back rather
    // than commit: its retry, or the saga's compensation, may already be running elsewhere.
    context.cancellationSignal.throwIfAborted();
    if (inTransaction) await write(trx, result);
  };

  // The activity's span (when tracing is on) names the tenant: identifiers only, never an email or hash.
  annotateActiveSpan(attributes);
  const heartbeat = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    const result = await definition.operation(beforeCommit);
    if (run && !runs.sharesAdminDatabase) await write(runs.knex, result);
    annotateActiveSpan(definition.summary(result));
    const durationMs = Date.now() - startedAt.getTime();
    duration.record(durationMs / 1000, { step, outcome: 'success' });
    log.info(`${step} done`, { step, ...attributes, ...definition.summary(result), attempt: info.attempt, durationMs });
    return result;
  } catch (error) {
    const durationMs = Date.now() - startedAt.getTime();
    duration.record(durationMs / 1000, { step, outcome: 'failure' });
    log.warn(`${step} failed`, { step, ...attributes, attempt: info.attempt, error: safeErrorMessage(error), durationMs });
    if (run) {
      // Bookkeeping only: a failure to record must not replace the step's own error.
      await runs.recordStep(runs.knex, run, step, record(describe(error)), definition.failureChanges).catch((recordError: unknown) => {
        log.warn('could not record the failed step', { step, error: safeErrorMessage(recordError) });
      });
    }
    throw toActivityFailure(error);
  } finally {
    clearInterval(heartbeat);
  }
}
