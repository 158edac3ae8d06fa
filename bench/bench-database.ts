import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { destroyAdminConnection, getAdminConnection } from '../src/db/admin';
import { migrateLatest, migrationDatabases } from '../src/db/migrate';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres';
import { createScratchDatabase } from '../test/support/scratch-database';

export interface BenchDatabase {
  knex: Knex;
  /** Where the run's PostgreSQL came from, for the report. */
  source: string;
  /** Closes the pool, drops the database and stops the server this run started. Safe to call twice. */
  stop: () => Promise<void>;
}

/**
 * A migrated throwaway database, found the way the test harness finds one: on DB_HOST when it is
 * set, otherwise on an embedded-postgres server started in a temporary directory.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    while (stops.length > 0) await stops.shift()?.();
  };
  try {
    process.env.DB_USER_SERVER ||= 'tenant_workflows_app';
    let source = `${process.env.DB_HOST ?? ''}:${process.env.DB_PORT ?? 5432}`;
    if (!process.env.DB_HOST) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tenant-workflows-bench-pg-'));
      stops.unshift(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
      const pg = await startEmbeddedPostgres({ dataDir, persistent: false });
      stops.unshift(pg.stop);
      Object.assign(process.env, { DB_HOST: pg.host, DB_PORT: String(pg.port), DB_USER_ADMIN: pg.user, DB_PASSWORD_ADMIN: pg.password });
      source = `embedded-postgres on ${pg.host}:${pg.port}`;
    }
    const database = await createScratchDatabase('tw_bench');
    stops.unshift(database.drop);
    stops.unshift(destroyAdminConnection);
    const knex = getAdminConnection(database.config);
    await migrateLatest(migrationDatabases(database.config), database.config);
    return { knex, source: `${source}, database ${database.name}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
