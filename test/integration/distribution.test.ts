import type { Knex } from 'knex';
import type { Database } from '../../src/db/database';
import { DISTRIBUTED_TABLES } from '../../src/db/citus';
import { migrateDown, migrateLatest } from '../../src/db/migrate';
import { activateTenantInDB, createTenantInDB, rollbackTenantInDB, setupTenantDataInDB, findTenantBySlug, findTenantIdByIdempotencyKey } from '../../src/db/tenant-operations';
import { createAdminUserInDB } from '../../src/db/user-operations';
import { testingOnCitus } from '../harness/citus-cluster';
import { createMigratedScratchDatabase } from '../support/migrated-scratch-database';
import { expectProvisioningError } from '../support/provisioning-error';
import type { ScratchDatabase } from '../harness/scratch-database';
import { adminInput, tenantInput, TEST_BCRYPT_COST, uniqueSuffix } from '../support/tenant-fixtures';

/**
 * The schema per engine (plain PostgreSQL, or Citus with TEST_DATABASE=citus), the cross-tenant rules
 * under concurrent requesters on both, and on Citus: which table is distributed how, and that every
 * statement of the provisioning path routes to one shard (EXPLAIN of the very statements knex sent).
 */
const onCitus = testingOnCitus();
const citusOnly = onCitus ? describe : describe.skip;
const plainOnly = onCitus ? describe.skip : describe;

let scratch: ScratchDatabase;
let database: Database | undefined;
let knex: Knex;

