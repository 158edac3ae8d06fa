import type { Knex } from 'knex';
import type { Database } from '../../src/db/database';
import { openTestDatabase } from '../support/test-database';
import { migrateDown, migrateLatest, migrateRollbackAll, migrateTo, migrationStatus } from '../../src/db/migrate';
import { MIGRATIONS } from '../../src/db/migrations';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { testingOnCitus } from '../harness/citus-cluster';

const TENANT_TABLES = ['permissions', 'role_permissions', 'roles', 'tenant_settings', 'tenants', 'user_roles', 'users'];
const TENANT_SCOPED = TENANT_TABLES.filter((t) => t !== 'tenants');
/** On Citus the distribution migration adds the reference tables keeping slugs, keys and internal emails unique across tenants. */
const ON_CITUS = testingOnCitus();
const TENANT_SCHEMA_TABLES = [...TENANT_TABLES, 'deleted_tenants', ...(ON_CITUS ? ['internal_user_emails', 'tenant_lookup'] : [])].sort();
/** On Citus `tenants` itself references its lookup row. */
const REFERENCING = ON_CITUS ? TENANT_TABLES : TENANT_SCOPED;
const ALL_NAMES = MIGRATIONS.map((m) => m.name);

let scratch: ScratchDatabase;
let db: Database;
let knex: Knex;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  db = openTestDatabase(scratch.config);
  knex = db.admin;
});
afterAll(async () => {
  await db.close();
  await scratch.drop();
});

/** Tables per schema, other than the version tables (and their lock tables). */
async function tables(connection: Knex = knex): Promise<Record<string, string[]>> {
  const rows = await connection('information_schema.tables')
    .whereIn('table_schema', ['public', 'tenant_workflows'])
    .where('table_type', 'BASE TABLE') // not the views the citus extension adds to public
    .whereNot('table_name', 'like', '%_migrations%')
    .orderBy('table_name')
    .select<{ table_schema: string; table_name: string }[]>('table_schema', 'table_name');
  const bySchema: Record<string, string[]> = {};
  for (const row of rows) (bySchema[row.table_schema] ??= []).push(row.table_name);
  return bySchema;
}

describe('migrations on a fresh database', () => {
  it('are all pending before migrate, --check creates nothing, and none are pending after', async () => {
    const before = await migrationStatus(db, scratch.config);
    expect(before).toEqual({ current: null, applied: [], pending: ALL_NAMES });
    expect(await tables()).toEqual({});
    const { rows } = await knex.raw<{ rows: unknown[] }>("SELECT 1 FROM pg_namespace WHERE nspname = 'tenant_workflows'");
    expect(rows).toEqual([]);

    expect(await migrateLatest(db, scratch.config)).toEqual(ALL_NAMES);
    expect(await migrationStatus(db, scratch.config)).toEqual({ current: ALL_NAMES.at(-1), applied: ALL_NAMES, pending: [] });
    expect(await migrateLatest(db, scratch.config)).toEqual([]);
    expect(await tables()).toEqual({ public: TENANT_SCHEMA_TABLES, tenant_workflows: ['provisioning_runs'] });
  });

  it('lead every tenant-scoped primary key with tenant', async () => {
    const { rows } = await knex.raw<{ rows: { table: string; first_column: string }[] }>(`
      SELECT c.conrelid::regclass::text AS table, a.attname AS first_column
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace`);
    const byTable = Object.fromEntries(rows.map((r) => [r.table, r.first_column]));
    for (const table of TENANT_TABLES) expect([table, byTable[table]]).toEqual([table, 'tenant']);
  });

  it('reference tenants from every tenant-scoped table', async () => {
    const { rows } = await knex.raw<{ rows: { table: string }[] }>(`
      SELECT DISTINCT c.conrelid::regclass::text AS table FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`);
    expect(rows.map((r) => r.table).sort()).toEqual(REFERENCING);
  });

  it('grant DB_USER_SERVER row access to the tenant tables, read access to the run records, and no DDL', async () => {
    const role = scratch.config.db.server.user;
    const privileges = async (table: string) =>
      (
        await knex.raw<{ rows: { dml: boolean; select: boolean; trigger: boolean }[] }>(
          "SELECT has_table_privilege(:role, :table, 'INSERT,UPDATE,DELETE') AS dml, has_table_privilege(:role, :table, 'SELECT') AS select, has_table_privilege(:role, :table, 'TRIGGER') AS trigger",
          { role, table },
        )
      ).rows[0];
    for (const table of TENANT_TABLES) expect([table, await privileges(table)]).toEqual([table, { dml: true, select: true, trigger: false }]);
    expect(await privileges('tenant_workflows.provisioning_runs')).toEqual({ dml: false, select: true, trigger: false });
  });

  it('go down step by step and --to a version', async () => {
    const [newest, secondNewest] = [...ALL_NAMES].reverse();
    expect(await migrateDown(db, scratch.config, 2)).toEqual([newest, secondNewest]);
    expect((await migrationStatus(db, scratch.config)).pending).toEqual([secondNewest, newest]);
    expect(await migrateTo(db, scratch.config, secondNewest!.slice(0, 14))).toEqual([secondNewest]);
    expect((await migrationStatus(db, scratch.config)).current).toBe(secondNewest);
    await expect(migrateTo(db, scratch.config, '19990101')).rejects.toThrow('no migration named 19990101');
  });

  it('roll back to nothing left over and apply again', async () => {
    await migrateLatest(db, scratch.config);
    expect(await migrateRollbackAll(db, scratch.config)).toEqual([...ALL_NAMES].reverse());
    expect(await tables()).toEqual({});
    expect((await migrationStatus(db, scratch.config)).pending).toEqual(ALL_NAMES);
    await migrateLatest(db, scratch.config);
    expect(await tables()).toEqual({ public: TENANT_SCHEMA_TABLES, tenant_workflows: ['provisioning_runs'] });
  });
});
