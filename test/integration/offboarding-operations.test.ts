import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExportPosition } from '../../src/contracts/tenant-deletion';
import { LOOKUP_TABLES } from '../../src/db/citus';
import { archiveDirectory, MANIFEST_FILE, verifyArchive } from '../../src/db/offboarding/archive';
import { startTenantDeletionInDB } from '../../src/db/offboarding/deletion-start';
import { deleteTenantBatch, deleteTenantData } from '../../src/db/offboarding/tenant-deletion';
import { findTombstone } from '../../src/db/offboarding/tombstones';
import { exportTenantArchive } from '../../src/db/offboarding/tenant-export';
import { suspendTenantInDB } from '../../src/db/suspension-operations';
import { createTenantInDB } from '../../src/db/tenant-operations';
import { RETAINED_AFTER_DELETION, tenantSchemaOf, TENANT_TABLE_KEYS, TENANT_TABLES } from '../../src/db/tenant-tables';
import { addBulkRows } from '../harness/bulk-tenant-rows';
import { catalogTenantTables, tenantRowsLeft } from '../harness/tenant-catalog';
import { countTenantRows, FULL_TENANT_ROWS } from '../harness/tenant-rows';
import { expectProvisioningError } from '../support/provisioning-error';
import { provisionTenant, tenantInput, useAdminConnection } from '../support/tenant-fixtures';

const { knex, cleanup } = useAdminConnection();
let exportRoot: string;
beforeAll(() => {
  exportRoot = mkdtempSync(join(tmpdir(), 'offboarding-test-'));
});
afterAll(() => rmSync(exportRoot, { recursive: true, force: true }));

const BULK = { users: 1500, roles: 50, settings: 200 };

/** A provisioned tenant with a few thousand rows over its tables, suspended as offboarding's first step leaves it. */
async function bigSuspendedTenant() {
  const tenant = await provisionTenant(knex, cleanup);
  await addBulkRows(knex, tenant.tenantId, BULK);
  await startTenantDeletionInDB(knex, { slug: tenant.slug });
  return tenant;
}

