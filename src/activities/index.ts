import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { createAdminUserInDB, rollbackUserInDB, type CreateAdminUserInput, type CreateAdminUserResult } from '../db/user-operations';
import {
  activateTenantInDB,
  createTenantInDB,
  findTenantIdByIdempotencyKey,
  rollbackTenantInDB,
  setupTenantDataInDB,
  type CreateTenantInput,
  type CreateTenantResult,
  type RollbackOptions,
  type SetupTenantDataResult,
} from '../db/tenant-operations';
import { METRIC } from '../metric-names';
import { toActivityFailure } from './failures';

export interface ActivityDependencies {
  /** The process's shared admin pool. */
  knex: Knex;
  bcryptCost: number;
}

export type CreateTenantActivityInput = Omit<CreateTenantInput, 'idempotencyKey'>;

/** The provisioning workflow's idempotency key: one per workflow execution, stable across activity retries. */
function idempotencyKey(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return workflowExecution ? `${workflowExecution.workflowId}/${workflowExecution.runId}` : `activity/${activityId}`;
}

async function run<T>(step: string, attributes: Record<string, unknown>, operation: () => Promise<T>, summary: (result: T) => Record<string, unknown>): Promise<T> {
  const { log, info, metricMeter } = Context.current();
  const duration = metricMeter.createHistogram(METRIC.stepDuration, 'int', 'ms', 'Duration of one provisioning step attempt');
  const started = Date.now();
  try {
    const result = await operation();
    const durationMs = Date.now() - started;
    duration.record(durationMs, { step, outcome: 'success' });
    log.info(`${step} done`, { step, ...attributes, ...summary(result), attempt: info.attempt, durationMs });
    return result;
  } catch (error) {
    const durationMs = Date.now() - started;
    duration.record(durationMs, { step, outcome: 'failure' });
    log.warn(`${step} failed`, { step, ...attributes, attempt: info.attempt, error: (error as Error).message, durationMs });
    throw toActivityFailure(error);
  }
}

/** Rolls back only what this workflow execution created: the tenant holding its idempotency key. */
async function rollbackOwnTenant(
  knex: Knex,
  rollback: (knex: Knex, tenantId: string, options: RollbackOptions) => Promise<number>,
  options: RollbackOptions,
): Promise<number> {
  const tenantId = await findTenantIdByIdempotencyKey(knex, idempotencyKey());
  return tenantId ? rollback(knex, tenantId, options) : 0;
}

/**
 * The provisioning activities, bound to their dependencies. Thin wrappers: each logs through the
 * activity context (never a password or hash) and maps errors to retryable or non-retryable failures.
 */
export function createActivities({ knex, bcryptCost }: ActivityDependencies) {
  return {
    createTenant(input: CreateTenantActivityInput): Promise<CreateTenantResult> {
      return run('createTenant', { slug: input.slug }, () => createTenantInDB(knex, { ...input, idempotencyKey: idempotencyKey() }), (r) => ({
        tenantId: r.tenantId,
        slug: r.slug,
        created: r.created,
      }));
    },

    setupTenantData(tenantId: string): Promise<SetupTenantDataResult> {
      return run('setupTenantData', { tenantId }, () => setupTenantDataInDB(knex, tenantId), (r) => ({ ...r }));
    },

    createAdminUser(input: CreateAdminUserInput): Promise<CreateAdminUserResult> {
      return run('createAdminUser', { tenantId: input.tenantId }, () => createAdminUserInDB(knex, input, bcryptCost), (r) => ({
        userId: r.userId,
        created: r.created,
        temporaryPasswordIssued: r.temporaryPassword !== undefined,
      }));
    },

    activateTenant(tenantId: string): Promise<void> {
      return run('activateTenant', { tenantId }, () => activateTenantInDB(knex, tenantId), () => ({}));
    },

    /** Compensation: removes the users of the tenant this workflow execution created, if any. */
    rollbackUser(options: RollbackOptions = {}): Promise<number> {
      return run('rollbackUser', {}, () => rollbackOwnTenant(knex, rollbackUserInDB, options), (deleted) => ({ deleted }));
    },

    /** Compensation: removes every row of the tenant this workflow execution created, if any. */
    rollbackTenant(options: RollbackOptions = {}): Promise<number> {
      return run('rollbackTenant', {}, () => rollbackOwnTenant(knex, rollbackTenantInDB, options), (deleted) => ({ deleted }));
    },
  };
}

export type ProvisioningActivities = ReturnType<typeof createActivities>;
