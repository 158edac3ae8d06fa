/**
 * The contract between clients and the suspension workflows (tenantSuspensionWorkflow,
 * tenantReactivationWorkflow): names, inputs, results and the workflow id rule. Pure: safe to import
 * from the workflow bundle and from clients.
 */
import { normalizeSlug, normalizeSuspensionReason } from './validation';

export const SUSPENSION_WORKFLOW_TYPE = 'tenantSuspensionWorkflow';
export const REACTIVATION_WORKFLOW_TYPE = 'tenantReactivationWorkflow';

/**
 * Every lifecycle workflow of one tenant after its creation (suspend, reactivate; offboarding later)
 * runs under the one workflow id `lifecycle-<slug>`, started with the FAIL conflict policy, so two of
 * them never run at once for one tenant. Not `tenant-...`: that prefix is provisioning's, and a slug
 * such as `lifecycle-acme` would make its provisioning id collide with the lifecycle id of `acme`.
 */
export const LIFECYCLE_WORKFLOW_ID_PREFIX = 'lifecycle-';

export function lifecycleWorkflowIdForSlug(slug: string): string {
  return `${LIFECYCLE_WORKFLOW_ID_PREFIX}${slug}`;
}

export interface TenantSuspensionInput {
  /** Normalized slug; the workflow id is derived from it. */
  slug: string;
  /** 1-500 characters: why (unpaid invoice, abuse report...). Kept on the tenant row. */
  reason: string;
}

export interface TenantReactivationInput {
  slug: string;
}

export interface TenantSuspensionResult {
  tenantId: string;
  slug: string;
  /** The suspension in force: this call's, or the one found when the tenant was suspended already. */
  reason: string;
  /** ISO 8601. */
  suspendedAt: string;
  /** Users this suspension disabled (marked disabled_by_suspension). */
  usersDisabled: number;
  /** true when the tenant was suspended before this call (nothing changed). */
  alreadySuspended: boolean;
}

export interface TenantReactivationResult {
  tenantId: string;
  slug: string;
  /** Users re-enabled: exactly those the suspension had disabled. */
  usersReenabled: number;
  /** true when the tenant was active already (nothing changed). */
  alreadyActive: boolean;
}

/** The suspension request as the workflow gets it: slug and reason normalized (InvalidInput otherwise). */
export function toSuspensionInput(request: { slug: unknown; reason: unknown }): TenantSuspensionInput {
  return { slug: normalizeSlug(request.slug), reason: normalizeSuspensionReason(request.reason) };
}

export function toReactivationInput(request: { slug: unknown }): TenantReactivationInput {
  return { slug: normalizeSlug(request.slug) };
}
