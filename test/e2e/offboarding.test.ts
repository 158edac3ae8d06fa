import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LifecycleInProgressError } from '../../src/client';
import { DELETION_SUSPENSION_REASON } from '../../src/contracts/tenant-deletion';
import { lifecycleWorkflowIdForSlug } from '../../src/contracts/tenant-suspension';
import { verifyArchive } from '../../src/db/offboarding/archive';
import { findTombstone } from '../../src/db/offboarding/tombstones';
import { createTenantInDB, rollbackTenantInDB } from '../../src/db/tenant-operations';
import { EXIT } from '../../src/exit-codes';
import { addBulkRows } from '../harness/bulk-tenant-rows';
import { tenantRequest } from '../harness/tenant-requests';
import { countTenantRows, NO_ROWS } from '../harness/tenant-rows';
import { waitFor } from '../harness/wait-for';
import { expectProvisioningError } from '../support/provisioning-error';
import { useProvisioningHarness } from '../support/provisioning-worker';
import { runCli } from '../support/run-cli';
import { tenantInput, uniqueSuffix } from '../support/tenant-fixtures';

// The CLI tests spawn a ts-node process per command (five in one test): on a loaded 2-core machine that alone
// took 40 s, so those tests get more than the suite's 60 s.
const CLI_TEST_TIMEOUT_MS = 150_000;

// The worker's archives go to a directory of this file's own (read by composeApp from the environment).
const exportRoot = mkdtempSync(join(tmpdir(), 'offboarding-e2e-'));
process.env.EXPORT_DIR = exportRoot;
process.env.EXPORT_PAGE_SIZE = '200';
process.env.DELETE_BATCH_SIZE = '250';
afterAll(() => rmSync(exportRoot, { recursive: true, force: true }));

const h = useProvisioningHarness();

const usersOf = (tenantId: string) =>
  h.knex('users').where({ tenant: tenantId }).orderBy('user_id').select<Array<{ user_id: string; disabled_at: Date | null; disabled_by_suspension: boolean }>>('user_id', 'disabled_at', 'disabled_by_suspension');
const statusOf = async (tenantId: string) => (await h.knex('tenants').where({ tenant: tenantId }).first<{ status: string } | undefined>('status'))?.status;
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function tenantWithRows(users = 600) {
  const tenant = await (await h.client.start(tenantRequest())).result();
  await addBulkRows(h.knex, tenant.tenantId, { users, roles: 20, settings: 100 });
  return { ...tenant, counts: await countTenantRows(h.knex, tenant.tenantId) };
}

const inGrace = (slug: string) => waitFor(async () => {
  const state = await h.client.deletionState(slug);
  return state?.phase === 'grace' ? state : undefined;
}, `the deletion of ${slug} to reach its grace period`, 30_000);

