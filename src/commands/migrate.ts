import { parseArgs } from 'node:util';
import { getConfig } from '../config';
import { destroyAdminConnection, getAdminConnection } from '../db/admin';
import { migrateLatest, migrateRollbackAll, migrationStatus } from '../db/migrate';

export const MIGRATE_USAGE = `Usage: tenant-workflows migrate [--check] [--down]

Applies pending database migrations as DB_USER_ADMIN, granting DB_USER_SERVER access to the tables.
  --check   apply nothing; list pending migrations and exit 1 when there are any
  --down    roll back every applied migration (drops the tables and their data)`;

/** `tenant-workflows migrate`: returns the process exit code. */
export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, down: { type: 'boolean' } }, strict: true });
  const config = getConfig();
  const knex = getAdminConnection(config);
  try {
    if (values.check) {
      const status = await migrationStatus(knex, config);
      if (status.pending.length === 0) {
        console.log(`database is up to date (current: ${status.current ?? 'none'})`);
        return 0;
      }
      console.log(`pending migrations (${status.pending.length}):`);
      for (const name of status.pending) console.log(`  ${name}`);
      return 1;
    }
    const changed = values.down ? await migrateRollbackAll(knex, config) : await migrateLatest(knex, config);
    const verb = values.down ? 'rolled back' : 'applied';
    console.log(changed.length === 0 ? `nothing to do; ${verb} 0 migrations` : `${verb} ${changed.length}: ${changed.join(', ')}`);
    return 0;
  } finally {
    await destroyAdminConnection();
  }
}
