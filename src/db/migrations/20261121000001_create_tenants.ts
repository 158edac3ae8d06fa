import { defineMigration } from './migration';

export const TENANT_STATUSES = ['provisioning', 'active'] as const;

export const createTenants = defineMigration({
  name: '20261121000001_create_tenants',
  target: 'tenant-data',

  async up({ knex, schema, table, grant }) {
    await schema().createTable('tenants', (t) => {
      t.uuid('tenant').primary().defaultTo(knex.fn.uuid());
      t.text('slug').notNullable().unique();
      t.text('name').notNullable();
      t.text('contact_email').notNullable();
      t.text('status').notNullable().defaultTo('provisioning').checkIn([...TENANT_STATUSES], 'tenants_status_check');
      t.text('idempotency_key').notNullable().unique();
      t.timestamps(true, true);
      t.timestamp('activated_at', { useTz: true });
    });
    await schema().createTable('tenant_settings', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable(table('tenants'));
      t.text('key').notNullable();
      t.jsonb('value').notNullable();
      t.primary(['tenant', 'key']);
    });
    await grant(['tenants', 'tenant_settings']);
  },

  async down({ schema }) {
    await schema().dropTable('tenant_settings');
    await schema().dropTable('tenants');
  },
});
