import type { Knex } from 'knex';

/**
 * Which database and schema a migration belongs to. `tenant-data`: the tenant tables, always on the
 * shared admin connection's database. `storage`: the worker's own tables, in WORKFLOW_STORAGE_SCHEMA on
 * the storage connection (the admin database unless WORKFLOW_STORAGE_DB_* routes it elsewhere).
 */
export type MigrationTarget = 'tenant-data' | 'storage';

/** What a migration is given: a connection and schema builder already routed to its target. */
export interface MigrationContext {
  knex: Knex;
  /** A fresh schema builder scoped to the target's schema (call it once per statement). Name other tables with table(). */
  schema: () => Knex.SchemaBuilder;
  /** The schema-qualified name of a table of the target, for raw statements' `??` bindings. */
  table: (name: string) => string;
  /** DB_USER_SERVER: the application's runtime role. */
  serverRole: string;
  /** Grants the runtime role the given privileges (default: row access, no DDL) on tables of the target. */
  grant: (tables: readonly string[], privileges?: string) => Promise<void>;
}

export interface Migration {
  readonly name: string;
  readonly target: MigrationTarget;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}

const DEFINED = new WeakSet<Migration>();

/**
 * The one way to declare a migration: the runner applies only migrations made here, and routes each
 * to its target's connection and schema. A contract test fails on a migration that bypasses it.
 */
export function defineMigration(migration: Migration): Migration {
  DEFINED.add(migration);
  return migration;
}

export function isDefinedMigration(migration: Migration): boolean {
  return DEFINED.has(migration);
}

/** Where each target's tables go: the schema names migrations are given (never left to search_path). */
export interface MigrationSchemas {
  /** TENANT_DATA_SCHEMA */
  tenantData: string;
  /** WORKFLOW_STORAGE_SCHEMA */
  storage: string;
}

/** The context for `target`, bound to the migration's transaction. */
export function migrationContext(knex: Knex, target: MigrationTarget, schemas: MigrationSchemas, serverRole: string): MigrationContext {
  const schemaName = target === 'storage' ? schemas.storage : schemas.tenantData;
  const table = (name: string) => `${schemaName}.${name}`;
  return {
    knex,
    schema: () => knex.schema.withSchema(schemaName),
    table,
    serverRole,
    async grant(tables, privileges = 'SELECT, INSERT, UPDATE, DELETE') {
      await knex.raw('GRANT USAGE ON SCHEMA ?? TO ??', [schemaName, serverRole]);
      for (const name of tables) await knex.raw(`GRANT ${privileges} ON ?? TO ??`, [table(name), serverRole]);
    },
  };
}
