import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { RunOutcome } from '../contracts/run-outcome';
import type { RunRecords } from '../db/run-records';
import {
  activateTenantInDB,
  createTenantInDB,
  findTenantIdByIdempotencyKey,
  rollbackTenantInDB,
  setupTenantDataInDB,
  type CreateTenantInput,
  type CreateTenantResult,
  type RollbackCall,
  type RollbackOptions,
  type SetupTenantDataResult,
} from '../db/tenant-operations';
import { reactivateTenantInDB, suspendTenantInDB } from '../db/suspension-operations';
import type { BeforeCommit } from '../db/transaction';
import { createAdminUserInDB, rollbackUserInDB, type CreateAdminUserInput, type CreateAdminUserResult } from '../db/user-operations';
import { requestIdempotencyKey } from '../contracts/tenant-creation';
import type { TenantReactivationInput, TenantReactivationResult, TenantSuspensionInput, TenantSuspensionResult } from '../contracts/tenant-suspension';
import { toActivityFailure } from './failures';
import { lifecycleStep } from './lifecycle-step';
import { createOffboardingActivities } from './offboarding';
import type { OffboardingConfig } from '../config';
import { currentRun, runStep } from './step-runner';

export interface ActivityDependencies {
  /** The process's shared admin pool. */
  knex: Knex;
  bcryptCost: number;
  /** Where provisioning run records go; without it nothing is recorded. */
  runs?: RunRecords;
  /** EXPORT_DIR and the export's page and deletion's batch sizes; unset: the defaults (archives under the OS's temporary directory). */
  offboarding?: OffboardingConfig;
}

/** The workflow passes its request's idempotency key; a caller that does not gets the one derived from the activity context. */
export type CreateTenantActivityInput = Omit<CreateTenantInput, 'idempotencyKey'> & { idempotencyKey?: string };

/** A compensation's options: which request's tenant to remove (see CreateTenantActivityInput). */
export type CompensationOptions = RollbackOptions & { idempotencyKey?: string };

/**
 * The provisioning request's idempotency key, as the workflow passed it. Workflow code from before the
 * key was passed derives it from the run: the same value for a run that was never reset.
 */
function idempotencyKey(given?: string): string {
  if (given !== undefined) return given;
  const { workflowExecution, activityId } = Context.current().info;
  return workflowExecution ? requestIdempotencyKey(workflowExecution.workflowId, workflowExecution.runId) : `activity/${activityId}`;
}

/** Rolls back only what this workflow execution created: the tenant holding its idempotency key. */
async function rollbackOwnTenant(
  knex: Knex,
  rollback: (knex: Knex, tenantId: string, options: RollbackCall) => Promise<number>,
  { idempotencyKey: givenKey, ...options }: CompensationOptions,
  beforeCommit: BeforeCommit<number>,
): Promise<number> {
  const tenantId = await findTenantIdByIdempotencyKey(knex, idempotencyKey(givenKey));
  if (tenantId) return rollback(knex, tenantId, { ...options, beforeCommit });
  // Nothing to delete; the step still runs its pre-COMMIT work (its run record, the cancellation check).
  await knex.transaction((trx) => beforeCommit(trx, 0));
  return 0;
}

/**
 * The provisioning activities, bound to their dependencies. Thin wrappers over the operations: each
 * logs through the activity context (never a password or hash), records its run-record step and maps
 * errors to retryable or non-retryable failures.
 */
