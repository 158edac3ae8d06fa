import type { Knex } from 'knex';

/** The tables holding tenant data: `tenants` and the tenant-scoped tables that lead with `tenant`. */
export const TENANT_TABLES = ['tenants', 'tenant_settings', 'roles', 'permissions', 'role_permissions', 'users', 'user_roles'] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];

/** Where a pool without the setting (none of ours: admin.ts always sets it) finds the tenant tables. */
export const DEFAULT_TENANT_SCHEMA = 'public';

/** The userParams key carrying TENANT_DATA_SCHEMA on every pool admin.ts builds (transactions inherit it). */
const TENANT_SCHEMA_PARAM = 'tenantSchema';

export function tenantSchemaParams(schema: string): Record<string, string> {
  return { [TENANT_SCHEMA_PARAM]: schema };
}

/** The schema of the tenant tables on this connection. */
export function tenantSchemaOf(db: Knex): string {
  const schema = (db.userParams as Record<string, unknown> | undefined)?.[TENANT_SCHEMA_PARAM];
  return typeof schema === 'string' ? schema : DEFAULT_TENANT_SCHEMA;
}

/**
 * A query on a tenant table, its name qualified with the schema: the default search_path ("$user",
 * public) would resolve an unqualified name to a schema named like the connecting role, if one exists.
 */
export function tenantTable(db: Knex, name: TenantTable): Knex.QueryBuilder {
  return db(`${tenantSchemaOf(db)}.${name}`);
}

/** Each tenant table's primary key, `tenant` first: the order offboarding pages and deletes rows in. */
export const TENANT_TABLE_KEYS: Readonly<Record<TenantTable, readonly string[]>> = {
  tenants: ['tenant'],
  tenant_settings: ['tenant', 'key'],
  roles: ['tenant', 'role_id'],
  permissions: ['tenant', 'permission_id'],
  role_permissions: ['tenant', 'role_id', 'permission_id'],
  users: ['tenant', 'user_id'],
  user_roles: ['tenant', 'user_id', 'role_id'],
};

/** Tables with a `tenant` column that offboarding keeps: the tombstones of deleted tenants. */
export const RETAINED_AFTER_DELETION = ['deleted_tenants'] as const;
