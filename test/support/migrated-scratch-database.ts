import type { Knex } from 'knex';
import type { Database } from '../../src/db/database';
import { migrateLatest } from '../../src/db/migrate';
import { openTestDatabase } from './test-database';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';

/**
 * A database of the test file's own, with every migration applied, reached through the process's one
 * Database, which the caller closes. For tests that count every row of a table or change the schema, which the
 * shared test database cannot offer while other test files run in parallel.
 */
export async function createMigratedScratchDatabase(prefix: string): Promise<{ scratch: ScratchDatabase; knex: Knex; database: Database }> {
  const scratch = await createScratchDatabase(prefix);
  const database = openTestDatabase(scratch.config);
  await migrateLatest(database, scratch.config);
  return { scratch, knex: database.admin, database };
}
