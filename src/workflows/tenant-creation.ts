import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ProvisioningActivities } from '../activities';
import { PROVISIONING_ERROR_TYPES } from '../contracts/errors';
import { failureSummary } from '../contracts/failure-summary';
import type { RunFailure, RunOutcome } from '../contracts/run-outcome';
import { METRIC } from '../contracts/metric-names';
import { checkWorkflowInput } from './input';
import {
  getStateQuery,
  PROVISIONING_STEPS,
  type CompensationStep,
  type ProvisioningState,
  type ProvisioningStep,
  type TenantCreationInput,
  type TenantCreationResult,
  requestIdempotencyKey,
} from '../contracts/tenant-creation';

const NON_RETRYABLE = [...PROVISIONING_ERROR_TYPES, 'DatabaseError'];

/**
 * A step heartbeats while it runs (the step runner; the worker sends them every 2 s), so an attempt whose
 * worker died (SIGKILL, OOM, a lost node) is retried after this, not after the full startToCloseTimeout.
 */
const HEARTBEAT_TIMEOUT = '10 seconds';

const steps = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  // Rides out a database failover or restart; past this the provisioning is compensated.
  scheduleToCloseTimeout: '15 minutes',
  // On cancellation, wait for a running step to finish: compensating while it may still commit would orphan rows.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
});

export const COMPENSATION_MAX_ATTEMPTS = 10;

const compensations = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '1 hour',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: COMPENSATION_MAX_ATTEMPTS,
    nonRetryableErrorTypes: ['InvalidInput', 'DatabaseError'],
  },
});

/** Replay-safe counters; created per execution because the workflow metric meter needs a workflow context. */
const provisioningCounters = () => ({
  started: metricMeter.createCounter(METRIC.provisioningsStarted, 'provisionings', 'Tenant provisionings started'),
  succeeded: metricMeter.createCounter(METRIC.provisioningsSucceeded, 'provisionings', 'Tenant provisionings completed'),
  failed: metricMeter.createCounter(METRIC.provisioningsFailed, 'provisionings', 'Tenant provisionings that failed or were cancelled'),
  compensated: metricMeter.createCounter(METRIC.provisioningsCompensated, 'provisionings', 'Failed provisionings fully compensated'),
});

/**
 * Provisions a tenant: createTenant, setupTenantData, createAdminUser, activateTenant. A saga: when a
 * step fails for good or the workflow is cancelled, the compensations registered so far run in reverse
 * in a non-cancellable scope. Each compensation finds what this execution created by its idempotency
 * key, so it is registered before its step runs: a step can commit even when its call does not return.
 */
export async function tenantCreationWorkflow(untrustedInput: TenantCreationInput): Promise<TenantCreationResult> {
  const state: ProvisioningState = { status: 'running', step: 'starting', completedSteps: [], progress: 0 };
  setHandler(getStateQuery, () => state);
  const { workflowId, firstExecutionRunId } = workflowInfo();
  let input: TenantCreationInput;
  try {
    // Executions started before the check existed replay without it: it would fail where they scheduled a step.
    input = patched(INPUT_CHECK_PATCH) ? checkWorkflowInput(untrustedInput, workflowId) : untrustedInput;
  } catch (error) {
    state.status = 'rejected';
    state.lastError = failureSummary(error);
    throw error;
  }
  // One key per provisioning request: reset and continue-as-new keep the chain's first run id, so a
  // reset run finds what the run it replaced created instead of failing on its own tenant.
  const idempotencyKey = requestIdempotencyKey(workflowId, firstExecutionRunId);
  const provisionings = provisioningCounters();
  provisionings.started.add(1);
  const undo: CompensationStep[] = [];

  async function step<T>(name: ProvisioningStep, run: () => Promise<T>): Promise<T> {
    state.step = name;
    const result = await run();
    state.completedSteps.push(name);
    state.progress = Math.round((100 * state.completedSteps.length) / PROVISIONING_STEPS.length);
    return result;
  }

  try {
    undo.unshift('rollbackTenant');
    const tenant = await step('createTenant', () =>
      steps.createTenant({ name: input.tenantName, slug: input.slug, contactEmail: input.contactEmail ?? input.admin.email, adminEmail: input.admin.email, idempotencyKey, ...(input.reuseDeletedSlug === true ? { reuseDeletedSlug: true } : {}) }),
    );
    state.tenantId = tenant.tenantId;
    await step('setupTenantData', () => steps.setupTenantData(tenant.tenantId));
    undo.unshift('rollbackUser');
    const admin = await step('createAdminUser', () => steps.createAdminUser({ tenantId: tenant.tenantId, ...input.admin }));
    state.adminUserId = admin.userId;
    await step('activateTenant', () => steps.activateTenant(tenant.tenantId));
    state.status = 'completed';
    state.step = 'done';
    provisionings.succeeded.add(1);
    return {
      tenantId: tenant.tenantId,
      slug: tenant.slug,
      adminUserId: admin.userId,
      adminEmail: admin.email,
      ...(admin.temporaryPassword ? { temporaryPassword: admin.temporaryPassword } : {}),
    };
  } catch (error) {
    const failedStep = state.step;
    if ((PROVISIONING_STEPS as readonly string[]).includes(failedStep)) state.failedStep = failedStep as ProvisioningStep;
    state.lastError = failureSummary(error);
    provisionings.failed.add(1);
    await compensate(undo, idempotencyKey, state, { step: failedStep, ...state.lastError });
    provisionings.compensated.add(1);
    if (isCancellation(error)) throw error;
    throw ApplicationFailure.create({
      message: `provisioning of '${input.slug}' failed at ${failedStep}: ${state.lastError.message}; compensated`,
      type: state.lastError.type ?? 'ProvisioningFailed',
      nonRetryable: true,
      cause: error as Error,
    });
  }
}

/** Introduced with the input check: executions started before it run without it. */
export const INPUT_CHECK_PATCH = 'check-workflow-input';

/** Introduced with provisioning run records: executions started before it never call recordRunOutcome. */
export const RUN_RECORDS_PATCH = 'record-run-outcome';

/** Bookkeeping: the run record's final status. Logged, never thrown, so it cannot change how the saga ends. */
async function recordRunOutcome(outcome: RunOutcome): Promise<void> {
  if (!patched(RUN_RECORDS_PATCH)) return;
  try {
    await compensations.recordRunOutcome(outcome);
  } catch (error) {
    log.warn('could not record the run outcome', { status: outcome.status, error: (error as Error).message });
  }
}

async function compensate(undo: readonly CompensationStep[], idempotencyKey: string, state: ProvisioningState, failure: RunFailure): Promise<void> {
  state.status = 'compensating';
  await CancellationScope.nonCancellable(async () => {
    for (const compensation of undo) {
      state.step = compensation;
      try {
        await compensations[compensation]({ idempotencyKey });
      } catch (error) {
        state.status = 'compensation_failed';
        state.lastError = failureSummary(error);
        await recordRunOutcome({ status: 'compensation_failed', failure });
        throw ApplicationFailure.create({
          message: `compensation ${compensation} failed: ${state.lastError.message}; the tenant needs manual cleanup`,
          type: 'CompensationFailed',
          nonRetryable: true,
          cause: error as Error,
          details: [{ compensation }],
        });
      }
    }
    state.status = 'compensated';
    await recordRunOutcome({ status: 'compensated', failure });
  });
}
