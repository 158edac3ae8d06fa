import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { openTestDatabase } from '../support/test-database';
import { migrateLatest, migrateRollbackAll } from '../../src/db/migrate';
import { RunRecords, type StepRecord } from '../../src/db/run-records';
import { createTenantInDB } from '../../src/db/tenant-operations';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { testingOnCitus } from '../harness/citus-cluster';

const record: StepRecord = { attempt: 1, startedAt: new Date().toISOString(), completedAt: new Date().toISOString(), durationMs: 3 };
const scratches: ScratchDatabase[] = [];
async function scratchDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase('tw_storage');
  scratches.push(scratch);
  return scratch;
}

/** Tables of a database by schema, other than the version tables. */
async function tablesOf(knex: Knex): Promise<string[]> {
  const rows = await knex('information_schema.tables')
    .whereNotIn('table_schema', ['pg_catalog', 'information_schema'])
    .where('table_type', 'BASE TABLE') // not the views the citus extension adds
    .whereNot('table_name', 'like', '%_migrations%')
    .select<{ table_schema: string; table_name: string }[]>('table_schema', 'table_name');
  return rows.map((r) => `${r.table_schema}.${r.table_name}`).sort();
}

let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});
afterAll(async () => {
  for (const scratch of scratches) await scratch.drop();
});

describe('run records written with the step', () => {
  it('commit with the step, and vanish with it when the transaction fails before COMMIT', async () => {
    const { config } = await scratchDatabase();
    database = openTestDatabase(config);
    const knex = database.admin;
    await migrateLatest(database, config);
    const runs = new RunRecords(knex, config.storage.schema, true);
    const input = (slug: string) => ({ name: `Tenant ${slug}`, slug, contactEmail: 'ops@example.test', idempotencyKey: randomUUID() });
    const run = { workflowId: 'tenant-atomic', runId: randomUUID() };

    await expect(
      createTenantInDB(knex, input('atomic-fails'), async (trx, result) => {
        await runs.recordStep(trx, run, 'createTenant', record, { tenant: result.tenantId });
        throw new Error('worker died before COMMIT');
      }),
    ).rejects.toThrow('worker died before COMMIT');
    expect(await knex('tenants').where({ slug: 'atomic-fails' })).toEqual([]);
    expect(await runs.runsOf(run.workflowId)).toEqual([]);

    const created = await createTenantInDB(knex, input('atomic-ok'), (trx, result) => runs.recordStep(trx, run, 'createTenant', record, { tenant: result.tenantId, slug: result.slug }));
    expect(await runs.runsOf(run.workflowId)).toMatchObject([{ tenant: created.tenantId, slug: 'atomic-ok', status: 'running', details: { steps: { createTenant: record } } }]);
  });
});

describe('storage routing', () => {
  it('puts the worker tables and both version tables in a dedicated schema, the tenant tables stay in public', async () => {
    const { config: base } = await scratchDatabase();
    const config: Config = { ...base, storage: { schema: 'provisioning_store', db: undefined } };
    database = openTestDatabase(config);
    const knex = database.admin;
    await migrateLatest(database, config);
    const tables = await tablesOf(knex);
    expect(tables).toContain('provisioning_store.provisioning_runs');
    expect(tables).not.toContain('tenant_workflows.provisioning_runs');
    expect(tables).toContain('public.tenants');
    expect(await knex.schema.withSchema('provisioning_store').hasTable('tenant_data_migrations')).toBe(true);
    expect(await knex.schema.withSchema('provisioning_store').hasTable('storage_migrations')).toBe(true);
  });

  it('puts the worker tables in a dedicated database, writes run records there, and rolls both back to nothing', async () => {
    const tenantDb = await scratchDatabase();
    const storageDb = await scratchDatabase();
    const config: Config = { ...tenantDb.config, storage: { schema: 'tenant_workflows', db: { ...tenantDb.config.db, database: storageDb.name } } };
    const db = (database = openTestDatabase(config));
    expect(db.storage).not.toBe(db.admin);
    await migrateLatest(db, config);

    // On Citus the distribution migration adds its two lookup (reference) tables to the tenant data.
    const lookups = testingOnCitus() ? ['public.internal_user_emails', 'public.tenant_lookup'] : [];
    expect(await tablesOf(db.admin)).toEqual([...lookups, 'public.deleted_tenants', 'public.permissions', 'public.role_permissions', 'public.roles', 'public.tenant_settings', 'public.tenants', 'public.user_roles', 'public.users'].sort());
    expect(await tablesOf(db.storage)).toEqual(['tenant_workflows.provisioning_runs']);
    expect(await db.admin.schema.withSchema('tenant_workflows').hasTable('tenant_data_migrations')).toBe(true);
    expect(await db.storage.schema.withSchema('tenant_workflows').hasTable('storage_migrations')).toBe(true);

    const runs = new RunRecords(db.storage, 'tenant_workflows', false);
    await runs.recordStep(db.storage, { workflowId: 'tenant-routed', runId: 'r1' }, 'createTenant', record, { status: 'running' });
    expect(await db.storage('tenant_workflows.provisioning_runs').pluck('workflow_id')).toEqual(['tenant-routed']);

    await migrateRollbackAll(db, config);
    expect(await tablesOf(db.admin)).toEqual([]);
    expect(await tablesOf(db.storage)).toEqual([]);
  });
});

