import type { Knex } from 'knex';
import { uuidV5 } from '../../src/domain/stable-id';

/**
 * Adds `users` client users (each with one role), `roles` extra roles and `settings` extra settings to a
 * provisioned tenant, in multi-row inserts of 1000: a tenant large enough that offboarding pages and
 * batches through it. Client users, so no internal-email rule (nor Citus lookup row) is involved.
 */
export async function addBulkRows(knex: Knex, tenantId: string, counts: { users: number; roles?: number; settings?: number }): Promise<number> {
  const roleIds = Array.from({ length: counts.roles ?? 0 }, (_, i) => uuidV5(tenantId, `bulk-role:${i}`));
  const roles = roleIds.map((role_id, i) => ({ tenant: tenantId, role_id, name: `bulk role ${i}`, description: 'bulk' }));
  const settings = Array.from({ length: counts.settings ?? 0 }, (_, i) => ({ tenant: tenantId, key: `bulk.${i}`, value: JSON.stringify({ i, text: `setting ${i}` }) }));
  const users = Array.from({ length: counts.users }, (_, i) => ({
    tenant: tenantId,
    user_id: uuidV5(tenantId, `bulk-user:${i}`),
    email: `bulk-${i}-${tenantId.slice(0, 8)}@client.test`,
    first_name: `First ${i}`,
    last_name: `Last ${i}`,
    password_hash: 'not-a-hash',
    user_type: 'client',
  }));
  const anyRole = roleIds[0] ?? (await knex('roles').where({ tenant: tenantId }).first<{ role_id: string }>('role_id')).role_id;
  const userRoles = users.map((u) => ({ tenant: tenantId, user_id: u.user_id, role_id: anyRole }));
  for (const [table, rows] of [['roles', roles], ['tenant_settings', settings], ['users', users], ['user_roles', userRoles]] as const) {
    for (let i = 0; i < rows.length; i += 1000) await knex(table).insert(rows.slice(i, i + 1000));
  }
  return roles.length + settings.length + users.length + userRoles.length;
}
