import type { Knex } from 'knex';
import { getAdminConnection } from '../../src/db/admin';
import { migrateLatest, migrationDatabases } from '../../src/db/migrate';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

/**
 * A database of the test file's own, with every migration applied, reached through the process's one
 * pool (getAdminConnection). For tests that count every row of a table or change the schema, which the
 * shared test database cannot offer while other test files run in parallel.
 */
export async function createMigratedScratchDatabase(prefix: string): Promise<{ scratch: ScratchDatabase; knex: Knex }> {
  const scratch = await createScratchDatabase(prefix);
  const knex = getAdminConnection(scratch.config);
  await migrateLatest(migrationDatabases(scratch.config), scratch.config);
  return { scratch, knex };
}