describe('operator lookups on 10,000 runs', () => {
  it('use their indexes: by status, by failed step, by tenant, and containment on the details', async () => {
    const { config } = await scratchDatabase();
    database = openTestDatabase(config);
    const knex = database.admin;
    await migrateLatest(database, config);
    await knex.raw(`
      INSERT INTO tenant_workflows.provisioning_runs (workflow_id, run_id, tenant, slug, status, details, started_at)
      SELECT 'tenant-t' || i, 'run-' || i, gen_random_uuid(), 't' || i,
             CASE WHEN i % 100 = 0 THEN 'compensation_failed' WHEN i % 20 = 0 THEN 'compensated' ELSE 'completed' END,
             CASE WHEN i % 20 = 0
               THEN jsonb_build_object('steps', '{}'::jsonb, 'failure', jsonb_build_object('step', (ARRAY['createTenant','setupTenantData','createAdminUser','activateTenant'])[1 + (i / 20) % 4], 'type', 'Error' || i, 'message', 'injected'))
               ELSE '{"steps": {}}'::jsonb END,
             now() - make_interval(secs => i)
      FROM generate_series(1, 10000) AS i`);
    await knex.raw('ANALYZE tenant_workflows.provisioning_runs');
    const runs = new RunRecords(knex, 'tenant_workflows', true);
    const tenant = (await knex('tenant_workflows.provisioning_runs').where({ workflow_id: 'tenant-t4242' }).first<{ tenant: string }>('tenant')).tenant;

    const plan = async (query: Knex.QueryBuilder) => {
      const { rows } = await knex.raw<{ rows: { 'QUERY PLAN': unknown }[] }>(`EXPLAIN (FORMAT JSON) ${query.toQuery()}`);
      return JSON.stringify(rows[0]!['QUERY PLAN']);
    };
    expect(await plan(runs.lookups.byStatus('compensation_failed'))).toContain('"Index Name":"provisioning_runs_status_idx"');
    expect(await plan(runs.lookups.failedAt('createAdminUser'))).toContain('"Index Name":"provisioning_runs_failed_step_idx"');
    expect(await plan(runs.lookups.ofTenant(tenant))).toContain('"Index Name":"provisioning_runs_tenant_idx"');
    const containment = knex('tenant_workflows.provisioning_runs').whereRaw('details @> ?::jsonb', [JSON.stringify({ failure: { type: 'Error4240' } })]);
    expect(await plan(containment)).toContain('"Index Name":"provisioning_runs_details_gin"');

    expect(await runs.find(runs.lookups.byStatus('compensation_failed', 1000))).toHaveLength(100);
    expect(await runs.find(runs.lookups.failedAt('createAdminUser', 1000))).toHaveLength(125);
    expect(await runs.find(runs.lookups.ofTenant(tenant))).toMatchObject([{ workflowId: 'tenant-t4242' }]);
  });
});
