import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { migrateLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logging';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/dev/embedded-postgres';
import { createScratchDatabase } from '../../test/harness/scratch-database';
import { saveEnv } from './saved-env';

export interface BenchDatabase {
  /** The run's one Database; knex is its admin pool. */
  database: Database;
  knex: Knex;
  /** The configuration from the environment, DB_NAME_SERVER pointing at the throwaway database. */
  config: Config;
  /** Where the run's PostgreSQL came from, for the report. */
  source: string;
  /**
   * Stops the embedded server and starts it again on the same port and data directory, as a crash
   * and restart of the database would look to its clients. Undefined on an external DB_HOST.
   */
  restartServer?: (downMs: number) => Promise<void>;
  /** Closes the pool, drops the database, stops the server this run started and restores the environment. Safe to call twice. */
  stop: () => Promise<void>;
}

const SERVER_VARIABLES = ['DB_HOST', 'DB_PORT', 'DB_USER_ADMIN', 'DB_PASSWORD_ADMIN', 'DB_USER_SERVER'] as const;

/**
 * A migrated throwaway database, found the way the test harness finds one: on DB_HOST when it is set
 * (unless `embedded` asks for a server of its own, one that can be restarted), otherwise on an
 * embedded-postgres server started in a temporary directory. The server's settings go to process.env
 * (DB_*), where the config, scratch databases and child processes read them, until stop().
 */
export async function startBenchDatabase(options: { embedded?: boolean } = {}): Promise<BenchDatabase> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    while (stops.length > 0) await stops.shift()?.();
  };
  try {
    stops.unshift(saveEnv(SERVER_VARIABLES));
    process.env.DB_USER_SERVER ||= 'tenant_workflows_app';
    let source = `${process.env.DB_HOST ?? ''}:${process.env.DB_PORT ?? 5432}`;
    let restartServer: BenchDatabase['restartServer'];
    if (!process.env.DB_HOST || options.embedded) {
      const dataDir = mkdtempSync(join(tmpdir(), 'tenant-workflows-bench-pg-'));
      stops.unshift(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
      // Persistent: the data directory outlives a stop, so the server can restart on it; removed above.
      let pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir, persistent: true });
      stops.unshift(() => pg.stop());
      Object.assign(process.env, { DB_HOST: pg.host, DB_PORT: String(pg.port), DB_USER_ADMIN: pg.user, DB_PASSWORD_ADMIN: pg.password });
      source = `embedded-postgres on ${pg.host}:${pg.port}`;
      restartServer = async (downMs) => {
        await pg.stop();
        await new Promise((resolve) => setTimeout(resolve, downMs));
        pg = await startEmbeddedPostgres({ dataDir, persistent: true, port: pg.port });
      };
    }
    const database = await createScratchDatabase('tw_bench');
    stops.unshift(database.drop);
    const opened = openDatabase(database.config, createLogger(database.config.logLevel));
    stops.unshift(() => opened.close());
    await migrateLatest(opened, database.config);
    return { database: opened, knex: opened.admin, config: database.config, source: `${source}, database ${database.name}`, ...(restartServer ? { restartServer } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
