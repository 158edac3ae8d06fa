import { citusInstalled, tableExists } from '../citus';
import { defineMigration, type MigrationContext } from './migration';
import { TENANT_STATUSES as STATUSES_BEFORE } from './20261203200001_tenant_suspension';

/**
 * `offboarding`: the tenant's deletion has begun (its export verified, its grace period over); its rows
 * are being deleted in batches. Neither suspend nor reactivate accepts it, so a half-deleted tenant is
 * never brought back. There is no `deleted` status: a deleted tenant has no row; its tombstone does.
 */
export const TENANT_STATUSES = [...STATUSES_BEFORE, 'offboarding'] as const;

const statusCheck = (statuses: readonly string[]) => `CHECK (status IN (${statuses.map((s) => `'${s}'`).join(', ')}))`;

/**
 * Two statements: Citus refuses ADD CONSTRAINT beside other subcommands on a distributed table. On Citus,
 * one connection per worker (sequential mode) first: DDL on a distributed table cannot follow a parallel
 * multi-shard statement (down's count, an earlier migration's) in the same transaction.
 */
async function replaceStatusCheck(knex: MigrationContext['knex'], tenants: string, statuses: readonly string[]): Promise<void> {
  if (await citusInstalled(knex)) await knex.raw("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
  await knex.raw('ALTER TABLE ?? DROP CONSTRAINT tenants_status_check', [tenants]);
  await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT tenants_status_check ${statusCheck(statuses)}`, [tenants]);
}

/**
 * Tenant offboarding: the `offboarding` status and `deleted_tenants`, one tombstone per deleted tenant
 * (its id, slug, when, the SHA-256 of its export's manifest and the row counts deleted), so support can
 * answer "what happened to acme". Kept after the deletion: the one table with a `tenant` column that
 * offboarding does not empty. On Citus it is a reference table, written in the same transaction as the
 * last rows of the tenant (like tenant_lookup).
 */
export const tenantOffboarding = defineMigration({
  name: '20261204150001_tenant_offboarding',
  target: 'tenant-data',

  async up({ knex, schema, table, grant }) {
    await replaceStatusCheck(knex, table('tenants'), TENANT_STATUSES);
    await schema().createTable('deleted_tenants', (t) => {
      t.uuid('tenant').primary();
      t.text('slug').notNullable();
      t.timestamp('deleted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.text('export_manifest_sha256').notNullable();
      t.jsonb('row_counts').notNullable();
      t.index(['slug'], 'deleted_tenants_slug_idx');
    });
    if ((await citusInstalled(knex)) && (await tableExists(knex, table('tenant_lookup')))) {
      await knex.raw('SELECT create_reference_table(?)', [table('deleted_tenants')]);
    }
    await grant(['deleted_tenants'], 'SELECT');
  },

  async down({ knex, schema, table }) {
    // The earlier statuses cannot say `offboarding`: refuse rather than leave a half-deleted tenant looking alive.
    if (await citusInstalled(knex)) await knex.raw("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
    const [row] = await knex(table('tenants')).where({ status: 'offboarding' }).count<Array<{ count: string }>>({ count: '*' });
    const offboarding = Number(row?.count ?? 0);
    if (offboarding > 0) throw new Error(`${offboarding} tenant(s) are being deleted (offboarding); let their deletion finish before reverting 20261204150001_tenant_offboarding`);
    await schema().dropTable('deleted_tenants');
    await replaceStatusCheck(knex, table('tenants'), STATUSES_BEFORE);
  },
});