beforeAll(async () => {
  ({ scratch, knex, database } = await createMigratedScratchDatabase('tw_distribution'));
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

interface DistRow {
  table: string;
  method: string;
  column: string | null;
  colocation: number;
}

async function distribution(): Promise<DistRow[]> {
  const { rows } = await knex.raw<{ rows: DistRow[] }>(`
    SELECT logicalrelid::regclass::text AS table, partmethod AS method,
           CASE WHEN partkey IS NULL THEN NULL ELSE column_to_column_name(logicalrelid, partkey) END AS column,
           colocationid AS colocation
    FROM pg_dist_partition ORDER BY 1`);
  return rows;
}

async function uniqueIndexes(table: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { name: string }[] }>(
    "SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = ?::regclass AND indisunique ORDER BY 1",
    [table],
  );
  return rows.map((r) => r.name);
}

plainOnly('on plain PostgreSQL', () => {
  it('the distribution migration changed nothing: no lookup tables, the cross-tenant unique indexes on tenants and users', async () => {
    const { rows } = await knex.raw<{ rows: { t: string | null }[] }>("SELECT to_regclass('public.tenant_lookup')::text AS t UNION ALL SELECT to_regclass('public.internal_user_emails')::text");
    expect(rows).toEqual([{ t: null }, { t: null }]);
    expect(await uniqueIndexes('public.tenants')).toEqual(['tenants_idempotency_key_unique', 'tenants_pkey', 'tenants_slug_unique']);
    expect(await uniqueIndexes('public.users')).toEqual(['users_internal_email_unique', 'users_pkey', 'users_tenant_email_unique']);
  });
});

citusOnly('on Citus', () => {
  it('distributes every tenant table by tenant in one co-location group; the lookups are reference tables; the run records stay local', async () => {
    const rows = await distribution();
    const distributed = rows.filter((r) => r.method === 'h');
    expect(distributed.map((r) => r.table).sort()).toEqual([...DISTRIBUTED_TABLES].sort());
    expect(new Set(distributed.map((r) => r.column))).toEqual(new Set(['tenant']));
    expect(new Set(distributed.map((r) => r.colocation)).size).toBe(1);
    expect(rows.filter((r) => r.method === 'n').map((r) => r.table).sort()).toEqual(['deleted_tenants', 'internal_user_emails', 'tenant_lookup']);
    // On purpose: one row per workflow run, written in the step's own transaction; no tenant key to route by.
    expect(rows.map((r) => r.table)).not.toContain('tenant_workflows.provisioning_runs');
    expect(await uniqueIndexes('public.tenants')).toEqual(['tenants_pkey']);
    expect(await uniqueIndexes('public.tenant_lookup')).toEqual(['tenant_lookup_idempotency_key_unique', 'tenant_lookup_pkey', 'tenant_lookup_row_unique', 'tenant_lookup_slug_unique']);
  });

  it('spreads tenants over both workers', async () => {
    const tenants: string[] = [];
    for (let i = 0; i < 8; i++) tenants.push((await createTenantInDB(knex, tenantInput())).tenantId);
    const { rows } = await knex.raw<{ rows: { nodeport: number }[] }>(
      `SELECT DISTINCT nodeport FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
       WHERE s.logicalrelid = 'public.tenants'::regclass AND s.shardid = ANY (SELECT get_shard_id_for_distribution_column('public.tenants', t) FROM unnest(?::uuid[]) t)`,
      [tenants],
    );
    expect(rows.length).toBe(2);
    for (const tenant of tenants) await rollbackTenantInDB(knex, tenant);
  });

  it('refuses a tenants row that bypasses the lookup (the foreign key to the reference table)', async () => {
    const input = tenantInput();
    const error = await knex('public.tenants')
      .insert({ slug: input.slug, name: 'x', contact_email: 'x@example.com', idempotency_key: input.idempotencyKey })
      .then(() => undefined, (e: unknown) => e as { code?: string });
    expect(error?.code).toBe('23503');
  });

  it('routes every statement of the provisioning path (and its rollback) to one shard', async () => {
    const statements: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const listen = (query: { sql: string; bindings?: readonly unknown[] }) => statements.push({ sql: query.sql, bindings: query.bindings ?? [] });
    knex.on('query', listen);
    try {
      const slugInput = tenantInput();
      const { tenantId } = await createTenantInDB(knex, { ...slugInput, adminEmail: `admin-${uniqueSuffix()}@acme.example` });
      await createTenantInDB(knex, slugInput); // the retry: finds its tenant through the lookup
      await setupTenantDataInDB(knex, tenantId);
      await createAdminUserInDB(knex, adminInput(tenantId), TEST_BCRYPT_COST);
      await activateTenantInDB(knex, tenantId);
      await findTenantBySlug(knex, slugInput.slug!);
      await findTenantIdByIdempotencyKey(knex, slugInput.idempotencyKey);
      await rollbackTenantInDB(knex, tenantId, { force: true });
    } finally {
      knex.off('query', listen);
    }
    const dml = statements.filter((s) => /^\s*(select|insert|update|delete)\b/i.test(s.sql) && /"?(tenants|tenant_settings|roles|permissions|role_permissions|users|user_roles|tenant_lookup|internal_user_emails)"?/.test(s.sql));
    expect(dml.length).toBeGreaterThan(15);
    const plans: Array<{ sql: string; tasks: string }> = [];
    for (const { sql, bindings } of dml) {
      // knex reports the statement as sent, with pg's $n placeholders, numbered in order of the bindings.
      const { rows } = await knex.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN ${sql.replace(/\$\d+/g, '?')}`, bindings as Knex.RawBinding[]);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      plans.push({ sql, tasks: /Task Count: (\d+)/.exec(plan)?.[1] ?? `no Citus plan:\n${plan}` });
    }
    expect(plans.filter((p) => p.tasks !== '1')).toEqual([]);
  });

  it('rolls back to plain tables with the unique indexes back and data kept, then distributes again', async () => {
    const config = scratch.config;
    const db = database!;
    const kept = await createTenantInDB(knex, tenantInput());
    await setupTenantDataInDB(knex, kept.tenantId);
    const admin = await createAdminUserInDB(knex, adminInput(kept.tenantId), TEST_BCRYPT_COST);

    expect(await migrateDown(db, config, 2)).toEqual(['20261204150001_tenant_offboarding', '20261203210001_distribute_on_citus']);
    expect((await distribution()).map((r) => r.table)).toEqual([]);
    expect(await uniqueIndexes('public.tenants')).toEqual(['tenants_idempotency_key_unique', 'tenants_pkey', 'tenants_slug_unique']);
    expect(await uniqueIndexes('public.users')).toEqual(['users_internal_email_unique', 'users_pkey', 'users_tenant_email_unique']);
    expect(await knex('public.users').where({ tenant: kept.tenantId }).pluck('email')).toEqual([admin.email]);

    expect(await migrateLatest(db, config)).toEqual(['20261203210001_distribute_on_citus', '20261204150001_tenant_offboarding']);
    expect((await distribution()).filter((r) => r.method === 'h')).toHaveLength(DISTRIBUTED_TABLES.length);
    // The lookups were filled from the rows that existed: the slug and the email are still taken.
    await expectProvisioningError(createTenantInDB(knex, tenantInput({ slug: kept.slug })), 'TenantAlreadyExists');
    const other = await createTenantInDB(knex, tenantInput());
    await setupTenantDataInDB(knex, other.tenantId);
    await expectProvisioningError(createAdminUserInDB(knex, adminInput(other.tenantId, { email: admin.email }), TEST_BCRYPT_COST), 'EmailAlreadyInUse');
  });
});

describe('two concurrent requesters, on either engine', () => {
  it('for one slug with different keys: one tenant, the other request gets TenantAlreadyExists', async () => {
    const slug = `race-${uniqueSuffix()}`;
    const outcomes = await Promise.allSettled([createTenantInDB(knex, tenantInput({ slug })), createTenantInDB(knex, tenantInput({ slug }))]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failed = outcomes.find((o) => o.status === 'rejected')!;
    expect((failed.reason as { type?: string }).type).toBe('TenantAlreadyExists');
    expect(await knex('public.tenants').where({ slug }).count<{ count: string }[]>('* as count')).toEqual([{ count: '1' }]);
  });

  it('for one internal admin email in two tenants: one user, the other gets EmailAlreadyInUse', async () => {
    const email = `shared-${uniqueSuffix()}@acme.example`;
    const tenants = await Promise.all([createTenantInDB(knex, tenantInput()), createTenantInDB(knex, tenantInput())]);
    for (const t of tenants) await setupTenantDataInDB(knex, t.tenantId);
    const outcomes = await Promise.allSettled(tenants.map((t) => createAdminUserInDB(knex, adminInput(t.tenantId, { email }), TEST_BCRYPT_COST)));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failed = outcomes.find((o) => o.status === 'rejected')!;
    expect((failed.reason as { type?: string }).type).toBe('EmailAlreadyInUse');
    expect(await knex('public.users').where({ email }).count<{ count: string }[]>('* as count')).toEqual([{ count: '1' }]);
  });
});
