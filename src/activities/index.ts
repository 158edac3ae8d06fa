import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { createAdminUserInDB, rollbackUserInDB, type CreateAdminUserInput, type CreateAdminUserResult } from '../db/user-operations';
import {
  activateTenantInDB,
  createTenantInDB,
  rollbackTenantInDB,
  setupTenantDataInDB,
  type CreateTenantInput,
  type CreateTenantResult,
  type RollbackOptions,
  type SetupTenantDataResult,
} from '../db/tenant-operations';
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
  const { log, info } = Context.current();
  const started = Date.now();
  try {
    const result = await operation();
    log.info(`${step} done`, { step, ...attributes, ...summary(result), attempt: info.attempt, durationMs: Date.now() - started });
    return result;
  } catch (error) {
    log.warn(`${step} failed`, { step, ...attributes, attempt: info.attempt, error: (error as Error).message, durationMs: Date.now() - started });
    throw toActivityFailure(error);
  }
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

    rollbackUser(tenantId: string, options: RollbackOptions = {}): Promise<number> {
      return run('rollbackUser', { tenantId }, () => rollbackUserInDB(knex, tenantId, options), (deleted) => ({ deleted }));
    },

    rollbackTenant(tenantId: string, options: RollbackOptions = {}): Promise<number> {
      return run('rollbackTenant', { tenantId }, () => rollbackTenantInDB(knex, tenantId, options), (deleted) => ({ deleted }));
    },
  };
}

export type ProvisioningActivities = ReturnType<typeof createActivities>;
