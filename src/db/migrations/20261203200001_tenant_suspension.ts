import { defineMigration } from './migration';
import { TENANT_STATUSES as STATUSES_BEFORE } from './20261121000001_create_tenants';

/** `suspended`: the tenant exists and its users cannot sign in (see users.disabled_at) until it is reactivated. */
export const TENANT_STATUSES = [...STATUSES_BEFORE, 'suspended'] as const;

const statusCheck = (statuses: readonly string[]) => `CHECK (status IN (${statuses.map((s) => `'${s}'`).join(', ')}))`;

/**
 * Tenant suspension. On `tenants`: the reason and time of the suspension in force, set exactly when the
 * status is `suspended`. On `users`: `disabled_at`, the one column the SaaS sign-in checks (a user with
 * it set cannot sign in), and `disabled_by_suspension`, so reactivation re-enables exactly the users the
 * suspension disabled and not those an admin had disabled before.
 */
export const tenantSuspension = defineMigration({
  name: '20261203200001_tenant_suspension',
  target: 'tenant-data',

  async up({ knex, schema, table }) {
    await schema().alterTable('tenants', (t) => {
      t.text('suspension_reason');
      t.timestamp('suspended_at', { useTz: true });
    });
    await knex.raw(`ALTER TABLE ?? DROP CONSTRAINT tenants_status_check, ADD CONSTRAINT tenants_status_check ${statusCheck(TENANT_STATUSES)}`, [table('tenants')]);
    await knex.raw(
      "ALTER TABLE ?? ADD CONSTRAINT tenants_suspension_check CHECK ((status = 'suspended') = (suspension_reason IS NOT NULL AND suspended_at IS NOT NULL))",
      [table('tenants')],
    );
    await schema().alterTable('users', (t) => {
      t.timestamp('disabled_at', { useTz: true });
      t.boolean('disabled_by_suspension').notNullable().defaultTo(false);
    });
    await knex.raw('ALTER TABLE ?? ADD CONSTRAINT users_disabled_by_suspension_check CHECK (NOT disabled_by_suspension OR disabled_at IS NOT NULL)', [table('users')]);
  },

  async down({ knex, schema, table }) {
    // The earlier statuses cannot say `suspended`: refuse rather than silently re-enable a suspended tenant.
    const [row] = await knex(table('tenants')).where({ status: 'suspended' }).count<Array<{ count: string }>>({ count: '*' });
    const suspended = Number(row?.count ?? 0);
    if (suspended > 0) throw new Error(`${suspended} tenant(s) are suspended; reactivate them before reverting 20261203200001_tenant_suspension`);
    await knex.raw('ALTER TABLE ?? DROP CONSTRAINT users_disabled_by_suspension_check', [table('users')]);
    await schema().alterTable('users', (t) => {
      t.dropColumn('disabled_by_suspension');
      t.dropColumn('disabled_at');
    });
    await knex.raw('ALTER TABLE ?? DROP CONSTRAINT tenants_suspension_check', [table('tenants')]);
    await knex.raw(`ALTER TABLE ?? DROP CONSTRAINT tenants_status_check, ADD CONSTRAINT tenants_status_check ${statusCheck(STATUSES_BEFORE)}`, [table('tenants')]);
    await schema().alterTable('tenants', (t) => {
      t.dropColumn('suspended_at');
      t.dropColumn('suspension_reason');
    });
  },
});
