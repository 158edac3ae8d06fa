import { defineMigration } from './migration';

export const createRolesAndPermissions = defineMigration({
  name: '20261121000002_create_roles_and_permissions',
  target: 'tenant-data',

  async up({ knex, schema, table, grant }) {
    await schema().createTable('roles', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable(table('tenants'));
      t.uuid('role_id').notNullable().defaultTo(knex.fn.uuid());
      t.text('name').notNullable();
      t.text('description').notNullable().defaultTo('');
      t.primary(['tenant', 'role_id']);
      t.unique(['tenant', 'name']);
    });
    await schema().createTable('permissions', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable(table('tenants'));
      t.uuid('permission_id').notNullable().defaultTo(knex.fn.uuid());
      t.text('resource').notNullable();
      t.text('action').notNullable();
      t.primary(['tenant', 'permission_id']);
      t.unique(['tenant', 'resource', 'action']);
    });
    await schema().createTable('role_permissions', (t) => {
      t.uuid('tenant').notNullable();
      t.uuid('role_id').notNullable();
      t.uuid('permission_id').notNullable();
      t.primary(['tenant', 'role_id', 'permission_id']);
      t.foreign(['tenant', 'role_id']).references(['tenant', 'role_id']).inTable(table('roles'));
      t.foreign(['tenant', 'permission_id']).references(['tenant', 'permission_id']).inTable(table('permissions'));
      t.index(['tenant', 'permission_id']);
    });
    await grant(['roles', 'permissions', 'role_permissions']);
  },

  async down({ schema }) {
    await schema().dropTable('role_permissions');
    await schema().dropTable('permissions');
    await schema().dropTable('roles');
  },
});
