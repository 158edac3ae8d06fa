import type { Knex } from 'knex';
import type { Migration, MigrationContext } from './migration';
import { createTenants } from './20261121000001_create_tenants';
import { createRolesAndPermissions } from './20261121000002_create_roles_and_permissions';
import { createUsers } from './20261121000003_create_users';

export type { Migration, MigrationContext } from './migration';

/** Every migration, oldest first. Listed here (not discovered on disk) so ts-node, jest and the build all see the same set. */
export const MIGRATIONS: readonly Migration[] = [createTenants, createRolesAndPermissions, createUsers];

export function migrationSource(context: MigrationContext): Knex.MigrationSource<Migration> {
  return {
    getMigrations: () => Promise.resolve([...MIGRATIONS]),
    getMigrationName: (migration) => migration.name,
    getMigration: (migration) =>
      Promise.resolve({
        up: (knex: Knex) => migration.up(knex, context),
        down: (knex: Knex) => migration.down(knex, context),
      }),
  };
}
