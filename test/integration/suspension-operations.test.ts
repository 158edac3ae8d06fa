import { reactivateTenantInDB, suspendTenantInDB } from '../../src/db/suspension-operations';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { createAdminUserInDB } from '../../src/db/user-operations';
import { expectProvisioningError } from '../support/provisioning-error';
import { adminInput, provisionTenant, TEST_BCRYPT_COST, uniqueSuffix, useAdminConnection } from '../support/tenant-fixtures';

const { knex, cleanup } = useAdminConnection();

interface UserRow {
  user_id: string;
  disabled_at: Date | null;
  disabled_by_suspension: boolean;
}

const tenantRow = (tenantId: string) =>
  knex('tenants').where({ tenant: tenantId }).first<{ status: string; suspension_reason: string | null; suspended_at: Date | null }>('status', 'suspension_reason', 'suspended_at');
const usersOf = (tenantId: string) => knex('users').where({ tenant: tenantId }).orderBy('user_id').select<UserRow[]>('user_id', 'disabled_at', 'disabled_by_suspension');

/** An active tenant with its admin, a second enabled user and a third an admin disabled before any suspension. */
async function tenantWithUsers() {
  const tenant = await provisionTenant(knex, cleanup);
  const enabled = await createAdminUserInDB(knex, adminInput(tenant.tenantId), TEST_BCRYPT_COST);
  const preDisabled = await createAdminUserInDB(knex, adminInput(tenant.tenantId), TEST_BCRYPT_COST);
  const disabledAt = new Date('2026-01-01T00:00:00Z');
  await knex('users').where({ tenant: tenant.tenantId, user_id: preDisabled.userId }).update({ disabled_at: disabledAt });
  return { ...tenant, enabledUserId: enabled.userId, preDisabledUserId: preDisabled.userId, disabledAt };
}

describe('suspendTenantInDB / reactivateTenantInDB', () => {
  it('suspends: status, reason and time on the tenant, every enabled user disabled by the suspension', async () => {
    const t = await tenantWithUsers();
    const result = await suspendTenantInDB(knex, { slug: t.slug, reason: '  unpaid invoice 42  ' });
    expect(result).toEqual({ tenantId: t.tenantId, slug: t.slug, reason: 'unpaid invoice 42', suspendedAt: expect.any(String), usersDisabled: 2, alreadySuspended: false });
    const row = await tenantRow(t.tenantId);
    expect(row).toEqual({ status: 'suspended', suspension_reason: 'unpaid invoice 42', suspended_at: new Date(result.suspendedAt) });
    const users = await usersOf(t.tenantId);
    for (const user of users) {
      expect(user.disabled_at).toBeInstanceOf(Date);
      expect(user.disabled_by_suspension).toBe(user.user_id !== t.preDisabledUserId);
    }
    expect(users.find((u) => u.user_id === t.preDisabledUserId)!.disabled_at).toEqual(t.disabledAt);
  });

  it('is idempotent: suspending a suspended tenant returns the suspension in force and changes nothing', async () => {
    const t = await tenantWithUsers();
    const first = await suspendTenantInDB(knex, { slug: t.slug, reason: 'chargeback' });
    const before = await usersOf(t.tenantId);
    const again = await suspendTenantInDB(knex, { slug: t.slug, reason: 'another reason' });
    expect(again).toEqual({ ...first, alreadySuspended: true });
    expect(await usersOf(t.tenantId)).toEqual(before);
    expect((await tenantRow(t.tenantId)).suspension_reason).toBe('chargeback');
  });

  it('reactivates exactly the users the suspension disabled; a user disabled before stays disabled', async () => {
    const t = await tenantWithUsers();
    await suspendTenantInDB(knex, { slug: t.slug, reason: 'unpaid' });
    const result = await reactivateTenantInDB(knex, { slug: t.slug });
    expect(result).toEqual({ tenantId: t.tenantId, slug: t.slug, usersReenabled: 2, alreadyActive: false });
    expect(await tenantRow(t.tenantId)).toEqual({ status: 'active', suspension_reason: null, suspended_at: null });
    for (const user of await usersOf(t.tenantId)) {
      expect(user.disabled_by_suspension).toBe(false);
      expect(user.disabled_at).toEqual(user.user_id === t.preDisabledUserId ? t.disabledAt : null);
    }
    expect(await reactivateTenantInDB(knex, { slug: t.slug })).toEqual({ ...result, usersReenabled: 0, alreadyActive: true });
  });

  it('concurrent suspends of one tenant serialize: one suspends, the others find its suspension', async () => {
    const t = await tenantWithUsers();
    const results = await Promise.all([1, 2, 3].map((n) => suspendTenantInDB(knex, { slug: t.slug, reason: `reason ${n}` })));
    expect(results.filter((r) => !r.alreadySuspended)).toHaveLength(1);
    expect(new Set(results.map((r) => `${r.reason}|${r.suspendedAt}|${r.usersDisabled}`)).size).toBe(1);
  });

  it('refuses a tenant still being provisioned, a missing one, and a bad reason or slug, with typed errors', async () => {
    const provisioning = await provisionTenant(knex, cleanup, { activate: false });
    await expectProvisioningError(suspendTenantInDB(knex, { slug: provisioning.slug, reason: 'x' }), 'TenantNotSuspendable', 'slug');
    await expectProvisioningError(reactivateTenantInDB(knex, { slug: provisioning.slug }), 'TenantNotSuspended', 'slug');
    expect((await tenantRow(provisioning.tenantId)).status).toBe('provisioning');
    await expectProvisioningError(suspendTenantInDB(knex, { slug: `missing-${uniqueSuffix()}`, reason: 'x' }), 'TenantNotFound', 'slug');
    await expectProvisioningError(reactivateTenantInDB(knex, { slug: `missing-${uniqueSuffix()}` }), 'TenantNotFound', 'slug');
    await expectProvisioningError(suspendTenantInDB(knex, { slug: provisioning.slug, reason: '   ' }), 'InvalidInput', 'reason');
    await expectProvisioningError(suspendTenantInDB(knex, { slug: provisioning.slug, reason: 'x'.repeat(501) }), 'InvalidInput', 'reason');
    await expectProvisioningError(suspendTenantInDB(knex, { slug: 'Bad Slug!', reason: 'x' }), 'InvalidInput', 'slug');
  });

  it('leaves a suspended tenant to rollback only when forced (cleanup never removes it)', async () => {
    const t = await tenantWithUsers();
    await suspendTenantInDB(knex, { slug: t.slug, reason: 'unpaid' });
    await expectProvisioningError(rollbackTenantInDB(knex, t.tenantId), 'TenantAlreadyActive');
  });
});
