import type { Knex } from 'knex';
import { ProvisioningError } from '../contracts/errors';
import type { TenantReactivationResult, TenantSuspensionResult } from '../contracts/tenant-suspension';
import { normalizeSlug, normalizeSuspensionReason } from '../contracts/validation';
import { usesLookupTables } from './citus';
import { lockTenantBySlug } from './tenant-lock';
import { tenantTable } from './tenant-tables';

interface LockedTenant {
  tenant: string;
  slug: string;
  status: string;
  suspension_reason: string | null;
  suspended_at: Date | null;
}

/** The tenant holding `slug`, its row locked until the transaction ends (so suspend and reactivate serialize). */
async function lockExistingTenant(trx: Knex.Transaction, slug: string, lookup: boolean): Promise<LockedTenant> {
  const tenant = await lockTenantBySlug<LockedTenant>(trx, slug, lookup, ['tenant', 'slug', 'status', 'suspension_reason', 'suspended_at']);
  if (!tenant) throw new ProvisioningError('TenantNotFound', `tenant '${slug}' does not exist`, 'slug');
  return tenant;
}

async function countUsers(trx: Knex.Transaction, tenantId: string, where: Record<string, unknown>): Promise<number> {
  const [row] = await tenantTable(trx, 'users').where({ tenant: tenantId, ...where }).count<Array<{ count: string | number }>>({ count: '*' });
  return Number(row?.count ?? 0);
}

/**
 * Suspends the tenant holding `slug`, in one transaction: status `suspended` with the reason and time,
 * and every user not disabled yet disabled (disabled_at) and marked disabled_by_suspension. Idempotent:
 * a suspended tenant is left as it is and its suspension in force returned (alreadySuspended), so a
 * retried attempt whose first attempt committed returns what that one did. A tenant still being
 * provisioned cannot be suspended (TenantNotSuspendable); a missing one is TenantNotFound.
 */
export async function suspendTenantInDB(knex: Knex, input: { slug: string; reason: string }): Promise<TenantSuspensionResult> {
  const slug = normalizeSlug(input.slug);
  const reason = normalizeSuspensionReason(input.reason);
  const lookup = await usesLookupTables(knex);
  return knex.transaction(async (trx) => {
    const tenant = await lockExistingTenant(trx, slug, lookup);
    if (tenant.status === 'suspended') {
      return {
        tenantId: tenant.tenant,
        slug,
        reason: tenant.suspension_reason!,
        suspendedAt: tenant.suspended_at!.toISOString(),
        usersDisabled: await countUsers(trx, tenant.tenant, { disabled_by_suspension: true }),
        alreadySuspended: true,
      };
    }
    if (tenant.status !== 'active') {
      throw new ProvisioningError('TenantNotSuspendable', `tenant '${slug}' is ${tenant.status}; only an active tenant can be suspended`, 'slug');
    }
    const [row] = await tenantTable(trx, 'tenants')
      .where({ tenant: tenant.tenant })
      .update({ status: 'suspended', suspension_reason: reason, suspended_at: trx.fn.now(), updated_at: trx.fn.now() })
      .returning<Array<{ suspended_at: Date }>>('suspended_at');
    const usersDisabled = await tenantTable(trx, 'users')
      .where({ tenant: tenant.tenant })
      .whereNull('disabled_at')
      .update({ disabled_at: row!.suspended_at, disabled_by_suspension: true, updated_at: trx.fn.now() });
    return { tenantId: tenant.tenant, slug, reason, suspendedAt: row!.suspended_at.toISOString(), usersDisabled, alreadySuspended: false };
  });
}

/**
 * Reactivates the tenant holding `slug`, in one transaction: status `active`, the suspension cleared, and
 * exactly the users the suspension disabled (disabled_by_suspension) enabled again; users disabled
 * otherwise stay disabled. Idempotent: an active tenant is left as it is (alreadyActive). A tenant still
 * being provisioned is TenantNotSuspended; a missing one TenantNotFound.
 */
export async function reactivateTenantInDB(knex: Knex, input: { slug: string }): Promise<TenantReactivationResult> {
  const slug = normalizeSlug(input.slug);
  const lookup = await usesLookupTables(knex);
  return knex.transaction(async (trx) => {
    const tenant = await lockExistingTenant(trx, slug, lookup);
    if (tenant.status === 'active') return { tenantId: tenant.tenant, slug, usersReenabled: 0, alreadyActive: true };
    if (tenant.status !== 'suspended') {
      throw new ProvisioningError('TenantNotSuspended', `tenant '${slug}' is ${tenant.status}; only a suspended tenant can be reactivated`, 'slug');
    }
    await tenantTable(trx, 'tenants')
      .where({ tenant: tenant.tenant })
      .update({ status: 'active', suspension_reason: null, suspended_at: null, updated_at: trx.fn.now() });
    const usersReenabled = await tenantTable(trx, 'users')
      .where({ tenant: tenant.tenant, disabled_by_suspension: true })
      .update({ disabled_at: null, disabled_by_suspension: false, updated_at: trx.fn.now() });
    return { tenantId: tenant.tenant, slug, usersReenabled, alreadyActive: false };
  });
}
