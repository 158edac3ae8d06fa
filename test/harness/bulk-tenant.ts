import type { Knex } from 'knex';
import { addBulkRows } from './bulk-tenant-rows';
import { provisionDirectly } from './provision-directly';
import { countTenantRows } from './tenant-rows';

/** Rows of a tenant over all its tables. */
export async function totalTenantRows(knex: Knex, tenantId: string): Promise<number> {
  return Object.values(await countTenantRows(knex, tenantId)).reduce((a, b) => a + b, 0);
}

/**
 * An active tenant holding about `rows` rows (the seed data and its admin, then client users with one
 * role each: half the rows in users, half in user_roles), provisioned by the operations directly (no
 * Temporal). `label` makes its slug, names and emails unique. Shared by the offboarding bench and chaos.
 */
export async function provisionTenantOfSize(knex: Knex, rows: number, label: string, bcryptCost: number): Promise<{ tenantId: string; slug: string; total: number }> {
  const suffix = `${Date.now().toString(36)}-${label}`;
  const tenant = await provisionDirectly(
    knex,
    {
      tenant: { name: `Offboarding ${suffix}`, slug: `offboarding-${suffix}`, contactEmail: `ops-${suffix}@offboarding.test`, idempotencyKey: `offboarding-${suffix}` },
      admin: { email: `admin-${suffix}@offboarding.test`, firstName: 'Ada', lastName: 'Lovelace', password: 'offboarding-password-1' },
    },
    bcryptCost,
  );
  const seeded = await totalTenantRows(knex, tenant.tenantId);
  await addBulkRows(knex, tenant.tenantId, { users: Math.max(0, Math.floor((rows - seeded) / 2)) });
  return { tenantId: tenant.tenantId, slug: tenant.slug, total: await totalTenantRows(knex, tenant.tenantId) };
}
