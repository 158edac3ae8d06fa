import type { Knex } from 'knex';
import type { Config } from '../config';
import { APPLICATION_NAME, withSingleConnection } from './admin';
import { configuredMigrationSource, MIGRATIONS, type MigrationTarget } from './migrations';
import type { MigrationDatabases } from './migrate';

/**
 * Sessions a running worker holds on the admin database (its pool's application_name), other than
 * the checking one. Run it before this process's own pool opens, which would be counted too. A worker
 * whose pool has idled down to no connection (DB_POOL_MIN=0, no activity for DB_POOL_IDLE_TIMEOUT_MS)
 * holds none: the check catches a busy worker, not every running one.
 */
export function workerSessionCount(config: Config): Promise<number> {
  return withSingleConnection(config.db, config.db.database, async (session) => {
    const [row] = await session('pg_stat_activity')
      .where({ application_name: APPLICATION_NAME })
      .whereRaw('datname = current_database() AND pid <> pg_backend_pid()')
      .count<{ count: string }[]>({ count: '*' });
    return Number(row?.count ?? 0);
  });
}

const tableNames = (knex: Knex) =>
  knex
    .raw<{ rows: { name: string }[] }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`,
    )
    .then((result) => result.rows.map((r) => r.name));

/**
 * The tables holding rows that rolling back `names` (newest first) would drop. Found by running
 * their down migrations in a transaction that is then rolled back, so it needs no list of tables per
 * migration and stays true as migrations change.
 */
export async function populatedTablesDroppedBy(db: MigrationDatabases, config: Config, names: readonly string[]): Promise<string[]> {
  const populated: string[] = [];
  for (const target of ['tenant-data', 'storage'] as const satisfies readonly MigrationTarget[]) {
    const migrations = names.map((name) => MIGRATIONS.find((m) => m.name === name)!).filter((m) => m.target === target);
    if (migrations.length === 0) continue;
    const knex = target === 'storage' ? db.storage : db.admin;
    const source = configuredMigrationSource(target, config);
    const trx = await knex.transaction();
    let dropped: string[];
    try {
      const before = await tableNames(trx);
      for (const migration of migrations) await (await source.getMigration(migration)).down!(trx);
      const after = new Set(await tableNames(trx));
      dropped = before.filter((name) => !after.has(name));
    } finally {
      await trx.rollback();
    }
    // `SELECT 1`, not an empty select list: Citus cannot plan `SELECT FROM` a distributed table.
    for (const name of dropped) {
      const { rows } = await knex.raw<{ rows: { populated: boolean }[] }>(`SELECT EXISTS (SELECT 1 FROM ${name}) AS populated`);
      if (rows[0]?.populated) populated.push(name);
    }
  }
  return populated.sort();
}
