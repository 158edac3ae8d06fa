import { type ProvisioningRun } from '../../src/db/run-records';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { toWorkflowInput, type CreateTenantRequest } from '../../src/client';
import { PROVISIONING_STEPS, workflowIdForSlug } from '../../src/contracts/tenant-creation';
import { FaultPlan, type Fault } from '../support/fault-plan';
import { useProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';

const plan = new FaultPlan();
const h = useProvisioningHarness((real) => plan.wrap(real));

async function provision(fault?: Fault, request = tenantRequest()): Promise<{ run: ProvisioningRun; slug: string; request: CreateTenantRequest }> {
  const { slug } = toWorkflowInput(request);
  if (fault) plan.faults.set(workflowIdForSlug(slug), fault);
  const handle = await h.client.start(request);
  await handle.result().catch(() => undefined);
  const runs = await h.runs.runsOf(handle.workflowId);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, slug });
  return { run: runs[0]!, slug, request };
}

function expectStep(run: ProvisioningRun, step: string, error?: { type: string }) {
  const record = run.details.steps[step];
  expect(record).toMatchObject({ attempt: 1, startedAt: expect.any(String), completedAt: expect.any(String), durationMs: expect.any(Number) });
  expect(record!.durationMs).toBeGreaterThanOrEqual(0);
  if (error) expect(record!.error).toMatchObject(error);
  else expect(record!.error).toBeUndefined();
}

describe('provisioning run records', () => {
  it('record a successful run: every step, the tenant, status completed', async () => {
    const { run } = await provision();
    expect(run.status).toBe('completed');
    expect(run.tenant).toEqual(expect.any(String));
    expect(run.completedAt).toBeInstanceOf(Date);
    expect(Object.keys(run.details.steps).sort()).toEqual([...PROVISIONING_STEPS].sort());
    for (const step of PROVISIONING_STEPS) expectStep(run, step);
    expect(run.details.failure).toBeUndefined();
    await rollbackTenantInDB(h.knex, run.tenant!, { force: true });
  });

  it('record a compensated run: the failed step with its error, the compensations, the failure', async () => {
    const first = await provision();
    // The same admin email in a second tenant: createTenant refuses it up front, the saga compensates.
    const { run } = await provision(undefined, tenantRequest({ admin: first.request.admin }));
    expect(run.status).toBe('compensated');
    expect(run.completedAt).toBeInstanceOf(Date);
    expectStep(run, 'createTenant', { type: 'EmailAlreadyInUse' });
    expectStep(run, 'rollbackTenant');
    for (const later of ['setupTenantData', 'createAdminUser', 'rollbackUser', 'activateTenant']) expect(run.details.steps[later]).toBeUndefined();
    expect(run.details.failure).toEqual({ step: 'createTenant', type: 'EmailAlreadyInUse', message: 'the admin email is already used by a user of another tenant' });
    await rollbackTenantInDB(h.knex, first.run.tenant!, { force: true });
  });

  it('record a failed compensation: status compensation_failed, the refused compensation, the original failure', async () => {
    const { run } = await provision({ failAfter: 'activateTenant' });
    expect(run.status).toBe('compensation_failed');
    expectStep(run, 'rollbackUser', { type: 'TenantAlreadyActive' });
    expect(run.details.steps.rollbackTenant).toBeUndefined();
    expect(run.details.failure).toMatchObject({ step: 'activateTenant', type: 'InjectedFailure' });
    await rollbackTenantInDB(h.knex, run.tenant!, { force: true });
  });

  it('record each attempt of a retried compensation, the last one winning', async () => {
    const { run } = await provision({ failBefore: 'activateTenant', transientFailures: { activity: 'rollbackUser', times: 2 } });
    expect(run.status).toBe('compensated');
    expect(run.details.steps.rollbackUser).toMatchObject({ attempt: 3 });
    expect(run.details.steps.rollbackUser!.error).toBeUndefined();
  });
});
