import type { Knex } from 'knex';
import type { Config } from '../../config';
import { isDefinedMigration, migrationContext, type Migration, type MigrationSchemas, type MigrationTarget } from './migration';
import { createTenants } from './20261121000001_create_tenants';
import { createRolesAndPermissions } from './20261121000002_create_roles_and_permissions';
import { createUsers } from './20261121000003_create_users';
import { createProvisioningRuns } from './20261121100001_create_provisioning_runs';
import { runStatusAbandoned } from './20261203100001_run_status_abandoned';
import { tenantSuspension } from './20261203200001_tenant_suspension';
import { distributeOnCitus } from './20261203210001_distribute_on_citus';
import { tenantOffboarding } from './20261204150001_tenant_offboarding';

export type { Migration, MigrationSchemas, MigrationTarget } from './migration';

/** Every migration, oldest first. Listed here (not discovered on disk) so ts-node, jest and the build all see the same set. */
export const MIGRATIONS: readonly Migration[] = [createTenants, createRolesAndPermissions, createUsers, createProvisioningRuns, runStatusAbandoned, tenantSuspension, distributeOnCitus, tenantOffboarding];

/** The schemas and grantee the migrations of `config` run with. */
export function configuredMigrationSource(target: MigrationTarget, config: Config): Knex.MigrationSource<Migration> {
  return migrationSource(target, { tenantData: config.db.tenantSchema, storage: config.storage.schema }, config.db.server.user);
}

/** The migrations of one target, each run with a context routed to that target's connection and schema. */
export function migrationSource(target: MigrationTarget, schemas: MigrationSchemas, serverRole: string): Knex.MigrationSource<Migration> {
  const undefinedOnes = MIGRATIONS.filter((m) => !isDefinedMigration(m)).map((m) => m.name);
  if (undefinedOnes.length > 0) throw new Error(`migrations not declared with defineMigration: ${undefinedOnes.join(', ')}`);
  return {
    getMigrations: () => Promise.resolve(MIGRATIONS.filter((m) => m.target === target)),
    getMigrationName: (migration) => migration.name,
    getMigration: (migration) =>
      Promise.resolve({
        up: (knex: Knex) => migration.up(migrationContext(knex, target, schemas, serverRole)),
        down: (knex: Knex) => migration.down(migrationContext(knex, target, schemas, serverRole)),
      }),
  };
}
