import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisioningInProgressError, TenantAlreadyProvisionedError, toWorkflowInput } from '../../src/client';
import { closeTestDatabase } from '../support/test-database';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { WORKFLOW_TYPE, workflowIdForSlug } from '../../src/contracts/tenant-creation';
import { runCli } from '../support/run-cli';

let h: ProvisioningHarness;

// No worker until the test says so: a provisioning stays running while a second requester comes along.
beforeAll(async () => {
  h = await provisioningHarness();
});
afterAll(async () => {
  await h.close();
  await closeTestDatabase();
});

describe('a second requester for a slug being provisioned', () => {
  it('attaches only with the same request; a different one fails with ProvisioningInProgress and never sees the first result', async () => {
    const first = tenantRequest({ slug: undefined });
    delete first.admin.password; // the result will carry a generated temporary password
    const second = { ...first, admin: { ...first.admin, email: 'someone-else@other.test', password: 'another password 123' } };

    const handle = await h.client.start(first);
    await expect(h.client.start(second)).rejects.toBeInstanceOf(ProvisioningInProgressError);
    await expect(h.client.start({ ...first, admin: { ...first.admin, firstName: 'Grace' } })).rejects.toBeInstanceOf(ProvisioningInProgressError);
    const again = await h.client.start(first);
    expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);

    // The CLI's create-tenant --wait takes the same path.
    const passwordFile = join(tmpdir(), `pw-${process.pid}-${Date.now()}`);
    writeFileSync(passwordFile, second.admin.password, { mode: 0o600 });
    const cli = await runCli(
      ['create-tenant', '--name', second.tenantName, '--email', second.admin.email, '--first-name', 'Ada', '--last-name', 'Lovelace', '--password-file', passwordFile, '--wait', '--json'],
      { ...process.env, TEMPORAL_TASK_QUEUE: h.taskQueue },
    );
    expect(cli.status).toBe(75);
    // With --json the refusal is the one JSON object on stdout, and it carries nothing of the first request's result.
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toEqual({ error: { type: 'ProvisioningInProgress', message: expect.stringContaining('is being provisioned by a different request') } });

    await h.startWorker();
    const result = await again.result();
    expect(result.adminEmail).toBe(first.admin.email);
    expect(result.temporaryPassword).toBeDefined();
    await expect(h.client.start(second)).rejects.toBeInstanceOf(TenantAlreadyProvisionedError);
    await rollbackTenantInDB(h.knex, result.tenantId, { force: true });
  });

  it('a provisioning started from outside our client (no request digest) is never attached to', async () => {
    const request = tenantRequest();
    const input = toWorkflowInput(request);
    const workflowId = workflowIdForSlug(input.slug);
    // Same input, our codec, but no memo: as a Go service or `temporal workflow start` would start it.
    await h.client.client.workflow.start(WORKFLOW_TYPE, { taskQueue: `${h.taskQueue}-idle`, workflowId, args: [input] });
    await expect(h.client.start(request)).rejects.toBeInstanceOf(ProvisioningInProgressError);
    await h.client.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
