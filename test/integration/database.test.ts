import { composeApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { APPLICATION_NAME } from '../../src/db/admin';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { createLogger } from '../../src/logging';
import { createScratchDatabase } from '../harness/scratch-database';
import { openTestDatabase } from '../support/test-database';
import { waitFor } from '../harness/wait-for';

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);

/** pids of the sessions the harness's superuser sees on `database`. */
async function sessionPids(database: string): Promise<number[]> {
  return withMaintenanceConnection(config.db, async (other) =>
    (await other('pg_stat_activity').where({ datname: database, application_name: APPLICATION_NAME }).pluck<number[]>('pid')),
  );
}

describe('the composition root', () => {
  it('builds one admin pool that the activities, the run records and the storage share (no WORKFLOW_STORAGE_DB_*)', async () => {
    const app = composeApp(config, logger);
    try {
      expect(app.database.storage).toBe(app.database.admin);
      expect(app.runs.knex).toBe(app.database.admin);
      await expect(app.database.admin.raw('SELECT 1')).resolves.toBeDefined();
    } finally {
      await app.close();
    }
  });

  it('gives a dedicated storage database a second pool, and close() ends both (twice is fine)', async () => {
    const storageDb = await createScratchDatabase('tw_storage_pool');
    try {
      const routed: Config = { ...config, storage: { ...config.storage, db: { ...config.db, database: storageDb.name } } };
      const app = composeApp(routed, logger);
      expect(app.database.storage).not.toBe(app.database.admin);
      expect(app.runs.knex).toBe(app.database.storage);
      const { rows } = await app.database.storage.raw<{ rows: { db: string }[] }>('SELECT current_database() AS db');
      expect(rows[0]!.db).toBe(storageDb.name);
      await Promise.all([app.close(), app.close()]);
      await expect(app.database.admin.raw('SELECT 1')).rejects.toThrow();
      await expect(app.database.storage.raw('SELECT 1')).rejects.toThrow();
    } finally {
      await storageDb.drop();
    }
  });
});

describe('the admin pool', () => {
  it('connects as DB_USER_ADMIN to DB_NAME_SERVER with the pool limits from the config', async () => {
    const database = openTestDatabase(config);
    try {
      const { rows } = await database.admin.raw<{ rows: { user: string; db: string; app: string }[] }>(
        "SELECT current_user AS user, current_database() AS db, current_setting('application_name') AS app",
      );
      expect(rows[0]).toEqual({ user: config.db.admin.user, db: config.db.database, app: APPLICATION_NAME });
      const pool = (database.admin.client as { pool: { max: number; min: number } }).pool;
      expect(pool).toMatchObject({ max: config.db.pool.max, min: config.db.pool.min });
    } finally {
      await database.close();
    }
  });

  it('survives the server killing an idle connection and reconnects on the next query', async () => {
    const scratch = await createScratchDatabase('tw_killed_idle');
    const database = openTestDatabase(scratch.config);
    const uncaught = jest.fn();
    process.on('uncaughtException', uncaught);
    try {
      const { rows } = await database.admin.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid');
      const killedPid = rows[0]!.pid;
      // Kill the idle pooled connection from another session, as an operator or a failover would.
      const killed = await withMaintenanceConnection(config.db, (other) => other.raw<{ rows: { ok: boolean }[] }>('SELECT pg_terminate_backend(?::int) AS ok', [killedPid]));
      expect(killed.rows[0]?.ok).toBe(true);
      await waitFor(async () => !(await sessionPids(scratch.name)).includes(killedPid), 'the killed session to end');
      const after = await database.admin.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid');
      expect(after.rows[0]!.pid).not.toBe(killedPid);
      expect(uncaught).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', uncaught);
      await database.close();
      await scratch.drop();
    }
  });
});