export function createActivities({ knex, bcryptCost, runs, offboarding }: ActivityDependencies) {
  const compensating = () => ({ status: 'compensating' as const });
  return {
    ...createOffboardingActivities(knex, offboarding),

    createTenant(input: CreateTenantActivityInput): Promise<CreateTenantResult> {
      return runStep(runs, {
        step: 'createTenant',
        attributes: { slug: input.slug },
        operation: (beforeCommit) =>
          createTenantInDB(
            knex,
            { ...input, idempotencyKey: idempotencyKey(input.idempotencyKey), requestedAt: new Date(Context.current().info.scheduledTimestampMs) },
            beforeCommit,
          ),
        summary: (r) => ({ tenantId: r.tenantId, slug: r.slug, created: r.created }),
        changes: (r) => ({ status: 'running', tenant: r.tenantId, slug: r.slug }),
        // A request refused at its first step (slug taken, admin email in use) is still found by its slug.
        ...(typeof input.slug === 'string' ? { failureChanges: { slug: input.slug } } : {}),
      });
    },

    setupTenantData(tenantId: string): Promise<SetupTenantDataResult> {
      return runStep(runs, {
        step: 'setupTenantData',
        attributes: { tenantId },
        operation: (beforeCommit) => setupTenantDataInDB(knex, tenantId, undefined, beforeCommit),
        summary: (r) => ({ ...r }),
      });
    },

    createAdminUser(input: CreateAdminUserInput): Promise<CreateAdminUserResult> {
      return runStep(runs, {
        step: 'createAdminUser',
        attributes: { tenantId: input.tenantId },
        operation: (beforeCommit) => createAdminUserInDB(knex, input, bcryptCost, beforeCommit),
        summary: (r) => ({ userId: r.userId, created: r.created, temporaryPasswordIssued: r.temporaryPassword !== undefined }),
      });
    },

    activateTenant(tenantId: string): Promise<void> {
      return runStep(runs, {
        step: 'activateTenant',
        attributes: { tenantId },
        operation: (beforeCommit) => activateTenantInDB(knex, tenantId, beforeCommit),
        summary: () => ({}),
        changes: () => ({ status: 'completed', completed: true }),
      });
    },

    /** Compensation: removes the users of the tenant this workflow execution created, if any. */
    rollbackUser(options: CompensationOptions = {}): Promise<number> {
      return runStep(runs, {
        step: 'rollbackUser',
        attributes: {},
        operation: (beforeCommit) => rollbackOwnTenant(knex, rollbackUserInDB, options, beforeCommit),
        summary: (deleted) => ({ deleted }),
        changes: compensating,
      });
    },

    /** Compensation: removes every row of the tenant this workflow execution created, if any. */
    rollbackTenant(options: CompensationOptions = {}): Promise<number> {
      return runStep(runs, {
        step: 'rollbackTenant',
        attributes: {},
        operation: (beforeCommit) => rollbackOwnTenant(knex, rollbackTenantInDB, options, beforeCommit),
        summary: (deleted) => ({ deleted }),
        changes: compensating,
      });
    },

    /** Suspends the tenant (idempotent: a suspended tenant's suspension in force is returned). Logs no reason text. */
    suspendTenant(input: TenantSuspensionInput): Promise<TenantSuspensionResult> {
      return lifecycleStep('suspendTenant', input.slug, () => suspendTenantInDB(knex, input), (r) => ({ tenantId: r.tenantId, usersDisabled: r.usersDisabled, alreadySuspended: r.alreadySuspended }));
    },

    /** Reactivates the tenant, re-enabling exactly the users its suspension disabled (idempotent). */
    reactivateTenant(input: TenantReactivationInput): Promise<TenantReactivationResult> {
      return lifecycleStep('reactivateTenant', input.slug, () => reactivateTenantInDB(knex, input), (r) => ({ tenantId: r.tenantId, usersReenabled: r.usersReenabled, alreadyActive: r.alreadyActive }));
    },

    /** Records how a run that did not complete ended (compensated, or compensation_failed) and where it failed. */
    async recordRunOutcome(outcome: RunOutcome): Promise<void> {
      const run = currentRun();
      try {
        if (runs && run) await runs.recordOutcome(run, outcome.status, outcome.failure);
      } catch (error) {
        // The same mapping as every step: a transient database error is retried, not failed for good.
        throw toActivityFailure(error);
      }
    },
  };
}

export type ProvisioningActivities = ReturnType<typeof createActivities>;
