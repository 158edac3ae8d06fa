import { closeTestDatabase } from '../support/test-database';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { toWorkflowInput } from '../../src/client';
import { getStateQuery, workflowIdForSlug } from '../../src/contracts/tenant-creation';
import { FaultPlan } from '../support/fault-plan';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { countTenantRows, FULL_TENANT_ROWS } from '../harness/tenant-rows';
import { waitFor } from '../harness/wait-for';

let h: ProvisioningHarness;

beforeAll(async () => {
  process.env.SHUTDOWN_GRACE_MS = '200';
  h = await provisioningHarness();
});
afterAll(async () => {
  delete process.env.SHUTDOWN_GRACE_MS;
  await h.close();
  await closeTestDatabase();
});

describe('a worker stopped mid-workflow', () => {
  it('leaves the provisioning to a restarted worker, which finishes it without duplicates', async () => {
    const plan = new FaultPlan();
    const request = tenantRequest();
    const workflowId = workflowIdForSlug(toWorkflowInput(request).slug);
    // The first worker never lets createAdminUser finish: it is shut down while that step runs.
    plan.faults.set(workflowId, { hold: { activity: 'createAdminUser', release: new Promise<void>(() => undefined) } });
    const first = await h.startWorker((real) => plan.wrap(real));
    const handle = await h.client.start(request);
    await waitFor(() => Promise.resolve(plan.attemptsOf(workflowId, 'createAdminUser') === 1), 'createAdminUser to start on the first worker');

    first.worker.shutdown();
    await first.running;
    expect((await handle.describe()).status.name).toBe('RUNNING');

    plan.faults.delete(workflowId);
    await h.startWorker((real) => plan.wrap(real));
    const result = await handle.result();

    expect(plan.attemptsOf(workflowId, 'createAdminUser')).toBeGreaterThanOrEqual(2);
    expect(plan.attemptsOf(workflowId, 'createTenant')).toBe(1);
    expect(await countTenantRows(h.knex, result.tenantId)).toEqual(FULL_TENANT_ROWS);
    expect((await handle.query(getStateQuery)).status).toBe('completed');
    await rollbackTenantInDB(h.knex, result.tenantId, { force: true });
  });
});
