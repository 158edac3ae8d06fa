import type { Migration } from './migration';
import { grantRowAccess } from './migration';

export const createRolesAndPermissions: Migration = {
  name: '20261121000002_create_roles_and_permissions',

  async up(knex, context) {
    await knex.schema.createTable('roles', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable('tenants');
      t.uuid('role_id').notNullable().defaultTo(knex.fn.uuid());
      t.text('name').notNullable();
      t.text('description').notNullable().defaultTo('');
      t.primary(['tenant', 'role_id']);
      t.unique(['tenant', 'name']);
    });
    await knex.schema.createTable('permissions', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable('tenants');
      t.uuid('permission_id').notNullable().defaultTo(knex.fn.uuid());
      t.text('resource').notNullable();
      t.text('action').notNullable();
      t.primary(['tenant', 'permission_id']);
      t.unique(['tenant', 'resource', 'action']);
    });
    await knex.schema.createTable('role_permissions', (t) => {
      t.uuid('tenant').notNullable();
      t.uuid('role_id').notNullable();
      t.uuid('permission_id').notNullable();
      t.primary(['tenant', 'role_id', 'permission_id']);
      t.foreign(['tenant', 'role_id']).references(['tenant', 'role_id']).inTable('roles');
      t.foreign(['tenant', 'permission_id']).references(['tenant', 'permission_id']).inTable('permissions');
      t.index(['tenant', 'permission_id']);
    });
    await grantRowAccess(knex, ['roles', 'permissions', 'role_permissions'], context);
  },

  async down(knex) {
    await knex.schema.dropTable('role_permissions');
    await knex.schema.dropTable('permissions');
    await knex.schema.dropTable('roles');
  },
};
