import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import bcrypt from 'bcrypt';
import { ProvisioningClient, ProvisioningInProgressError, requestDigest, REQUEST_DIGEST_MEMO, TenantAlreadyProvisionedError, toWorkflowInput } from '../../src/client';
import { closeTestDatabase } from '../support/test-database';
import { getStateQuery, PROVISIONING_STEPS, type TenantCreationInput } from '../../src/contracts/tenant-creation';
import { buildGoClient, goClientSkipReason, runGoClient } from '../support/go-client';
import { expectProvisioningError } from '../support/provisioning-error';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { countTenantRows, FULL_TENANT_ROWS, NO_ROWS } from '../harness/tenant-rows';
import { waitFor } from '../harness/wait-for';

/** What test/interop/go-client prints: one JSON object. */
interface GoOutput {
  workflowId: string;
  runId?: string;
  requestDigest: string;
  result?: Record<string, unknown>;
  state?: Record<string, unknown>;
  error?: { type: string; message: string; nonRetryable: boolean; field?: string };
}

const skipReason = goClientSkipReason();
const describeWithGo = skipReason ? describe.skip : describe;
if (skipReason) process.stderr.write(`test/e2e/go-client.test.ts ${skipReason}\n`);

let h: ProvisioningHarness;
let binary: string;
let plainConnection: Connection;

