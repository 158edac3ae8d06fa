import { citusInstalled, DISTRIBUTED_TABLES, tableExists } from '../citus';
import { defineMigration, type MigrationContext } from './migration';

/**
 * On a Citus database: every tenant table distributed by `tenant`, co-located with `tenants`, and the
 * rules that span tenants moved to reference tables (see src/db/citus.ts), since a unique index on a
 * distributed table must include `tenant`. On plain PostgreSQL it does nothing, so the schema stays
 * the one the earlier migrations made. `down` undoes exactly what `up` did: nothing without the
 * lookup tables; with them, the tables local again and the unique indexes back.
 */
export const distributeOnCitus = defineMigration({
  name: '20261203210001_distribute_on_citus',
  target: 'tenant-data',

  async up(context) {
    if (!(await citusInstalled(context.knex))) return;
    const { knex, table, grant } = context;
    // One connection per worker for the whole migration: the foreign key to a reference table cannot follow
    // parallel (multi-connection) operations on distributed tables in the same transaction.
    await knex.raw("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
    await knex.raw(
      `CREATE TABLE ?? (
         tenant uuid PRIMARY KEY,
         slug text NOT NULL CONSTRAINT tenant_lookup_slug_unique UNIQUE,
         idempotency_key text NOT NULL CONSTRAINT tenant_lookup_idempotency_key_unique UNIQUE,
         CONSTRAINT tenant_lookup_row_unique UNIQUE (tenant, slug, idempotency_key))`,
      [table('tenant_lookup')],
    );
    await knex.raw('INSERT INTO ?? (tenant, slug, idempotency_key) SELECT tenant, slug, idempotency_key FROM ??', [table('tenant_lookup'), table('tenants')]);
    await knex.raw('CREATE TABLE ?? (email text PRIMARY KEY, tenant uuid NOT NULL)', [table('internal_user_emails')]);
    await knex.raw('CREATE INDEX internal_user_emails_tenant_idx ON ?? (tenant)', [table('internal_user_emails')]);
    await knex.raw("INSERT INTO ?? (email, tenant) SELECT email, tenant FROM ?? WHERE user_type = 'internal'", [table('internal_user_emails'), table('users')]);
    for (const name of ['tenant_lookup', 'internal_user_emails']) await knex.raw('SELECT create_reference_table(?)', [table(name)]);

    await knex.raw('ALTER TABLE ?? DROP CONSTRAINT tenants_slug_unique, DROP CONSTRAINT tenants_idempotency_key_unique', [table('tenants')]);
    await knex.raw('DROP INDEX ??', [table('users_internal_email_unique')]);
    await knex.raw("SELECT create_distributed_table(?, 'tenant')", [table('tenants')]);
    for (const name of DISTRIBUTED_TABLES.slice(1)) await knex.raw("SELECT create_distributed_table(?, 'tenant', colocate_with => ?)", [table(name), table('tenants')]);
    // Every tenant holds its slug and key in the lookup, whose unique indexes span all tenants.
    await knex.raw(
      'ALTER TABLE ?? ADD CONSTRAINT tenants_lookup_fk FOREIGN KEY (tenant, slug, idempotency_key) REFERENCES ?? (tenant, slug, idempotency_key)',
      [table('tenants'), table('tenant_lookup')],
    );
    await grant(['tenant_lookup', 'internal_user_emails']);
  },

  async down(context) {
    const { knex, table } = context;
    if (!(await tableExists(knex, table('tenant_lookup')))) return;
    await knex.raw("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
    await knex.raw('ALTER TABLE ?? DROP CONSTRAINT tenants_lookup_fk', [table('tenants')]);
    // Undistributes `tenants` and every table joined to it by foreign keys: all the tenant tables.
    await knex.raw('SELECT undistribute_table(?, cascade_via_foreign_keys => true)', [table('tenants')]);
    await knex.raw('ALTER TABLE ?? ADD CONSTRAINT tenants_slug_unique UNIQUE (slug), ADD CONSTRAINT tenants_idempotency_key_unique UNIQUE (idempotency_key)', [table('tenants')]);
    await knex.raw("CREATE UNIQUE INDEX users_internal_email_unique ON ?? (email) WHERE user_type = 'internal'", [table('users')]);
    await context.knex.raw('DROP TABLE ??, ??', [table('internal_user_emails'), table('tenant_lookup')]);
    await regrant(context);
  },
});

/** The runtime role's privileges as the earlier migrations granted them (undistribute_table rebuilds the tables). */
async function regrant({ grant }: MigrationContext): Promise<void> {
  await grant(DISTRIBUTED_TABLES);
}
