/** The contract between clients and tenantCreationWorkflow: safe to import from the workflow bundle and from clients. */
import { defineQuery } from '@temporalio/workflow';

export const WORKFLOW_TYPE = 'tenantCreationWorkflow';
export const WORKFLOW_ID_PREFIX = 'tenant-';

export interface AdminUserInput {
  email: string;
  firstName: string;
  lastName: string;
  /** 8-72 bytes. Omitted: a temporary password is generated and returned once, in the (encrypted) result. */
  password?: string;
}

export interface TenantCreationInput {
  tenantName: string;
  /** Normalized slug; the client derives it from the name when not given, and the workflow id from it. */
  slug: string;
  /** Defaults to the admin's email. */
  contactEmail?: string;
  admin: AdminUserInput;
  /**
   * Give the tenant a slug a deleted tenant had (it has a tombstone in deleted_tenants). Without it such a
   * slug is refused (SlugOfDeletedTenant). Optional: inputs from before it are unchanged.
   */
  reuseDeletedSlug?: boolean;
}

export interface TenantCreationResult {
  tenantId: string;
  slug: string;
  adminUserId: string;
  adminEmail: string;
  /** Present only when the password was generated. */
  temporaryPassword?: string;
}

export const PROVISIONING_STEPS = ['createTenant', 'setupTenantData', 'createAdminUser', 'activateTenant'] as const;
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];
export type CompensationStep = 'rollbackUser' | 'rollbackTenant';

/** `rejected`: the input broke the contract (see checkWorkflowInput); nothing ran. */
export type ProvisioningStatus = 'running' | 'completed' | 'compensating' | 'compensated' | 'compensation_failed' | 'rejected';

export interface ProvisioningState {
  status: ProvisioningStatus;
  /** The step running now, or the last one that ran. */
  step: ProvisioningStep | CompensationStep | 'starting' | 'done';
  completedSteps: ProvisioningStep[];
  /** The forward step that failed for good (then compensated), once one has. */
  failedStep?: ProvisioningStep;
  /** 0-100: share of forward steps completed. */
  progress: number;
  tenantId?: string;
  adminUserId?: string;
  lastError?: { message: string; type?: string };
}

export function workflowIdForSlug(slug: string): string {
  return `${WORKFLOW_ID_PREFIX}${slug}`;
}

/**
 * The idempotency key of one provisioning request, stored on the tenant it creates: the workflow id and
 * the first run id of its chain, which `temporal workflow reset` and continue-as-new keep.
 */
export function requestIdempotencyKey(workflowId: string, firstExecutionRunId: string): string {
  return `${workflowId}/${firstExecutionRunId}`;
}

/** The workflow id part of an idempotency key made by requestIdempotencyKey. */
export function workflowIdOfKey(idempotencyKey: string): string {
  return idempotencyKey.slice(0, Math.max(0, idempotencyKey.lastIndexOf('/')));
}

export const getStateQuery = defineQuery<ProvisioningState>('getState');
