import { APPLICATION_NAME, destroyAdminConnection, getAdminConnection, withMaintenanceConnection } from '../../src/db/admin';
import { loadConfig } from '../../src/config';

afterEach(() => destroyAdminConnection());

describe('getAdminConnection', () => {
  it('hands every caller, concurrent first callers included, the same pool', async () => {
    const instances = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve().then(() => getAdminConnection())));
    expect(new Set(instances).size).toBe(1);
    const rows = await Promise.all(instances.map((k) => k.raw<{ rows: { n: number }[] }>('SELECT 1 AS n')));
    expect(rows.every((r) => r.rows[0]?.n === 1)).toBe(true);
  });

  it('connects as DB_USER_ADMIN to DB_NAME_SERVER with the pool limits from the config', async () => {
    const config = loadConfig(process.env);
    const knex = getAdminConnection();
    const { rows } = await knex.raw<{ rows: { user: string; db: string; app: string }[] }>(
      "SELECT current_user AS user, current_database() AS db, current_setting('application_name') AS app",
    );
    expect(rows[0]).toEqual({ user: config.db.admin.user, db: config.db.database, app: APPLICATION_NAME });
    const pool = (knex.client as { pool: { max: number; min: number } }).pool;
    expect(pool).toMatchObject({ max: config.db.pool.max, min: config.db.pool.min });
  });

  it('survives the server killing an idle connection and reconnects on the next query', async () => {
    const knex = getAdminConnection();
    const { rows } = await knex.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid');
    const killedPid = rows[0]!.pid;
    const uncaught = jest.fn();
    process.on('uncaughtException', uncaught);
    try {
      // Kill the idle pooled connection from another session, as an operator or a failover would.
      const killed = await withMaintenanceConnection(loadConfig(process.env).db, (other) =>
        other.raw<{ rows: { ok: boolean }[] }>('SELECT pg_terminate_backend(?::int) AS ok', [killedPid]),
      );
      expect(killed.rows[0]?.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await knex.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid');
      expect(after.rows[0]!.pid).not.toBe(killedPid);
      expect(uncaught).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', uncaught);
    }
  });

  it('builds a fresh pool after destroyAdminConnection', async () => {
    const first = getAdminConnection();
    await first.raw('SELECT 1');
    await destroyAdminConnection();
    const second = getAdminConnection();
    expect(second).not.toBe(first);
    await expect(second.raw('SELECT 1')).resolves.toBeDefined();
  });
});
