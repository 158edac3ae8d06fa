import type { Knex } from 'knex';
import { tenantSchemaOf } from '../../src/db/tenant-tables';

/**
 * Every table of the tenant schema with a `tenant` column, from the catalog (not from TENANT_TABLES): what
 * the offboarding coverage contract checks against, so a migration's new tenant table cannot be missed.
 */
export async function catalogTenantTables(knex: Knex): Promise<string[]> {
  const schema = tenantSchemaOf(knex);
  return knex('information_schema.columns')
    .where({ table_schema: schema, column_name: 'tenant' })
    .whereIn('table_name', knex('information_schema.tables').where({ table_schema: schema, table_type: 'BASE TABLE' }).select('table_name'))
    .orderBy('table_name')
    .pluck<string[]>('table_name');
}

/** Rows of the tenant in each of `tables` that still has any: {} when none is left. */
export async function tenantRowsLeft(knex: Knex, tenantId: string, tables: readonly string[]): Promise<Record<string, number>> {
  const left: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await knex(`${tenantSchemaOf(knex)}.${table}`).where({ tenant: tenantId }).count<Array<{ count: string }>>({ count: '*' });
    if (Number(row!.count) > 0) left[table] = Number(row!.count);
  }
  return left;
}