function rowsOf(directory: string, table: string): Array<Record<string, unknown>> {
  const text = gunzipSync(readFileSync(join(directory, `${table}.ndjson.gz`))).toString('utf8');
  return text === '' ? [] : text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('offboarding operations on the real PostgreSQL', () => {
  it('exports every row of the tenant by keyset pages to gzip NDJSON with a manifest that verifies; another tenant is untouched', async () => {
    const other = await provisionTenant(knex, cleanup);
    const otherBefore = await countTenantRows(knex, other.tenantId);
    const tenant = await bigSuspendedTenant();
    const counts = await countTenantRows(knex, tenant.tenantId);
    expect(counts.users).toBe(BULK.users + 1);

    const pages: ExportPosition[] = [];
    const result = await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot }, { pageSize: 250, onProgress: (p) => void pages.push(p) });
    expect(result.directory).toBe(join(exportRoot, `${tenant.slug}-${tenant.tenantId}`));
    expect(Object.fromEntries(result.manifest.files.map((f) => [f.table, f.rows]))).toEqual(counts);
    // Bounded pages: the users table alone took ceil(1501 / 250) pages.
    expect(pages.filter((p) => p.tableIndex === TENANT_TABLES.indexOf('users') && p.rows > 0)).toHaveLength(Math.ceil(counts.users / 250));

    const users = rowsOf(result.directory, 'users');
    expect(users).toHaveLength(counts.users);
    expect(new Set(users.map((u) => u.user_id)).size).toBe(counts.users);
    expect(users.every((u) => u.tenant === tenant.tenantId)).toBe(true);
    expect(users.map((u) => u.user_id)).toEqual([...users.map((u) => u.user_id as string)].sort());
    expect(rowsOf(result.directory, 'tenants')).toEqual([expect.objectContaining({ tenant: tenant.tenantId, slug: tenant.slug, status: 'suspended' })]);

    const verified = await verifyArchive(result.directory, tenant.tenantId);
    expect(verified.manifestSha256).toBe(result.manifestSha256);
    // Idempotent: a completed archive is returned as it is.
    expect((await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot })).manifestSha256).toBe(result.manifestSha256);
    expect(await countTenantRows(knex, other.tenantId)).toEqual(otherBefore);
  });

  it('resumes an export from the position of its last heartbeat, cutting off what was written after it', async () => {
    const tenant = await bigSuspendedTenant();
    const counts = await countTenantRows(knex, tenant.tenantId);
    let last: ExportPosition | undefined;
    const crash = new Error('worker killed');
    await expect(
      exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot }, {
        pageSize: 200,
        onProgress: (p) => {
          if (p.tableIndex === TENANT_TABLES.indexOf('users') && p.rows >= 600) throw crash;
          last = p;
        },
      }),
    ).rejects.toBe(crash);
    expect(last).toMatchObject({ tableIndex: TENANT_TABLES.indexOf('users'), rows: 400 });
    const directory = archiveDirectory(exportRoot, tenant.slug, tenant.tenantId);
    // The page after the last heartbeat was written (and a torn write after it): both are cut off on resume.
    appendFileSync(join(directory, 'users.ndjson.gz'), Buffer.from('torn write'));

    const resumed = await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot }, { pageSize: 200, resumeFrom: last });
    expect(Object.fromEntries(resumed.manifest.files.map((f) => [f.table, f.rows]))).toEqual(counts);
    const users = rowsOf(directory, 'users');
    expect(new Set(users.map((u) => u.user_id)).size).toBe(counts.users);
    await verifyArchive(directory, tenant.tenantId);
  });

  it('resumes after the tenants row without writing it twice (a table keyed by tenant alone)', async () => {
    const tenant = await bigSuspendedTenant();
    const counts = await countTenantRows(knex, tenant.tenantId);
    let afterTenants: ExportPosition | undefined;
    const crash = new Error('worker killed');
    await expect(
      exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot }, {
        onProgress: (p) => {
          afterTenants = p;
          throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect(afterTenants).toMatchObject({ tableIndex: 0, rows: 1 });
    const resumed = await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot }, { resumeFrom: JSON.parse(JSON.stringify(afterTenants)) as ExportPosition });
    expect(Object.fromEntries(resumed.manifest.files.map((f) => [f.table, f.rows]))).toEqual(counts);
    await verifyArchive(resumed.directory, tenant.tenantId);
  });

  it('refuses an archive that does not match its manifest (ExportVerificationFailed)', async () => {
    const tenant = await provisionTenant(knex, cleanup);
    await startTenantDeletionInDB(knex, { slug: tenant.slug });
    const { directory, manifest } = await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot });
    const path = join(directory, 'roles.ndjson.gz');
    const original = readFileSync(path);
    appendFileSync(path, Buffer.from([0]));
    await expectProvisioningError(verifyArchive(directory, tenant.tenantId), 'ExportVerificationFailed');
    writeFileSync(path, original);
    await verifyArchive(directory, tenant.tenantId);
    writeFileSync(join(directory, MANIFEST_FILE), JSON.stringify({ ...manifest, files: manifest.files.slice(1) }));
    await expectProvisioningError(verifyArchive(directory, tenant.tenantId), 'ExportVerificationFailed');
    await expectProvisioningError(verifyArchive(join(exportRoot, 'missing'), tenant.tenantId), 'ExportVerificationFailed');
  });

  it('deletes in bounded batches, each its own transaction; interrupted between batches it resumes, then writes the tombstone', async () => {
    const other = await provisionTenant(knex, cleanup);
    const otherBefore = await countTenantRows(knex, other.tenantId);
    const tenant = await bigSuspendedTenant();
    const counts = await countTenantRows(knex, tenant.tenantId);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const { manifestSha256 } = await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot });
    const target = { tenantId: tenant.tenantId, slug: tenant.slug, manifestSha256, rowCounts: counts };

    // A worker that stopped after three batches: each deleted at most 400 rows, children first.
    let deleted = 0;
    for (let i = 0; i < 3; i++) {
      const batch = await deleteTenantBatch(knex, target, 400);
      expect(batch).toMatchObject({ deleted: 400, finished: false, cursor: { table: 'user_roles' } });
      deleted += batch.deleted;
    }
    const midway = await countTenantRows(knex, tenant.tenantId);
    expect(midway.user_roles).toBe(counts.user_roles - 1200);
    expect(midway.users).toBe(counts.users);
    expect((await knex('tenants').where({ tenant: tenant.tenantId }).first('status')).status).toBe('offboarding');
    // Neither suspend nor reactivate brings back a half-deleted tenant.
    await expectProvisioningError(suspendTenantInDB(knex, { slug: tenant.slug, reason: 'x' }), 'TenantNotSuspendable', 'slug');
    // The tombstone is written by the first batch, with what the tenant held before any row went.
    expect(await findTombstone(knex, tenant.tenantId)).toMatchObject({ slug: tenant.slug, row_counts: counts });
    expect(deleted).toBe(1200);

    // Resumed as after a crash whose last heartbeats were lost (nothing reported deleted): the count is still exact.
    const result = await deleteTenantData(knex, target, { batchSize: 400, deletedBefore: 0 });
    expect(result.deletedRows).toBe(total);
    expect(await countTenantRows(knex, tenant.tenantId)).toEqual({ tenants: 0, tenant_settings: 0, roles: 0, permissions: 0, role_permissions: 0, users: 0, user_roles: 0 });
    const tombstone = await findTombstone(knex, tenant.tenantId);
    expect(tombstone).toEqual({ tenant: tenant.tenantId, slug: tenant.slug, deleted_at: new Date(result.deletedAt), export_manifest_sha256: manifestSha256, row_counts: counts });
    // Idempotent: a retry after the last batch finds the tombstone.
    expect(await deleteTenantBatch(knex, target, 400)).toEqual({ deleted: 0, finished: true });
    expect(await countTenantRows(knex, other.tenantId)).toEqual(otherBefore);
    expect(otherBefore).toEqual(FULL_TENANT_ROWS);
    // The slug goes to a new tenant only when asked for (the tombstone keeps what happened to the old one).
    const error = await expectProvisioningError(createTenantInDB(knex, tenantInput({ slug: tenant.slug })), 'SlugOfDeletedTenant', 'slug');
    expect(error.message).toContain(`deleted at ${result.deletedAt}`);
    expect(await knex('tenants').where({ slug: tenant.slug }).first()).toBeUndefined();
    const reused = await createTenantInDB(knex, tenantInput({ slug: tenant.slug, reuseDeletedSlug: true }));
    cleanup.track(reused.tenantId);
    expect(reused).toMatchObject({ slug: tenant.slug, created: true });
  });

  it('starts a deletion only for an active or suspended tenant, and remembers a suspension that was not its own', async () => {
    const provisioning = await createTenantInDB(knex, tenantInput());
    cleanup.track(provisioning.tenantId);
    await expectProvisioningError(startTenantDeletionInDB(knex, { slug: provisioning.slug }), 'TenantNotDeletable', 'slug');
    await expectProvisioningError(startTenantDeletionInDB(knex, { slug: 'no-such-tenant-to-delete' }), 'TenantNotFound', 'slug');

    const active = await provisionTenant(knex, cleanup);
    expect(await startTenantDeletionInDB(knex, { slug: active.slug })).toEqual({ tenantId: active.tenantId, slug: active.slug, wasSuspended: false, resumed: false });
    // A retry of the step: still ours.
    expect(await startTenantDeletionInDB(knex, { slug: active.slug })).toMatchObject({ wasSuspended: false, resumed: false });
    expect(await knex('users').where({ tenant: active.tenantId }).whereNull('disabled_at').count<Array<{ count: string }>>({ count: '*' })).toEqual([{ count: '0' }]);

    const suspended = await provisionTenant(knex, cleanup);
    await suspendTenantInDB(knex, { slug: suspended.slug, reason: 'unpaid invoice' });
    expect(await startTenantDeletionInDB(knex, { slug: suspended.slug })).toMatchObject({ wasSuspended: true, resumed: false });
  });

  it('covers every table with a tenant column (coverage contract): exported, deleted, or explicitly kept', async () => {
    const tables = await catalogTenantTables(knex);
    // The lookups (Citus only) are removed with the tenant row; the tombstones are kept on purpose.
    const accountedFor = new Set<string>([...TENANT_TABLES, ...LOOKUP_TABLES, ...RETAINED_AFTER_DELETION]);
    expect(tables.filter((t) => !accountedFor.has(t))).toEqual([]);
    expect(tables).toEqual(expect.arrayContaining([...TENANT_TABLES]));

    // The key offboarding pages and deletes by is each table's primary key.
    for (const table of TENANT_TABLES) {
      const { rows } = await knex.raw<{ rows: Array<{ column: string }> }>(
        `SELECT a.attname AS column FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
        [`${tenantSchemaOf(knex)}.${table}`],
      );
      expect([table, rows.map((r) => r.column)]).toEqual([table, [...TENANT_TABLE_KEYS[table]]]);
    }

    // End to end over the catalog: after an export and a deletion, every table with a tenant column (but the
    // tombstones) has no row of the tenant, and every one but the lookups has its file in the manifest.
    const tenant = await bigSuspendedTenant();
    const { manifest, manifestSha256 } = await exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot });
    const exported = manifest.files.map((f) => f.table);
    expect(tables.filter((t) => !exported.includes(t) && !(LOOKUP_TABLES as readonly string[]).includes(t) && !(RETAINED_AFTER_DELETION as readonly string[]).includes(t))).toEqual([]);
    await deleteTenantData(knex, { tenantId: tenant.tenantId, slug: tenant.slug, manifestSha256, rowCounts: {} });
    expect(await tenantRowsLeft(knex, tenant.tenantId, tables.filter((t) => !(RETAINED_AFTER_DELETION as readonly string[]).includes(t)))).toEqual({});
  });
});
