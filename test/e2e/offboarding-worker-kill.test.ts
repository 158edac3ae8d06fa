import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveDirectory, verifyArchive } from '../../src/db/offboarding/archive';
import { findTombstone } from '../../src/db/offboarding/tenant-deletion';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { addBulkRows } from '../harness/bulk-tenant-rows';
import { countTenantRows, NO_ROWS } from '../harness/tenant-rows';
import { waitFor } from '../harness/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { closeTestDatabase } from '../support/test-database';
import { provisionTenant, TenantCleanup } from '../support/tenant-fixtures';

jest.setTimeout(300_000);

let h: ProvisioningHarness;
const exportRoot = mkdtempSync(join(tmpdir(), 'offboarding-kill-'));
const workers: WorkerProcess[] = [];
const cleanup = new TenantCleanup();

beforeAll(async () => {
  h = await provisioningHarness();
});
afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) await worker.stop('SIGKILL');
  await cleanup.removeAll(h.knex);
  await h.close();
  await closeTestDatabase();
  rmSync(exportRoot, { recursive: true, force: true });
});

/** A worker process (from source) on the harness's task queue, with small pages and batches so each phase takes a while. */
async function worker(): Promise<WorkerProcess> {
  const started = await startWorkerProcess({ ...process.env, TEMPORAL_TASK_QUEUE: h.taskQueue, EXPORT_DIR: exportRoot, EXPORT_PAGE_SIZE: '100', DELETE_BATCH_SIZE: '50' });
  workers.push(started);
  return started;
}

describe('a deletion whose worker is SIGKILLed mid-export and mid-delete', () => {
  it('resumes on another worker: nothing of the tenant left, the other tenant untouched, the archive complete and verified', async () => {
    const other = await provisionTenant(h.knex, cleanup);
    await addBulkRows(h.knex, other.tenantId, { users: 200 });
    const otherBefore = await countTenantRows(h.knex, other.tenantId);
    const tenant = await provisionTenant(h.knex, cleanup);
    await addBulkRows(h.knex, tenant.tenantId, { users: 4000, settings: 500 });
    const counts = await countTenantRows(h.knex, tenant.tenantId);

    const first = await worker();
    const handle = await h.client.deleteTenant(tenant.slug, { graceMs: 0 });
    const usersFile = join(archiveDirectory(exportRoot, tenant.slug, tenant.tenantId), 'users.ndjson.gz');
    await waitFor(() => Promise.resolve((statSync(usersFile, { throwIfNoEntry: false })?.size ?? 0) > 20_000), 'the export to be midway through users', 120_000);
    await first.stop('SIGKILL');

    const second = await worker();
    // Past the export (after the heartbeat timeout, on the second worker), into the deletion: then killed again.
    await waitFor(
      async () => {
        const left = await countTenantRows(h.knex, tenant.tenantId);
        return left.user_roles > 0 && left.user_roles < counts.user_roles - 200;
      },
      'the deletion to be midway through user_roles',
      120_000,
    );
    await second.stop('SIGKILL');

    await worker();
    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'deleted', archive: { rows: counts } });
    expect(await countTenantRows(h.knex, tenant.tenantId)).toEqual(NO_ROWS);
    expect(await findTombstone(h.knex, tenant.tenantId)).toMatchObject({ slug: tenant.slug, row_counts: counts, export_manifest_sha256: result.archive!.manifestSha256 });
    const { manifest } = await verifyArchive(result.archive!.directory, tenant.tenantId);
    expect(Object.fromEntries(manifest.files.map((f) => [f.table, f.rows]))).toEqual(counts);
    expect(await countTenantRows(h.knex, other.tenantId)).toEqual(otherBefore);
    await rollbackTenantInDB(h.knex, other.tenantId, { force: true });
  });
});
