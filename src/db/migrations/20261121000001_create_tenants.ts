import type { Migration } from './migration';
import { grantRowAccess } from './migration';

export const TENANT_STATUSES = ['provisioning', 'active'] as const;

export const createTenants: Migration = {
  name: '20261121000001_create_tenants',

  async up(knex, context) {
    await knex.schema.createTable('tenants', (t) => {
      t.uuid('tenant').primary().defaultTo(knex.fn.uuid());
      t.text('slug').notNullable().unique();
      t.text('name').notNullable();
      t.text('contact_email').notNullable();
      t.text('status').notNullable().defaultTo('provisioning').checkIn([...TENANT_STATUSES], 'tenants_status_check');
      t.text('idempotency_key').notNullable().unique();
      t.timestamps(true, true);
      t.timestamp('activated_at', { useTz: true });
    });
    await knex.schema.createTable('tenant_settings', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable('tenants');
      t.text('key').notNullable();
      t.jsonb('value').notNullable();
      t.primary(['tenant', 'key']);
    });
    await grantRowAccess(knex, ['tenants', 'tenant_settings'], context);
  },

  async down(knex) {
    await knex.schema.dropTable('tenant_settings');
    await knex.schema.dropTable('tenants');
  },
};
