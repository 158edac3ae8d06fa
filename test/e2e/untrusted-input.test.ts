import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { toWorkflowInput } from '../../src/client';
import { closeTestDatabase } from '../support/test-database';
import { dataConverter } from '../../src/temporal/data-converter';
import { WORKFLOW_TYPE, workflowIdForSlug, type TenantCreationInput } from '../../src/contracts/tenant-creation';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { runTemporalCli } from '../support/temporal-cli';

const EventType = temporal.api.enums.v1.EventType;

let h: ProvisioningHarness;
let connection: Connection;
let plain: Client;
let encrypted: Client;

beforeAll(async () => {
  h = await provisioningHarness();
  await h.startWorker();
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  plain = new Client({ connection });
  encrypted = new Client({ connection, dataConverter: dataConverter(h.config.temporal.payloadKeys) });
});
afterAll(async () => {
  await connection.close();
  await h.close();
  await closeTestDatabase();
});

/** The workflow's failure, read through our codec (the failure's message is encrypted in history). */
async function failureOf(workflowId: string): Promise<ApplicationFailure> {
  const error = await encrypted.workflow.getHandle(workflowId).result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** The workflow ran no step and failed at its first workflow task, once. */
async function expectRejectedBeforeAnyStep(client: Client, workflowId: string): Promise<void> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const types = (events ?? []).map((e) => e.eventType);
  expect(types).not.toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  expect(types).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  expect(types).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
}

async function tenantsWithSlug(slug: string): Promise<number> {
  const [row] = await h.knex('tenants').where({ slug }).count<{ n: string }[]>({ n: '*' });
  return Number(row?.n);
}

describe('workflow input from a client without our codec', () => {
  it('a bare SDK client: the plaintext input (with a password) is refused, nothing is provisioned', async () => {
    const input = toWorkflowInput(tenantRequest());
    const workflowId = workflowIdForSlug(input.slug);
    await plain.workflow.start(WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
    const failure = await failureOf(workflowId);
    expect(failure.type).toBe('UnencryptedPayload');
    expect(failure.nonRetryable).toBe(true);
    await expectRejectedBeforeAnyStep(plain, workflowId);
    expect(await tenantsWithSlug(input.slug)).toBe(0);
  });

  it('the temporal CLI: `temporal workflow start --input` is refused the same way', async () => {
    const input = toWorkflowInput(tenantRequest());
    const workflowId = workflowIdForSlug(input.slug);
    const started = await runTemporalCli(['workflow', 'start', '--type', WORKFLOW_TYPE, '--task-queue', h.taskQueue, '--workflow-id', workflowId, '--input', JSON.stringify(input)]);
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
    const failure = await failureOf(workflowId);
    expect(failure.type).toBe('UnencryptedPayload');
    expect(failure.message).toMatch(/unencrypted.*payload codec.*PAYLOAD_ENCRYPTION_KEYS/);
    await expectRejectedBeforeAnyStep(plain, workflowId);
    expect(await tenantsWithSlug(input.slug)).toBe(0);
  });
});

describe('malformed workflow input, encrypted', () => {
  const slug = () => toWorkflowInput(tenantRequest()).slug;

  it.each<[string, string, (s: string) => unknown[]]>([
    ['no arguments at all', 'input', () => []],
    ['an empty object', 'tenantName', () => [{}]],
    ['a null argument', 'input', () => [null]],
    ['an admin that is not an object', 'admin', (s) => [{ tenantName: 'Acme', slug: s, admin: 'ada' }]],
    ['an admin without email', 'admin.email', (s) => [{ tenantName: 'Acme', slug: s, admin: { firstName: 'Ada', lastName: 'L' } }]],
    ['a slug that is not normalized', 'slug', (s) => [{ ...toWorkflowInput(tenantRequest()), slug: ` ${s.toUpperCase()}` }]],
    ['reuseDeletedSlug that is not a boolean', 'reuseDeletedSlug', (s) => [{ ...toWorkflowInput(tenantRequest()), slug: s, reuseDeletedSlug: 'yes' }]],
  ])('%s fails once with a non-retryable InvalidInput naming %s', async (_, field, args) => {
    const s = slug();
    const workflowId = workflowIdForSlug(s);
    await encrypted.workflow.start(WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: args(s) });
    const failure = await failureOf(workflowId);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([{ field }]);
    await expectRejectedBeforeAnyStep(encrypted, workflowId);
  });

  it("a deleted tenant's slug (a tombstone) is refused to a bare client as to ours, unless reuseDeletedSlug: true", async () => {
    const input: TenantCreationInput = toWorkflowInput(tenantRequest());
    const deletedAt = new Date('2026-11-30T12:00:00.000Z');
    const tombstone = { tenant: randomUUID(), slug: input.slug, deleted_at: deletedAt, export_manifest_sha256: 'f'.repeat(64), row_counts: JSON.stringify({ tenants: 1 }) };
    await h.knex('deleted_tenants').insert(tombstone);
    try {
      const workflowId = workflowIdForSlug(input.slug);
      await encrypted.workflow.start(WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
      const failure = await failureOf(workflowId);
      expect(failure.type).toBe('SlugOfDeletedTenant');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`belonged to tenant ${tombstone.tenant}, deleted at ${deletedAt.toISOString()}`);
      expect(failure.message).toContain('reuseDeletedSlug: true');
      expect(await tenantsWithSlug(input.slug)).toBe(0);

      const reused = await encrypted.workflow.execute(WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [{ ...input, reuseDeletedSlug: true }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
      expect(reused).toMatchObject({ slug: input.slug });
      expect(await tenantsWithSlug(input.slug)).toBe(1);
    } finally {
      await h.knex('deleted_tenants').where({ tenant: tombstone.tenant }).delete();
    }
  });

  it('a workflow id not derived from the slug is refused: one tenant is never provisioned under two ids', async () => {
    const input: TenantCreationInput = toWorkflowInput(tenantRequest());
    const workflowId = `tenant-other-${input.slug}`;
    await encrypted.workflow.start(WORKFLOW_TYPE, { taskQueue: h.taskQueue, workflowId, args: [input] });
    const failure = await failureOf(workflowId);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain(`must be '${workflowIdForSlug(input.slug)}'`);
    await expectRejectedBeforeAnyStep(encrypted, workflowId);
    expect(await tenantsWithSlug(input.slug)).toBe(0);
  });
});
