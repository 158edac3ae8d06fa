/**
 * Permanent faults of the provisioning operations. The activities turn each into a non-retryable
 * ApplicationFailure whose type is `type`, so the workflow can match on it; everything else
 * (connection loss, serialization failures, deadlocks) is left for Temporal to retry.
 */
export const PROVISIONING_ERROR_TYPES = [
  'InvalidInput',
  'TenantAlreadyExists',
  'EmailAlreadyInUse',
  'TenantNotFound',
  'TenantNotSetUp',
  'TenantAlreadyActive',
  /** Suspend of a tenant that is still being provisioned (or otherwise not active or suspended). */
  'TenantNotSuspendable',
  /** Reactivate of a tenant that is neither suspended nor active (still being provisioned). */
  'TenantNotSuspended',
  /** Delete of a tenant that is not active or suspended (still being provisioned). */
  'TenantNotDeletable',
  /** The tenant's archive does not match its manifest: nothing is deleted. */
  'ExportVerificationFailed',
  /** confirm-deletion / cancel-deletion of a tenant whose deletion is not waiting for it. */
  'DeletionNotPending',
  /** create-tenant of a slug a deleted tenant had (a deleted_tenants tombstone), without reuseDeletedSlug. */
  'SlugOfDeletedTenant',
] as const;
export type ProvisioningErrorType = (typeof PROVISIONING_ERROR_TYPES)[number];

export class ProvisioningError extends Error {
  constructor(
    readonly type: ProvisioningErrorType,
    message: string,
    /** The input field at fault, for InvalidInput. */
    readonly field?: string,
  ) {
    super(message);
    this.name = type;
  }
}

export function invalidInput(field: string, problem: string): ProvisioningError {
  return new ProvisioningError('InvalidInput', `${field} ${problem}`, field);
}
