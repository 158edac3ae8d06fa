import type { Knex } from 'knex';
import { expandGrants, TENANT_SEED } from '../../src/contracts/tenant-seed';

/** Every table that holds provisioning data: `tenants` and the six tenant-scoped tables. */
export const PROVISIONING_TABLES = ['tenants', 'tenant_settings', 'roles', 'permissions', 'role_permissions', 'users', 'user_roles'] as const;
export type ProvisioningTable = (typeof PROVISIONING_TABLES)[number];
export type RowCounts = Record<ProvisioningTable, number>;

async function countRows(knex: Knex, tenantId?: string): Promise<RowCounts> {
  const counts = await Promise.all(
    PROVISIONING_TABLES.map(async (table) => {
      const rows = tenantId === undefined ? knex(table) : knex(table).where({ tenant: tenantId });
      const [row] = await rows.count<{ n: string }[]>({ n: '*' });
      return [table, Number(row?.n)] as const;
    }),
  );
  return Object.fromEntries(counts) as RowCounts;
}

/** Rows of one tenant in each of the seven tables. */
export function countTenantRows(knex: Knex, tenantId: string): Promise<RowCounts> {
  return countRows(knex, tenantId);
}

/** Rows in each of the seven tables, whichever tenant they belong to. */
export function countAllRows(knex: Knex): Promise<RowCounts> {
  return countRows(knex);
}

/** Rows of every tenant in each of the seven tables, by tenant id: seven grouped queries, whatever the number of tenants. */
export async function countRowsByTenant(knex: Knex): Promise<Map<string, RowCounts>> {
  const byTenant = new Map<string, RowCounts>();
  for (const table of PROVISIONING_TABLES) {
    const rows = await knex(table).select('tenant').count<{ tenant: string; n: string }[]>({ n: '*' }).groupBy('tenant');
    for (const { tenant, n } of rows) {
      const counts = byTenant.get(tenant) ?? { ...NO_ROWS };
      counts[table] = Number(n);
      byTenant.set(tenant, counts);
    }
  }
  return byTenant;
}

export const NO_ROWS: RowCounts = { tenants: 0, tenant_settings: 0, roles: 0, permissions: 0, role_permissions: 0, users: 0, user_roles: 0 };

/** What one fully provisioned tenant (seed data plus its admin user) holds, derived from TENANT_SEED. */
export const FULL_TENANT_ROWS: RowCounts = {
  tenants: 1,
  tenant_settings: Object.keys(TENANT_SEED.settings).length,
  roles: TENANT_SEED.roles.length,
  permissions: TENANT_SEED.resources.length * TENANT_SEED.actions.length,
  role_permissions: TENANT_SEED.roles.reduce((sum, role) => sum + expandGrants(TENANT_SEED, role.grants).length, 0),
  users: 1,
  user_roles: 1,
};
