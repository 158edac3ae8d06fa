import type { Knex } from 'knex';

/** What a migration needs to know about the deployment it runs in. */
export interface MigrationContext {
  /** DB_USER_SERVER: the runtime role that is granted access to every table a migration creates. */
  serverRole: string;
}

export interface Migration {
  name: string;
  up(knex: Knex, context: MigrationContext): Promise<void>;
  down(knex: Knex, context: MigrationContext): Promise<void>;
}

/** Grants the runtime role the row access the application needs, and nothing more (no DDL). */
export async function grantRowAccess(knex: Knex, tables: readonly string[], context: MigrationContext): Promise<void> {
  for (const table of tables) {
    await knex.raw('GRANT SELECT, INSERT, UPDATE, DELETE ON ?? TO ??', [table, context.serverRole]);
  }
}
