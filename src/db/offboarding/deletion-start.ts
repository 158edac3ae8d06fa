import type { Knex } from 'knex';
import { ProvisioningError } from '../../contracts/errors';
import { DELETION_SUSPENSION_REASON } from '../../contracts/tenant-deletion';
import { normalizeSlug } from '../../contracts/validation';
import { suspendTenantInDB } from '../suspension-operations';
import { findTenantBySlug } from '../tenant-operations';

export interface DeletionStart {
  tenantId: string;
  slug: string;
  /** The tenant was suspended before the deletion began: a cancelled deletion leaves it suspended. */
  wasSuspended: boolean;
  /** The tenant was already `offboarding` (a deletion that stopped midway): it resumes. */
  resumed: boolean;
}

/**
 * The first step of a deletion: the tenant suspended (suspendTenantInDB, so its users are disabled as a
 * suspension disables them). Only an active or suspended tenant can be deleted (TenantNotDeletable while
 * it is still being provisioned); one already `offboarding` resumes. Idempotent: a retry finds the
 * tenant suspended (by us) and reports it as the first attempt did, as wasSuspended only when the
 * suspension in force is not ours.
 */
export async function startTenantDeletionInDB(knex: Knex, input: { slug: string }): Promise<DeletionStart> {
  const slug = normalizeSlug(input.slug);
  const tenant = await findTenantBySlug(knex, slug);
  if (!tenant) throw new ProvisioningError('TenantNotFound', `tenant '${slug}' does not exist`, 'slug');
  if (tenant.status === 'offboarding') return { tenantId: tenant.tenantId, slug, wasSuspended: false, resumed: true };
  if (tenant.status !== 'active' && tenant.status !== 'suspended') {
    throw new ProvisioningError('TenantNotDeletable', `tenant '${slug}' is ${tenant.status}; only an active or suspended tenant can be deleted`, 'slug');
  }
  const suspension = await suspendTenantInDB(knex, { slug, reason: DELETION_SUSPENSION_REASON });
  return { tenantId: suspension.tenantId, slug, wasSuspended: suspension.alreadySuspended && suspension.reason !== DELETION_SUSPENSION_REASON, resumed: false };
}