describe('tenantDeletionWorkflow on the real Temporal server and PostgreSQL', () => {
  it('deletes after a grace of seconds: every row gone, tombstone written, the archive verified against its manifest', async () => {
    const other = await tenantWithRows(50);
    const tenant = await tenantWithRows();
    const started = Date.now();
    const handle = await h.client.deleteTenant(tenant.slug, { graceMs: 3000 });
    expect(handle.workflowId).toBe(lifecycleWorkflowIdForSlug(tenant.slug));
    const result = await handle.result();
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(result).toEqual({
      slug: tenant.slug,
      tenantId: tenant.tenantId,
      outcome: 'deleted',
      archive: { directory: join(exportRoot, `${tenant.slug}-${tenant.tenantId}`), manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/), totalRows: total(tenant.counts), rows: tenant.counts },
      deletedRows: total(tenant.counts),
      deletedAt: expect.any(String),
    });
    expect(await countTenantRows(h.knex, tenant.tenantId)).toEqual(NO_ROWS);
    expect(await findTombstone(h.knex, tenant.tenantId)).toEqual({
      tenant: tenant.tenantId,
      slug: tenant.slug,
      deleted_at: new Date(result.deletedAt!),
      export_manifest_sha256: result.archive!.manifestSha256,
      row_counts: tenant.counts,
    });
    const verified = await verifyArchive(result.archive!.directory, tenant.tenantId);
    expect(verified.manifestSha256).toBe(result.archive!.manifestSha256);
    expect(await countTenantRows(h.knex, other.tenantId)).toEqual(other.counts);
    expect(await h.client.deletionState(tenant.slug)).toMatchObject({ phase: 'deleted', decision: 'grace-elapsed', deletedRows: total(tenant.counts) });
    await rollbackTenantInDB(h.knex, other.tenantId, { force: true });

    // Our client: a new tenant gets the deleted tenant's slug only when the request asks for it (the worker's
    // SlugOfDeletedTenant is in untrusted-input.test.ts: here the client refuses first, the old provisioning
    // having completed under the same workflow id).
    const again = tenantRequest({ slug: tenant.slug });
    await expect(h.client.start(again)).rejects.toThrow(/already provisioned .*reuseDeletedSlug: true/);
    const reused = await (await h.client.start({ ...again, reuseDeletedSlug: true })).result();
    expect(reused.slug).toBe(tenant.slug);
    expect(reused.tenantId).not.toBe(tenant.tenantId);
    await rollbackTenantInDB(h.knex, reused.tenantId, { force: true });
  });

  it('cancel during the grace period restores the tenant and its users exactly, and ends the workflow', async () => {
    const tenant = await tenantWithRows(100);
    // A user an admin disabled before: stays disabled.
    await h.knex('users').where({ tenant: tenant.tenantId }).whereLike('email', 'bulk-1-%').update({ disabled_at: new Date('2026-01-01T00:00:00Z') });
    const usersBefore = await usersOf(tenant.tenantId);
    const handle = await h.client.deleteTenant(tenant.slug, { graceMs: 3_600_000 });
    const grace = await inGrace(tenant.slug);
    expect(grace).toMatchObject({ phase: 'grace', tenantId: tenant.tenantId, archive: { totalRows: total(tenant.counts) } });
    expect(new Date(grace.deleteAt!).getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect(await h.knex('tenants').where({ tenant: tenant.tenantId }).first('status', 'suspension_reason')).toEqual({ status: 'suspended', suspension_reason: DELETION_SUSPENSION_REASON });
    // Another lifecycle workflow of the tenant is refused while the deletion waits.
    await expect(h.client.suspend(tenant.slug, 'unpaid')).rejects.toThrow(LifecycleInProgressError);

    const cancelled = await h.client.cancelDeletion(tenant.slug);
    expect(cancelled).toMatchObject({ phase: 'cancelled', decision: 'cancelled' });
    expect(await handle.result()).toMatchObject({ outcome: 'cancelled', deletedRows: 0 });
    expect(await statusOf(tenant.tenantId)).toBe('active');
    expect(await usersOf(tenant.tenantId)).toEqual(usersBefore);
    expect(await countTenantRows(h.knex, tenant.tenantId)).toEqual(tenant.counts);
    expect(await findTombstone(h.knex, tenant.tenantId)).toBeUndefined();
    // Ended: nothing left to confirm or cancel.
    await expectProvisioningError(h.client.confirmDeletion(tenant.slug), 'DeletionNotPending', 'slug');
    await rollbackTenantInDB(h.knex, tenant.tenantId, { force: true });
  });

  it('confirm before the grace period ends deletes promptly; a second confirm is refused', async () => {
    const tenant = await tenantWithRows(300);
    const handle = await h.client.deleteTenant(tenant.slug, { graceMs: 3_600_000 });
    await inGrace(tenant.slug);
    const confirmedAt = Date.now();
    expect(await h.client.confirmDeletion(tenant.slug)).toMatchObject({ decision: 'confirmed' });
    await expectProvisioningError(h.client.cancelDeletion(tenant.slug), 'DeletionNotPending', 'slug');
    const result = await handle.result();
    expect(Date.now() - confirmedAt).toBeLessThan(30_000);
    expect(result).toMatchObject({ outcome: 'deleted', deletedRows: total(tenant.counts) });
    expect(await countTenantRows(h.knex, tenant.tenantId)).toEqual(NO_ROWS);
    expect(await findTombstone(h.knex, tenant.tenantId)).toMatchObject({ slug: tenant.slug, export_manifest_sha256: result.archive!.manifestSha256 });
  });

  it('refuses a tenant still being provisioned or missing (typed), and confirm/cancel with no deletion', async () => {
    const { tenantId, slug } = await createTenantInDB(h.knex, tenantInput());
    await expectProvisioningError((await h.client.deleteTenant(slug, { graceMs: 0 })).result(), 'TenantNotDeletable', 'slug');
    expect(await statusOf(tenantId)).toBe('provisioning');
    await expectProvisioningError((await h.client.deleteTenant('no-such-tenant-offboard', { graceMs: 0 })).result(), 'TenantNotFound', 'slug');
    await expectProvisioningError(h.client.confirmDeletion('never-deleted-tenant'), 'DeletionNotPending', 'slug');
    await expectProvisioningError(h.client.deleteTenant(slug, { graceMs: -1 }), 'InvalidInput', 'grace');
    await rollbackTenantInDB(h.knex, tenantId, { force: true });
  });

  it("the CLI: create-tenant refuses a deleted tenant's slug (exit 73, naming the tombstone) and takes it with --reuse-deleted-slug", async () => {
    const env = { ...process.env, TEMPORAL_TASK_QUEUE: h.taskQueue };
    const slug = `reuse-${uniqueSuffix()}`;
    const deletedAt = new Date('2026-11-30T12:00:00.000Z');
    const tombstone = { tenant: randomUUID(), slug, deleted_at: deletedAt, export_manifest_sha256: 'e'.repeat(64), row_counts: JSON.stringify({ tenants: 1 }) };
    await h.knex('deleted_tenants').insert(tombstone);
    try {
      const args = ['create-tenant', '--name', 'Reuse Tenant', '--slug', slug, '--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--wait', '--json'];
      const refused = await runCli(args, env);
      expect(refused.status).toBe(EXIT.ALREADY_EXISTS);
      expect(JSON.parse(refused.stdout)).toMatchObject({ error: { type: 'SlugOfDeletedTenant', message: expect.stringContaining(`belonged to tenant ${tombstone.tenant}, deleted at ${deletedAt.toISOString()}`) } });
      expect(await h.knex('tenants').where({ slug }).first()).toBeUndefined();

      const reused = await runCli([...args, '--reuse-deleted-slug'], env);
      expect(reused.status).toBe(EXIT.OK);
      const result = JSON.parse(reused.stdout) as { status: string; slug: string; tenantId: string };
      expect(result).toMatchObject({ status: 'completed', slug });
      await rollbackTenantInDB(h.knex, result.tenantId, { force: true });
    } finally {
      await h.knex('deleted_tenants').where({ tenant: tombstone.tenant }).delete();
    }
  }, CLI_TEST_TIMEOUT_MS);

  it('the CLI: delete-tenant --grace --json, confirm-deletion, exit 65 on a malformed grace', async () => {
    const env = { ...process.env, TEMPORAL_TASK_QUEUE: h.taskQueue };
    const tenant = await tenantWithRows(10);
    const bad = await runCli(['delete-tenant', tenant.slug, '--grace', '10 weeks', '--json'], env);
    expect(bad.status).toBe(EXIT.DATA_ERROR);
    expect(JSON.parse(bad.stdout)).toEqual({ error: { type: 'InvalidInput', message: expect.stringContaining('grace'), field: 'grace' } });

    const started = await runCli(['delete-tenant', tenant.slug, '--grace', '1h', '--json'], env);
    expect(started.status).toBe(EXIT.OK);
    expect(JSON.parse(started.stdout)).toMatchObject({ workflowId: `lifecycle-${tenant.slug}`, slug: tenant.slug, graceMs: 3_600_000 });
    await inGrace(tenant.slug);
    // status shows the lifecycle: the phase and the time left.
    const status = await runCli(['status', tenant.slug], env);
    expect(status.status).toBe(EXIT.OK);
    expect(status.stdout).toMatch(/ {2}deletion: grace; deletes at \S+ \(in 0h (59|60)m unless cancel-deletion\); archive /);
    const confirmed = await runCli(['confirm-deletion', tenant.slug, '--json'], env);
    expect(confirmed.status).toBe(EXIT.OK);
    expect(JSON.parse(confirmed.stdout)).toMatchObject({ slug: tenant.slug, decision: 'confirmed' });
    await waitFor(async () => (await findTombstone(h.knex, tenant.tenantId)) !== undefined, 'the tombstone');
    const again = await runCli(['cancel-deletion', tenant.slug, '--json'], env);
    expect(again.status).toBe(EXIT.FAILURE);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { type: 'DeletionNotPending', field: 'slug' } });
  }, CLI_TEST_TIMEOUT_MS);
});
