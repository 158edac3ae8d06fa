import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { closeTestDatabase } from '../support/test-database';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';

let h: ProvisioningHarness;
let plainConnection: Connection;

beforeAll(async () => {
  h = await provisioningHarness();
  await h.startWorker();
  plainConnection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
});
afterAll(async () => {
  await plainConnection.close();
  await h.close();
  await closeTestDatabase();
});

/** The workflow's history as the Temporal server stores it, read by a client without our codec. */
async function storedHistory(workflowId: string): Promise<Buffer> {
  const plain = new Client({ connection: plainConnection });
  const history = await plain.workflow.getHandle(workflowId).fetchHistory();
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  expect(bytes.length).toBeGreaterThan(1000);
  return bytes;
}

describe('Temporal history', () => {
  it('holds neither the given password nor the admin email in plain text', async () => {
    const request = tenantRequest();
    const handle = await h.client.start(request);
    const result = await handle.result();
    const history = await storedHistory(handle.workflowId);
    for (const secret of [request.admin.password!, request.admin.email, request.tenantName]) {
      expect(history.includes(secret)).toBe(false);
      expect(history.includes(Buffer.from(secret).toString('base64'))).toBe(false);
    }
    expect(history.includes('binary/encrypted')).toBe(true);
    await rollbackTenantInDB(h.knex, result.tenantId, { force: true });
  });

  it('holds no generated temporary password in plain text', async () => {
    const request = tenantRequest();
    delete request.admin.password;
    const handle = await h.client.start(request);
    const result = await handle.result();
    expect(result.temporaryPassword).toBeDefined();
    const history = await storedHistory(handle.workflowId);
    expect(history.includes(result.temporaryPassword!)).toBe(false);
    expect(history.includes(request.admin.email)).toBe(false);
    await rollbackTenantInDB(h.knex, result.tenantId, { force: true });
  });
});
