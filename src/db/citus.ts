import type { Knex } from 'knex';
import { tenantSchemaOf } from './tenant-tables';

/**
 * Citus support. On a database with the `citus` extension the migrations distribute every tenant table
 * by `tenant` (co-located with `tenants`) and keep what must be unique across tenants, which a unique
 * index on a distributed table cannot say (it must include `tenant`), in two small reference tables:
 *
 * - `tenant_lookup` (tenant, slug, idempotency_key): slug and idempotency key unique across tenants; every
 *   `tenants` row must match one (foreign key from the distributed table to the reference table).
 * - `internal_user_emails` (email, tenant): an internal user's email unique across tenants.
 *
 * The provisioning operations write them in the same transaction as the tenant's rows. Without Citus
 * neither table exists and the plain schema's unique indexes hold the same rules.
 */
export const LOOKUP_TABLES = ['tenant_lookup', 'internal_user_emails'] as const;
export type LookupTable = (typeof LOOKUP_TABLES)[number];

/** The tenant tables in the order they are distributed: `tenants` first, every other one co-located with it. */
export const DISTRIBUTED_TABLES = ['tenants', 'tenant_settings', 'roles', 'permissions', 'role_permissions', 'users', 'user_roles'] as const;

/** Whether the database this connection reaches has the citus extension. */
export async function citusInstalled(db: Knex | Knex.Transaction): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ installed: boolean }> }>("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS installed");
  return rows[0]?.installed === true;
}

/** Whether `schema.table` exists. */
export async function tableExists(db: Knex | Knex.Transaction, qualifiedName: string): Promise<boolean> {
  const { rows } = await db.raw<{ rows: Array<{ found: string | null }> }>('SELECT to_regclass(?)::text AS found', [qualifiedName]);
  return rows[0]?.found != null;
}

const lookupTablesOf = new WeakMap<object, Promise<boolean>>();

/**
 * Whether the tenant schema of this pool carries the Citus lookup tables (the distribution migration
 * ran on a Citus database). Asked once per pool: the schema of a running worker does not change engine.
 */
export function usesLookupTables(db: Knex): Promise<boolean> {
  let known = lookupTablesOf.get(db);
  if (!known) {
    known = tableExists(db, lookupTable(db, 'tenant_lookup'));
    known.catch(() => lookupTablesOf.delete(db));
    lookupTablesOf.set(db, known);
  }
  return known;
}

/** Forget what usesLookupTables learnt about this pool (after migrating it up or down). */
export function forgetLookupTables(db: Knex): void {
  lookupTablesOf.delete(db);
}

/** The schema-qualified name of a lookup table in this connection's tenant schema. */
export function lookupTable(db: Knex | Knex.Transaction, name: LookupTable): string {
  return `${tenantSchemaOf(db as Knex)}.${name}`;
}
