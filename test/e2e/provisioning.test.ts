import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { TenantAlreadyProvisionedError } from '../../src/client';
import { ProvisioningError } from '../../src/contracts/errors';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { getStateQuery, PROVISIONING_STEPS } from '../../src/contracts/tenant-creation';
import { useProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { countTenantRows, FULL_TENANT_ROWS } from '../harness/tenant-rows';

const h = useProvisioningHarness();

describe('tenantCreationWorkflow on the real Temporal server', () => {
  it('provisions a tenant: every table, the result and getState', async () => {
    const request = tenantRequest({ tenantName: '  Globex  Corporation ' });
    const handle = await h.client.start(request);
    expect(handle.workflowId).toMatch(/^tenant-globex-corporation$/);
    const result = await handle.result();

    expect(result).toEqual({ tenantId: expect.any(String), slug: 'globex-corporation', adminUserId: expect.any(String), adminEmail: request.admin.email });
    expect(await countTenantRows(h.knex, result.tenantId)).toEqual(FULL_TENANT_ROWS);
    const tenant = await h.knex('tenants').where({ tenant: result.tenantId }).first();
    expect(tenant).toMatchObject({ slug: 'globex-corporation', name: 'Globex  Corporation', status: 'active', contact_email: request.admin.email });
    expect(tenant.activated_at).toBeInstanceOf(Date);
    const user = await h.knex('users').where({ tenant: result.tenantId }).first();
    expect(user).toMatchObject({ user_id: result.adminUserId, email: request.admin.email, must_change_password: false });
    expect(await bcrypt.compare(request.admin.password!, user.password_hash as string)).toBe(true);

    expect(await handle.query(getStateQuery)).toEqual({
      status: 'completed',
      step: 'done',
      completedSteps: [...PROVISIONING_STEPS],
      progress: 100,
      tenantId: result.tenantId,
      adminUserId: result.adminUserId,
    });
    await cleanUp(result.tenantId);
  });

  it('generates a temporary password when none is given and returns it once, in the result', async () => {
    const request = tenantRequest();
    delete request.admin.password;
    const result = await (await h.client.start(request)).result();
    expect(result.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const user = await h.knex('users').where({ tenant: result.tenantId }).first();
    expect(user.must_change_password).toBe(true);
    expect(await bcrypt.compare(result.temporaryPassword!, user.password_hash as string)).toBe(true);
    await cleanUp(result.tenantId);
  });

  it('refuses to provision a completed tenant again, with a clear error', async () => {
    const request = tenantRequest();
    const result = await (await h.client.start(request)).result();
    await expect(h.client.start(request)).rejects.toThrow(TenantAlreadyProvisionedError);
    await expect(h.client.start(request)).rejects.toThrow(`tenant '${result.slug}' was already provisioned`);
    await cleanUp(result.tenantId);
  });

  it('rejects bad input before anything starts', async () => {
    const request = tenantRequest({ slug: 'Bad Slug!' });
    await expect(h.client.start(request)).rejects.toMatchObject({ type: 'InvalidInput', field: 'slug' });
    await expect(h.client.start(tenantRequest({ admin: { email: 'nope', firstName: 'A', lastName: 'B' } }))).rejects.toBeInstanceOf(ProvisioningError);
    expect(() => h.client.handle('bad-slug!')).toThrow(ProvisioningError);
    await expect(h.client.status('bad-slug!')).rejects.toMatchObject({ type: 'InvalidInput', field: 'slug' });
  });

  it('reports status by slug and by workflow id', async () => {
    const request = tenantRequest();
    const handle = await h.client.start(request);
    const result = await handle.result();
    const bySlug = await h.client.status(result.slug);
    expect(bySlug).toMatchObject({ workflowId: handle.workflowId, temporalStatus: 'COMPLETED', state: { status: 'completed', progress: 100 } });
    expect(await h.client.statusByWorkflowId(handle.workflowId)).toEqual(bySlug);
    expect(await h.client.status('no-such-tenant-here')).toBeUndefined();
    await cleanUp(result.tenantId);
  });

  it("takes a slug that begins with 'tenant-' as a slug, and a workflow id only when asked to", async () => {
    const slug = `tenant-${randomBytes(4).toString('hex')}`;
    const handle = await h.client.start(tenantRequest({ slug }));
    expect(handle.workflowId).toBe(`tenant-${slug}`);
    const result = await handle.result();
    expect(await h.client.status(slug)).toMatchObject({ workflowId: `tenant-${slug}`, temporalStatus: 'COMPLETED' });
    expect(await h.client.statusByWorkflowId(`tenant-${slug}`)).toMatchObject({ workflowId: `tenant-${slug}`, temporalStatus: 'COMPLETED' });
    // As a workflow id, the slug names the provisioning of another slug, which does not exist.
    expect(await h.client.statusByWorkflowId(slug)).toBeUndefined();
    await expect(h.client.statusByWorkflowId('acme')).rejects.toMatchObject({ type: 'InvalidInput', field: 'workflowId' });
    await cleanUp(result.tenantId);
  });
});

async function cleanUp(tenantId: string): Promise<void> {
  await rollbackTenantInDB(h.knex, tenantId, { force: true });
}
