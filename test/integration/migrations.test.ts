import type { Knex } from 'knex';
import { destroyAdminConnection, getAdminConnection } from '../../src/db/admin';
import { migrateLatest, migrateRollbackAll, migrationStatus, MIGRATIONS_TABLE } from '../../src/db/migrate';
import { MIGRATIONS } from '../../src/db/migrations';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';

const TABLES = ['permissions', 'role_permissions', 'roles', 'tenant_settings', 'tenants', 'user_roles', 'users'];
const TENANT_SCOPED = TABLES.filter((t) => t !== 'tenants');

let scratch: ScratchDatabase;
let knex: Knex;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  knex = getAdminConnection(scratch.config);
});
afterAll(async () => {
  await destroyAdminConnection();
  await scratch.drop();
});

async function userTables(): Promise<string[]> {
  const rows = await knex('information_schema.tables').where({ table_schema: 'public' }).whereNot({ table_name: MIGRATIONS_TABLE }).whereNot('table_name', 'like', `${MIGRATIONS_TABLE}%`).pluck('table_name');
  return (rows as string[]).sort();
}

describe('migrations on a fresh database', () => {
  it('are all pending before migrate and none after', async () => {
    const before = await migrationStatus(knex, scratch.config);
    expect(before.pending).toEqual(MIGRATIONS.map((m) => m.name));
    expect(before.current).toBeNull();

    expect(await migrateLatest(knex, scratch.config)).toEqual(MIGRATIONS.map((m) => m.name));
    const after = await migrationStatus(knex, scratch.config);
    expect(after.pending).toEqual([]);
    expect(after.current).toBe(MIGRATIONS.at(-1)!.name);
    expect(await migrateLatest(knex, scratch.config)).toEqual([]);
    expect(await userTables()).toEqual(TABLES);
  });

  it('lead every tenant-scoped primary key with tenant', async () => {
    const { rows } = await knex.raw<{ rows: { table: string; first_column: string }[] }>(`
      SELECT c.conrelid::regclass::text AS table, a.attname AS first_column
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace`);
    const byTable = Object.fromEntries(rows.map((r) => [r.table, r.first_column]));
    for (const table of TABLES) expect([table, byTable[table]]).toEqual([table, 'tenant']);
  });

  it('reference tenants from every tenant-scoped table', async () => {
    const { rows } = await knex.raw<{ rows: { table: string }[] }>(`
      SELECT DISTINCT c.conrelid::regclass::text AS table FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`);
    expect(rows.map((r) => r.table).sort()).toEqual(TENANT_SCOPED);
  });

  it('grant DB_USER_SERVER row access to every table, and no DDL', async () => {
    const role = scratch.config.db.server.user;
    for (const table of TABLES) {
      const { rows } = await knex.raw<{ rows: { dml: boolean; trigger: boolean }[] }>(
        "SELECT has_table_privilege(?, ?, 'SELECT,INSERT,UPDATE,DELETE') AS dml, has_table_privilege(?, ?, 'TRIGGER') AS trigger",
        [role, table, role, table],
      );
      expect([table, rows[0]]).toEqual([table, { dml: true, trigger: false }]);
    }
  });

  it('roll back to nothing and apply again', async () => {
    expect(await migrateRollbackAll(knex, scratch.config)).toEqual(MIGRATIONS.map((m) => m.name).reverse());
    expect(await userTables()).toEqual([]);
    expect((await migrationStatus(knex, scratch.config)).pending).toHaveLength(MIGRATIONS.length);
    await migrateLatest(knex, scratch.config);
    expect(await userTables()).toEqual(TABLES);
  });
});
