import { LifecycleInProgressError } from '../../src/client';
import { createTenantInDB, rollbackTenantInDB } from '../../src/db/tenant-operations';
import { lifecycleWorkflowIdForSlug, SUSPENSION_WORKFLOW_TYPE } from '../../src/contracts/tenant-suspension';
import { expectProvisioningError } from '../support/provisioning-error';
import { useProvisioningHarness } from '../support/provisioning-worker';
import { tenantInput } from '../support/tenant-fixtures';
import { tenantRequest } from '../harness/tenant-requests';
import { runCli } from '../support/run-cli';
import { EXIT } from '../../src/exit-codes';

const h = useProvisioningHarness();

const usersOf = (tenantId: string) =>
  h.knex('users').where({ tenant: tenantId }).orderBy('email').select<Array<{ email: string; disabled_at: Date | null; disabled_by_suspension: boolean }>>('email', 'disabled_at', 'disabled_by_suspension');

describe('tenantSuspensionWorkflow and tenantReactivationWorkflow on the real Temporal server', () => {
  it('provisions, suspends (users disabled), reactivates (only the users the suspension disabled)', async () => {
    const request = tenantRequest();
    const tenant = await (await h.client.start(request)).result();
    // A second user an admin disabled before any suspension.
    const disabledBefore = new Date('2026-01-01T00:00:00Z');
    await h.knex('users').insert({ tenant: tenant.tenantId, email: `former-${tenant.slug}@acme.test`, first_name: 'Former', last_name: 'Employee', password_hash: 'x', disabled_at: disabledBefore });

    const suspended = await h.client.suspend(tenant.slug, 'unpaid invoice');
    expect(suspended).toEqual({ tenantId: tenant.tenantId, slug: tenant.slug, reason: 'unpaid invoice', suspendedAt: expect.any(String), usersDisabled: 1, alreadySuspended: false });
    expect(await h.knex('tenants').where({ tenant: tenant.tenantId }).first('status', 'suspension_reason')).toEqual({ status: 'suspended', suspension_reason: 'unpaid invoice' });
    const users = await usersOf(tenant.tenantId);
    expect(users.every((u) => u.disabled_at !== null)).toBe(true);
    expect(users.find((u) => u.email === request.admin.email)!.disabled_by_suspension).toBe(true);

    // Idempotent: the suspension in force, not a new one.
    expect(await h.client.suspend(tenant.slug, 'another reason')).toEqual({ ...suspended, alreadySuspended: true });

    expect(await h.client.reactivate(tenant.slug)).toEqual({ tenantId: tenant.tenantId, slug: tenant.slug, usersReenabled: 1, alreadyActive: false });
    expect(await h.knex('tenants').where({ tenant: tenant.tenantId }).first('status', 'suspension_reason', 'suspended_at')).toEqual({ status: 'active', suspension_reason: null, suspended_at: null });
    const after = await usersOf(tenant.tenantId);
    expect(after.find((u) => u.email === request.admin.email)).toMatchObject({ disabled_at: null, disabled_by_suspension: false });
    expect(after.find((u) => u.email.startsWith('former-'))).toMatchObject({ disabled_at: disabledBefore, disabled_by_suspension: false });
    await rollbackTenantInDB(h.knex, tenant.tenantId, { force: true });
  });

  it('refuses to suspend a tenant still being provisioned or a missing one, typed and non-retryable', async () => {
    const input = tenantInput();
    const { tenantId, slug } = await createTenantInDB(h.knex, input);
    await expectProvisioningError(h.client.suspend(slug, 'unpaid'), 'TenantNotSuspendable', 'slug');
    expect((await h.knex('tenants').where({ tenant: tenantId }).first('status')).status).toBe('provisioning');
    await expectProvisioningError(h.client.suspend('no-such-tenant-here', 'unpaid'), 'TenantNotFound', 'slug');
    await expectProvisioningError(h.client.suspend(slug, '  '), 'InvalidInput', 'reason');
    await rollbackTenantInDB(h.knex, tenantId, { force: true });
  });

  it('never runs two lifecycle workflows of one tenant at once, and refuses input whose id is not derived from the slug', async () => {
    const tenant = await (await h.client.start(tenantRequest())).result();
    const workflowId = lifecycleWorkflowIdForSlug(tenant.slug);
    // A suspension started (as a bare client would) on a task queue no worker polls: it stays running.
    const stuck = await h.client.client.workflow.start(SUSPENSION_WORKFLOW_TYPE, { taskQueue: `${h.taskQueue}-idle`, workflowId, args: [{ slug: tenant.slug, reason: 'held' }] });
    await expect(h.client.suspend(tenant.slug, 'unpaid')).rejects.toThrow(LifecycleInProgressError);
    await expect(h.client.reactivate(tenant.slug)).rejects.toThrow(LifecycleInProgressError);
    await stuck.terminate('test');

    const wrongId = h.client.client.workflow.execute(SUSPENSION_WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId: `lifecycle-other-${tenant.slug}`, args: [{ slug: tenant.slug, reason: 'x' }] });
    await expect(wrongId).rejects.toMatchObject({ cause: { type: 'InvalidInput' } });
    expect((await h.knex('tenants').where({ tenant: tenant.tenantId }).first('status')).status).toBe('active');
    await rollbackTenantInDB(h.knex, tenant.tenantId, { force: true });
  });

  it('the CLI: suspend and reactivate with --json, exit 75 for a tenant still being provisioned', async () => {
    const env = { ...process.env, TEMPORAL_TASK_QUEUE: h.taskQueue };
    const tenant = await (await h.client.start(tenantRequest())).result();
    const suspended = await runCli(['suspend', tenant.slug, '--reason', 'unpaid', '--json'], env);
    expect(suspended.status).toBe(EXIT.OK);
    expect(JSON.parse(suspended.stdout)).toMatchObject({ tenantId: tenant.tenantId, reason: 'unpaid', usersDisabled: 1, alreadySuspended: false });
    const reactivated = await runCli(['reactivate', tenant.slug], env);
    expect({ status: reactivated.status, stdout: reactivated.stdout }).toEqual({ status: EXIT.OK, stdout: `tenant '${tenant.slug}' reactivated; 1 user(s) enabled again\n` });

    const { tenantId, slug } = await createTenantInDB(h.knex, tenantInput());
    const refused = await runCli(['suspend', slug, '--reason', 'unpaid', '--json'], env);
    expect(refused.status).toBe(EXIT.TEMP_FAILURE);
    expect(JSON.parse(refused.stdout)).toEqual({ error: { type: 'TenantNotSuspendable', message: expect.stringContaining('is provisioning'), field: 'slug' } });
    await rollbackTenantInDB(h.knex, tenantId, { force: true });
    await rollbackTenantInDB(h.knex, tenant.tenantId, { force: true });
  }, 60_000);
});