describeWithGo(`a Go backend provisions a tenant through the documented encrypted contract${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    binary = await buildGoClient();
    h = await provisioningHarness();
    await h.startWorker();
    plainConnection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  }, 11 * 60_000);
  afterAll(async () => {
    await plainConnection?.close();
    await h?.close();
    await closeTestDatabase();
  });

  /** Runs the Go client for `input` against the test server; `taskQueue` defaults to the harness worker's. */
  async function provisionFromGo(input: TenantCreationInput, options: { plaintext?: boolean; taskQueue?: string } = {}): Promise<{ status: number | null; output: GoOutput }> {
    const args = ['--tenant-name', input.tenantName, '--slug', input.slug, '--email', input.admin.email, '--first-name', input.admin.firstName, '--last-name', input.admin.lastName];
    if (input.contactEmail !== undefined) args.push('--contact-email', input.contactEmail);
    if (options.plaintext) args.push('--plaintext');
    const env = {
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: options.taskQueue ?? h.taskQueue,
      PAYLOAD_ENCRYPTION_KEYS: h.config.temporal.payloadKeys.map((k) => `${k.id}:${k.key.reveal()}`).join(','),
      ADMIN_PASSWORD: input.admin.password ?? '',
    };
    const { status, stdout, stderr } = await runGoClient(binary, args, env);
    if (status !== 0 && status !== 1) throw new Error(`go-client exited ${status}: ${stderr}`);
    return { status, output: JSON.parse(stdout) as GoOutput };
  }

  /** The workflow's history as the Temporal server stores it, read by a client without our codec. */
  async function storedHistory(workflowId: string): Promise<Buffer> {
    const history = await new Client({ connection: plainConnection }).workflow.getHandle(workflowId).fetchHistory();
    return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  }

  /** The workflow failure our client reads for `workflowId`. */
  async function failureOf(workflowId: string): Promise<ApplicationFailure> {
    const error: unknown = await h.client.client.workflow.getHandle(workflowId).result().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    return (error as WorkflowFailedError).cause as ApplicationFailure;
  }

  async function rowsOfSlug(slug: string) {
    const tenant = await h.knex('tenants').where({ slug }).first();
    return tenant ? countTenantRows(h.knex, tenant.tenant as string) : NO_ROWS;
  }

  it('provisions the tenant whole; the Go program reads the result, state and digest our client reads; history holds only ciphertext', async () => {
    const request = tenantRequest();
    const input = toWorkflowInput(request);
    const { status, output } = await provisionFromGo(input);
    expect(output.error).toBeUndefined();
    expect(status).toBe(0);

    const ours = h.client.handle(input.slug);
    expect(output.workflowId).toBe(ours.workflowId);
    expect(output.result).toEqual(await ours.result());
    expect(output.state).toEqual(await ours.query(getStateQuery));
    expect(output.state).toMatchObject({ status: 'completed', completedSteps: [...PROVISIONING_STEPS], progress: 100 });
    // The memo the Go program wrote is the digest our client computes for the same request.
    expect(output.requestDigest).toBe(requestDigest(toWorkflowInput(request)));
    expect((await ours.describe()).memo?.[REQUEST_DIGEST_MEMO]).toBe(output.requestDigest);

    const tenantId = output.result!.tenantId as string;
    expect(await countTenantRows(h.knex, tenantId)).toEqual(FULL_TENANT_ROWS);
    expect(await h.knex('tenants').where({ tenant: tenantId }).first()).toMatchObject({ slug: input.slug, status: 'active', contact_email: input.admin.email });
    const user = await h.knex('users').where({ tenant: tenantId }).first();
    expect(user).toMatchObject({ user_id: output.result!.adminUserId, email: input.admin.email });
    expect(await bcrypt.compare(input.admin.password!, user.password_hash as string)).toBe(true);

    const history = await storedHistory(output.workflowId);
    expect(history.includes('binary/encrypted')).toBe(true);
    for (const secret of [input.admin.password!, input.admin.email, input.tenantName, output.requestDigest]) {
      expect({ secret, plain: history.includes(secret), base64: history.includes(Buffer.from(secret).toString('base64')) }).toEqual({ secret, plain: false, base64: false });
    }
  });

  it('a duplicate gets the failure our client gets: a completed slug is refused, an admin email in use fails EmailAlreadyInUse', async () => {
    const first = tenantRequest();
    expect((await provisionFromGo(toWorkflowInput(first))).status).toBe(0);

    const again = await provisionFromGo(toWorkflowInput(first));
    expect(again.status).toBe(1);
    const ours = await h.client.start(first).then(() => undefined, (e: unknown) => e);
    expect(ours).toBeInstanceOf(TenantAlreadyProvisionedError);
    expect(again.output.error).toMatchObject({ type: (ours as Error).name.replace(/Error$/, ''), nonRetryable: true });

    const sameEmail = () => tenantRequest({ admin: first.admin });
    const fromGo = await provisionFromGo(toWorkflowInput(sameEmail()));
    const fromUs = await h.client.start(sameEmail());
    const ourFailure = await failureOf(fromUs.workflowId);
    expect(ourFailure.type).toBe('EmailAlreadyInUse');
    expect(fromGo.status).toBe(1);
    expect(fromGo.output.error).toEqual({ type: ourFailure.type, message: ourFailure.message.replace(fromUs.workflowId.slice('tenant-'.length), fromGo.output.workflowId.slice('tenant-'.length)), nonRetryable: true });
    expect(fromGo.output.state).toMatchObject({ status: 'compensated', lastError: { type: 'EmailAlreadyInUse' } });
    expect(await rowsOfSlug(fromGo.output.workflowId.slice('tenant-'.length))).toEqual(NO_ROWS);
  });

  it('an invalid email gets InvalidInput naming the field, as our client reports it; nothing is left behind', async () => {
    const request = tenantRequest();
    const input = { ...toWorkflowInput(request), admin: { ...toWorkflowInput(request).admin, email: 'not-an-email' } };
    const { status, output } = await provisionFromGo(input);
    const ours = await expectProvisioningError(Promise.resolve().then(() => h.client.start({ ...request, contactEmail: input.contactEmail, admin: input.admin })), 'InvalidInput', 'email');
    expect(status).toBe(1);
    expect(output.error).toEqual({ type: ours.type, field: ours.field, message: expect.stringContaining(ours.message), nonRetryable: true });
    expect(await rowsOfSlug(input.slug)).toEqual(NO_ROWS);
  });

  it('a plaintext start from Go (no codec) is refused with UnencryptedPayload before any step; the type is readable without the key', async () => {
    const input = toWorkflowInput(tenantRequest());
    const { status, output } = await provisionFromGo(input, { plaintext: true });
    expect(status).toBe(1);
    expect(output.error).toMatchObject({ type: 'UnencryptedPayload', nonRetryable: true });
    expect((await failureOf(output.workflowId)).type).toBe('UnencryptedPayload');
    expect(await h.client.handle(input.slug).query(getStateQuery)).toMatchObject({ status: 'rejected', completedSteps: [] });
    expect(await rowsOfSlug(input.slug)).toEqual(NO_ROWS);
  });

  it('attaching across languages goes by the request digest: same request attaches, a different one is ProvisioningInProgress', async () => {
    // A task queue no worker polls keeps the provisioning running while the clients meet on it.
    const idleQueue = `${h.taskQueue}-idle`;
    const request = tenantRequest();
    // Settled at once: it rejects when the workflow is terminated below.
    const goRun = provisionFromGo(toWorkflowInput(request), { taskQueue: idleQueue }).catch((error: unknown) => error);
    const ours = new ProvisioningClient(h.client.client, idleQueue);
    const workflowId = h.client.handle(toWorkflowInput(request).slug).workflowId;
    await waitFor(() => h.client.client.workflow.getHandle(workflowId).describe(), 'the Go client to start its workflow');

    expect((await ours.start(request)).workflowId).toBe(workflowId);
    await expect(ours.start({ ...request, admin: { ...request.admin, firstName: 'Grace' } })).rejects.toBeInstanceOf(ProvisioningInProgressError);

    const other = await provisionFromGo({ ...toWorkflowInput(request), admin: { ...toWorkflowInput(request).admin, password: 'another password 1' } }, { taskQueue: idleQueue });
    expect(other.status).toBe(1);
    expect(other.output.error).toMatchObject({ type: new ProvisioningInProgressError('', '').type, nonRetryable: true });

    await h.client.client.workflow.getHandle(workflowId).terminate('test over');
    expect(String(await goRun)).toMatch(/terminated/);
  });
});
