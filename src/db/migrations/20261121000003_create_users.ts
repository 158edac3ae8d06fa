import { defineMigration } from './migration';

export const USER_TYPES = ['internal', 'client'] as const;

export const createUsers = defineMigration({
  name: '20261121000003_create_users',
  target: 'tenant-data',

  async up({ knex, schema, table, grant }) {
    await schema().createTable('users', (t) => {
      t.uuid('tenant').notNullable().references('tenant').inTable(table('tenants'));
      t.uuid('user_id').notNullable().defaultTo(knex.fn.uuid());
      t.text('email').notNullable();
      t.text('first_name').notNullable();
      t.text('last_name').notNullable();
      t.text('password_hash').notNullable();
      t.boolean('must_change_password').notNullable().defaultTo(false);
      t.text('user_type').notNullable().defaultTo('internal').checkIn([...USER_TYPES], 'users_user_type_check');
      t.timestamps(true, true);
      t.primary(['tenant', 'user_id']);
      t.unique(['tenant', 'email']);
      t.check('email = lower(email)', [], 'users_email_lowercase_check');
    });
    // An internal user's email identifies them across every tenant (they sign in before a tenant is known).
    await knex.raw("CREATE UNIQUE INDEX users_internal_email_unique ON ?? (email) WHERE user_type = 'internal'", [table('users')]);
    await schema().createTable('user_roles', (t) => {
      t.uuid('tenant').notNullable();
      t.uuid('user_id').notNullable();
      t.uuid('role_id').notNullable();
      t.primary(['tenant', 'user_id', 'role_id']);
      t.foreign(['tenant', 'user_id']).references(['tenant', 'user_id']).inTable(table('users'));
      t.foreign(['tenant', 'role_id']).references(['tenant', 'role_id']).inTable(table('roles'));
      t.index(['tenant', 'role_id']);
    });
    await grant(['users', 'user_roles']);
  },

  async down({ schema }) {
    await schema().dropTable('user_roles');
    await schema().dropTable('users');
  },
});
