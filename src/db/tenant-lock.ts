import type { Knex } from 'knex';
import { lookupTable } from './citus';
import { tenantTable } from './tenant-tables';

/**
 * The tenant holding `slug`, its row locked until the transaction ends. With the lookup tables (Citus),
 * the slug is found and locked in tenant_lookup first: Citus refuses FOR UPDATE on a query it cannot
 * route to one shard, and `tenants` is distributed by tenant, not slug.
 */
export async function lockTenantBySlug<Row>(trx: Knex.Transaction, slug: string, lookup: boolean, columns: readonly string[]): Promise<Row | undefined> {
  if (!lookup) return (await tenantTable(trx, 'tenants').where({ slug }).forUpdate().first(...columns)) as Row | undefined;
  const held = await trx(lookupTable(trx, 'tenant_lookup')).where({ slug }).forUpdate().first<{ tenant: string } | undefined>('tenant');
  if (!held) return undefined;
  return (await tenantTable(trx, 'tenants').where({ tenant: held.tenant }).forUpdate().first(...columns)) as Row | undefined;
}
