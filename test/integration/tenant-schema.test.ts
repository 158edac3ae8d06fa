import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { withTestDatabase } from '../support/test-database';
import { createTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { createAdminUserInDB } from '../../src/db/user-operations';
import { runCli } from '../support/run-cli';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { onEveryWorker, testingOnCitus } from '../harness/citus-cluster';
import { adminInput, tenantInput, TEST_BCRYPT_COST } from '../support/tenant-fixtures';

/**
 * The shipped configuration names the admin role and the storage schema alike (tenant_workflows). With
 * PostgreSQL's default search_path ("$user", public), an unqualified table name then resolves to the
 * storage schema, where the SaaS application's role would never find it.
 */
const base = loadConfig(process.env);
const adminRole = `tw_admin_${randomBytes(4).toString('hex')}`;
const adminPassword = randomBytes(12).toString('hex');
let scratch: ScratchDatabase;
const env = () => ({
  ...process.env,
  DB_NAME_SERVER: scratch.name,
  DB_USER_ADMIN: adminRole,
  DB_PASSWORD_ADMIN: adminPassword,
  WORKFLOW_STORAGE_SCHEMA: adminRole,
});
/** Runs fn on the process pool connected to the scratch database as the harness's superuser. */
function asSuperuser<T>(fn: (knex: Knex) => Promise<T>): Promise<T> {
  return withTestDatabase(scratch.config, (database) => fn(database.admin));
}

beforeAll(async () => {
  scratch = await createScratchDatabase('tw_schema');
  await withMaintenanceConnection(base.db, async (k) => {
    await k.raw(`CREATE ROLE ?? LOGIN PASSWORD '${adminPassword}'`, [adminRole]);
    await k.raw('ALTER DATABASE ?? OWNER TO ??', [scratch.name, adminRole]);
  });
  // Citus distributes the tables as the admin role: it must own the database's copy on every worker too.
  if (testingOnCitus()) await onEveryWorker(base.db, (k) => k.raw('ALTER DATABASE ?? OWNER TO ??', [scratch.name, adminRole]));
});
afterAll(async () => {
  await scratch.drop();
  await withMaintenanceConnection(base.db, (k) => k.raw('DROP ROLE IF EXISTS ??', [adminRole]));
});

describe('an admin role named like the storage schema', () => {
  it('migrate puts the tenant tables in TENANT_DATA_SCHEMA (public), the run records in the storage schema', async () => {
    const migrated = await runCli(['migrate'], env());
    expect(migrated.stderr).toBe('');
    expect(migrated.status).toBe(0);
    const placed = await asSuperuser(async (k) =>
      k('information_schema.tables').whereIn('table_name', ['tenants', 'users', 'provisioning_runs']).orderBy('table_name').select('table_schema', 'table_name'),
    );
    expect(placed).toEqual([
      { table_schema: adminRole, table_name: 'provisioning_runs' },
      { table_schema: 'public', table_name: 'tenants' },
      { table_schema: 'public', table_name: 'users' },
    ]);
  });

  it('provisioning as that role writes to public, where the application role reads the tenant by its plain name', async () => {
    const config = loadConfig(env());
    const { slug } = await withTestDatabase(config, async ({ admin: knex }) => {
      const created = await createTenantInDB(knex, tenantInput());
      await setupTenantDataInDB(knex, created.tenantId);
      await createAdminUserInDB(knex, adminInput(created.tenantId), TEST_BCRYPT_COST);
      return created;
    });
    const seen = await asSuperuser((k) =>
      k.transaction(async (trx) => {
        await trx.raw('SET LOCAL ROLE ??', [config.db.server.user]);
        return (await trx.raw<{ rows: Array<{ slug: string; users: string }> }>('SELECT t.slug, count(u.*) AS users FROM tenants t JOIN users u USING (tenant) GROUP BY t.slug')).rows;
      }),
    );
    expect(seen).toEqual([{ slug, users: '1' }]);
  });
});
