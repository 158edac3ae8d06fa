import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { getStateQuery, PROVISIONING_STEPS, workflowIdForSlug } from '../../src/contracts/tenant-creation';
import { toWorkflowInput } from '../../src/client';
import { FaultPlan, type Fault } from '../support/fault-plan';
import { useProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { countTenantRows, NO_ROWS } from '../harness/tenant-rows';
import { waitFor } from '../harness/wait-for';

const plan = new FaultPlan();
const h = useProvisioningHarness((real) => plan.wrap(real));

/** Starts a provisioning with `fault` injected; returns its handle, slug and workflow id. */
async function startWithFault(fault: Fault) {
  const request = tenantRequest();
  const { slug } = toWorkflowInput(request);
  plan.faults.set(workflowIdForSlug(slug), fault);
  const handle = await h.client.start(request);
  return { handle, slug, request };
}

async function failureOf(promise: Promise<unknown>): Promise<WorkflowFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return error as WorkflowFailedError;
}

async function rowsOfSlug(slug: string) {
  const tenant = await h.knex('tenants').where({ slug }).first<{ tenant: string } | undefined>('tenant');
  return tenant ? countTenantRows(h.knex, tenant.tenant) : NO_ROWS;
}

describe('the provisioning saga', () => {
  const failurePoints: Array<[string, Fault]> = [
    ...PROVISIONING_STEPS.filter((s) => s !== 'activateTenant').map((step): [string, Fault] => [`after ${step} committed`, { failAfter: step }]),
    ...PROVISIONING_STEPS.map((step): [string, Fault] => [`before ${step}`, { failBefore: step }]),
  ];

  it.each(failurePoints)('a failure %s is compensated and leaves zero rows behind', async (_, fault) => {
    const { handle, slug } = await startWithFault(fault);
    const failure = await failureOf(handle.result());
    const step = fault.failAfter ?? fault.failBefore;
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect(failure.cause?.message).toBe(`provisioning of '${slug}' failed at ${step}: injected failure ${fault.failAfter ? `after ${step} committed` : `before ${step}`}; compensated`);
    expect((failure.cause as ApplicationFailure).type).toBe('InjectedFailure');
    expect(await rowsOfSlug(slug)).toEqual(NO_ROWS);
    expect(await handle.query(getStateQuery)).toMatchObject({ status: 'compensated', lastError: { type: 'InjectedFailure' } });
  });

  it('retries a compensation that fails twice, then completes it', async () => {
    const { handle, slug } = await startWithFault({ failBefore: 'activateTenant', transientFailures: { activity: 'rollbackUser', times: 2 } });
    await failureOf(handle.result());
    expect(plan.attemptsOf(handle.workflowId, 'rollbackUser')).toBe(3);
    expect(plan.attemptsOf(handle.workflowId, 'rollbackTenant')).toBe(1);
    expect(await rowsOfSlug(slug)).toEqual(NO_ROWS);
    expect((await handle.query(getStateQuery)).status).toBe('compensated');
  });

  it('ends in compensation_failed, naming the compensation, when one finally fails', async () => {
    // After activateTenant commits the tenant is active, which rollbacks refuse without force.
    const { handle, slug } = await startWithFault({ failAfter: 'activateTenant' });
    const failure = await failureOf(handle.result());
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect((failure.cause as ApplicationFailure).type).toBe('CompensationFailed');
    expect(failure.cause?.message).toMatch(/^compensation rollbackUser failed: tenant .* is active; refusing to roll it back without force/);
    expect(await handle.query(getStateQuery)).toMatchObject({ status: 'compensation_failed', step: 'rollbackUser', lastError: { type: 'TenantAlreadyActive' } });
    const tenant = await h.knex('tenants').where({ slug }).first<{ tenant: string; status: string }>();
    expect(tenant.status).toBe('active');
    await rollbackTenantInDB(h.knex, tenant.tenant, { force: true });
  });

  it('compensates when cancelled mid-run, after the running step finishes', async () => {
    let release!: () => void;
    const { handle, slug } = await startWithFault({ hold: { activity: 'createAdminUser', release: new Promise<void>((r) => (release = r)) } });
    await waitFor(async () => (await handle.query(getStateQuery)).step === 'createAdminUser', 'createAdminUser to start');
    await handle.cancel();
    release();
    const failure = await failureOf(handle.result());
    expect(failure.cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await rowsOfSlug(slug)).toEqual(NO_ROWS);
    expect((await handle.query(getStateQuery)).status).toBe('compensated');
  });

  it('attaches a second start to the running provisioning instead of starting another', async () => {
    let release!: () => void;
    const { handle, request, slug } = await startWithFault({ hold: { activity: 'createTenant', release: new Promise<void>((r) => (release = r)) } });
    const second = await h.client.start(request);
    expect(second.workflowId).toBe(handle.workflowId);
    expect(second.firstExecutionRunId).toBe(handle.firstExecutionRunId);
    release();
    const result = await second.result();
    expect(plan.attemptsOf(handle.workflowId, 'createTenant')).toBe(1);
    expect(await h.knex('tenants').where({ slug }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '1' }]);
    await rollbackTenantInDB(h.knex, result.tenantId, { force: true });
  });
});
