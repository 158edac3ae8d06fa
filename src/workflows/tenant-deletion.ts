import { allHandlersFinished, ApplicationFailure, condition, metricMeter, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { METRIC } from '../contracts/metric-names';
import type { ProvisioningActivities } from '../activities';
import { PROVISIONING_ERROR_TYPES } from '../contracts/errors';
import {
  cancelDeletionUpdate,
  checkGraceMs,
  confirmDeletionUpdate,
  getDeletionStateQuery,
  type ArchiveSummary,
  type DeletionPhase,
  type DeletionState,
  type TenantDeletionInput,
  type TenantDeletionResult,
} from '../contracts/tenant-deletion';
import { checkLifecycleInput } from './input';
import { typed } from './tenant-suspension';

const NON_RETRYABLE = [...PROVISIONING_ERROR_TYPES, 'DatabaseError'];

/** Suspend, verify, reactivate: short steps, each one transaction or one pass over the archive. */
const steps = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '10 minutes',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Export and delete: long, so they heartbeat their position after every page or batch (each bounded by
 * EXPORT_PAGE_SIZE / DELETE_BATCH_SIZE rows, well under a second at the defaults); a worker that dies is
 * noticed after the heartbeat timeout and the retry resumes from the last heartbeat's details. 10 s: a
 * killed worker's export or deletion resumes 10 s later, not 30 (only the timeout's value changed, which
 * replay does not compare).
 */
const longSteps = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Phases in which the deletion can still be confirmed or called off. */
const UNDECIDED: readonly DeletionPhase[] = ['suspending', 'exporting', 'verifying', 'grace'];

function notPending(state: DeletionState, what: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `the deletion of '${state.slug}' cannot be ${what}: it is ${state.decision ? `${state.decision} already` : state.phase}`,
    type: 'DeletionNotPending',
    nonRetryable: true,
  });
}

/**
 * Offboards a tenant (workflow id lifecycle-<slug>, never beside a suspend or reactivate of it): suspends
 * it, exports every row to EXPORT_DIR and verifies the archive, then waits for `confirmDeletion` or the
 * grace period (a durable timer), whichever comes first, and deletes every row in batches and writes the
 * tombstone. `cancelDeletion` before the deletion begins restores the tenant as it was (reactivated,
 * unless it was suspended before) and ends the workflow. `getState` shows the phase, the archive and
 * when the deletion will happen. A tenant found half-deleted (offboarding) is deleted without a grace.
 */
export async function tenantDeletionWorkflow(untrustedInput: TenantDeletionInput): Promise<TenantDeletionResult> {
  const input = checkLifecycleInput<TenantDeletionInput>(untrustedInput, workflowInfo().workflowId);
  let graceMs: number;
  try {
    graceMs = checkGraceMs(input.graceMs);
  } catch (error) {
    throw ApplicationFailure.create({ message: (error as Error).message, type: 'InvalidInput', nonRetryable: true, details: [{ field: 'grace' }] });
  }
  const { slug } = input;
  const state: DeletionState = { phase: 'suspending', slug };
  // Replay-safe counters: the workflow metric meter needs a workflow context, so they are made per execution.
  metricMeter.createCounter(METRIC.offboardingsStarted, 'offboardings', 'Tenant offboardings started').add(1);
  const countEnd = (outcome: 'deleted' | 'cancelled' | 'failed') =>
    metricMeter.createCounter(METRIC.offboardingsEnded, 'offboardings', 'Tenant offboardings ended, by outcome').add(1, { outcome });
  let ended = false;
  setHandler(getDeletionStateQuery, () => state);
  const pending = (what: string) => () => {
    if (!UNDECIDED.includes(state.phase) || state.decision !== undefined) throw notPending(state, what);
  };
  setHandler(
    confirmDeletionUpdate,
    () => {
      state.decision = 'confirmed';
      return { ...state };
    },
    { validator: pending('confirmed') },
  );
  setHandler(
    cancelDeletionUpdate,
    async () => {
      state.decision = 'cancelled';
      await condition(() => state.phase === 'cancelled' || ended);
      return { ...state };
    },
    { validator: pending('cancelled') },
  );

  try {
    const start = await typed('deletion', slug, () => steps.startTenantDeletion({ slug }));
    const target = { tenantId: start.tenantId, slug };
    state.tenantId = start.tenantId;
    // A tenant already offboarding lost rows to an earlier deletion: it can only be finished, not called off.
    if (start.resumed) state.decision = 'confirmed';
    let archive: ArchiveSummary | undefined;
    if (state.decision !== 'cancelled') {
      state.phase = 'exporting';
      archive = state.archive = await typed('export', slug, () => longSteps.exportTenantArchive(target));
    }
    if (state.decision !== 'cancelled') {
      state.phase = 'verifying';
      archive = state.archive = await typed('verification', slug, () => steps.verifyTenantArchive(target));
    }
    if (state.decision === undefined) {
      state.phase = 'grace';
      state.deleteAt = new Date(Date.now() + graceMs).toISOString();
      const decided = graceMs > 0 && (await condition(() => state.decision !== undefined, graceMs));
      if (!decided) state.decision ??= 'grace-elapsed';
    }
    if (state.decision === 'cancelled') {
      state.phase = 'cancelling';
      if (!start.wasSuspended) await typed('reactivation', slug, () => steps.reactivateTenant({ slug }));
      state.phase = 'cancelled';
      await condition(allHandlersFinished);
      countEnd('cancelled');
      return { slug, tenantId: start.tenantId, outcome: 'cancelled', ...(archive ? { archive } : {}), deletedRows: 0 };
    }
    state.phase = 'deleting';
    state.deleteAt = new Date(Date.now()).toISOString();
    const deleted = await typed('deletion', slug, () => longSteps.deleteTenantData({ ...target, archive: archive! }));
    state.phase = 'deleted';
    state.deletedRows = deleted.deletedRows;
    await condition(allHandlersFinished);
    countEnd('deleted');
    return { slug, tenantId: start.tenantId, outcome: 'deleted', archive: archive!, deletedRows: deleted.deletedRows, deletedAt: deleted.deletedAt };
  } catch (error) {
    countEnd('failed');
    throw error;
  } finally {
    ended = true;
  }
}
