import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ProvisioningActivities } from '../activities';
import { PROVISIONING_ERROR_TYPES } from '../contracts/errors';
import { failureSummary } from '../contracts/failure-summary';
import type { TenantReactivationInput, TenantReactivationResult, TenantSuspensionInput, TenantSuspensionResult } from '../contracts/tenant-suspension';
import { checkLifecycleInput } from './input';

const lifecycle = proxyActivities<ProvisioningActivities>({
  startToCloseTimeout: '1 minute',
  // Rides out a database failover or restart; permanent faults (typed) fail at once.
  scheduleToCloseTimeout: '15 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: [...PROVISIONING_ERROR_TYPES, 'DatabaseError'] },
});

/** The activity's typed failure as the workflow's own, so a client sees its type (TenantNotSuspendable...) directly. */
export async function typed<T>(what: string, slug: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const summary = failureSummary(error);
    throw ApplicationFailure.create({ message: `${what} of '${slug}' failed: ${summary.message}`, type: summary.type ?? 'LifecycleFailed', nonRetryable: true, cause: error });
  }
}

/**
 * Suspends a tenant: status `suspended` with the reason and time, every enabled user disabled. Runs
 * under the workflow id lifecycle-<slug> (see contracts/tenant-suspension), one at a time per tenant.
 */
export async function tenantSuspensionWorkflow(untrustedInput: TenantSuspensionInput): Promise<TenantSuspensionResult> {
  const input = checkLifecycleInput<TenantSuspensionInput>(untrustedInput, workflowInfo().workflowId, ['reason']);
  return typed('suspension', input.slug, () => lifecycle.suspendTenant({ slug: input.slug, reason: input.reason }));
}

/** Reactivates a suspended tenant and exactly the users its suspension disabled. Workflow id lifecycle-<slug>. */
export async function tenantReactivationWorkflow(untrustedInput: TenantReactivationInput): Promise<TenantReactivationResult> {
  const input = checkLifecycleInput<TenantReactivationInput>(untrustedInput, workflowInfo().workflowId);
  return typed('reactivation', input.slug, () => lifecycle.reactivateTenant({ slug: input.slug }));
}
