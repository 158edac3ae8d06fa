import { toWorkflowInput } from '../../src/client';
import { getStateQuery, workflowIdForSlug } from '../../src/contracts/tenant-creation';
import { FaultPlan } from '../support/fault-plan';
import { useProvisioningHarness } from '../support/provisioning-worker';
import { tenantRequest } from '../harness/tenant-requests';
import { runCli } from '../support/run-cli';
import { runTemporalCli } from '../support/temporal-cli';
import { waitFor } from '../harness/wait-for';

const plan = new FaultPlan();
const h = useProvisioningHarness((real) => plan.wrap(real));

/** Starts a provisioning held before activateTenant, and waits until the admin user exists. */
async function provisioningHeldBeforeActivation() {
  const request = tenantRequest();
  const workflowId = workflowIdForSlug(toWorkflowInput(request).slug);
  let release = () => undefined as void;
  plan.faults.set(workflowId, { hold: { activity: 'activateTenant', release: new Promise<void>((resolve) => (release = resolve)) } });
  const handle = await h.client.start(request);
  const state = await waitFor(async () => {
    const s = await handle.query(getStateQuery);
    return s.completedSteps.includes('createAdminUser') && s;
  }, 'the admin user');
  return { request, workflowId, handle, tenantId: state.tenantId!, release };
}

async function tenantsWithSlug(slug: string) {
  return h.knex('tenants').where({ slug }).select<Array<{ tenant: string; status: string }>>('tenant', 'status');
}

describe('operators acting on a provisioning from outside', () => {
  it('`temporal workflow reset`: the new run finds the tenant the old run made and completes it', async () => {
    const { request, workflowId, tenantId, release } = await provisioningHeldBeforeActivation();
    const reset = await runTemporalCli(['workflow', 'reset', '--workflow-id', workflowId, '--type', 'FirstWorkflowTask', '--reason', 'test: reset']);
    expect(reset.stderr).toBe('');
    plan.faults.delete(workflowId); // the new run is not held; the old run's attempt stays held until the end
    const result = await h.client.handle(toWorkflowInput(request).slug).result();
    expect(result.tenantId).toBe(tenantId);
    expect(await tenantsWithSlug(result.slug)).toEqual([{ tenant: tenantId, status: 'active' }]);
    const runs = await h.runs.runsOf(workflowId);
    expect(runs.map((r) => r.status).sort()).toEqual(['abandoned', 'completed']);
    release();
  });

  it('`temporal workflow terminate`, then a new start: the half-made tenant is replaced, its admin email is free again', async () => {
    const { request, workflowId, tenantId, release } = await provisioningHeldBeforeActivation();
    const terminated = await runTemporalCli(['workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'test: terminate']);
    expect(terminated.stderr).toBe('');
    plan.faults.delete(workflowId);
    const result = await (await h.client.start(request)).result();
    expect(result.tenantId).not.toBe(tenantId);
    expect(await tenantsWithSlug(result.slug)).toEqual([{ tenant: result.tenantId, status: 'active' }]);
    expect(await h.knex('users').where({ tenant: tenantId }).count<{ n: string }[]>({ n: '*' })).toEqual([{ n: '0' }]);
    expect(await h.knex('users').where({ email: request.admin.email }).pluck('tenant')).toEqual([result.tenantId]);
    const runs = await h.runs.runsOf(workflowId);
    expect(runs.map((r) => r.status).sort()).toEqual(['abandoned', 'completed']);
    release();
  });

  it('`cleanup`: lists a tenant a terminated run left half-made, refuses while a run is live, removes it with --yes', async () => {
    const { request, workflowId, tenantId, release } = await provisioningHeldBeforeActivation();
    const slug = toWorkflowInput(request).slug;
    const refused = await runCli(['cleanup', slug, '--yes'], process.env);
    expect(refused.status).toBe(75);
    expect(refused.stderr).toContain('is running');
    expect(await tenantsWithSlug(slug)).toEqual([{ tenant: tenantId, status: 'provisioning' }]);

    expect((await runTemporalCli(['workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'test: terminate'])).stderr).toBe('');
    const listed = await runCli(['cleanup', '--list', '--json'], process.env);
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as { stuck: Array<{ slug: string }> }).stuck.map((t) => t.slug)).toContain(slug);
    const dryRun = await runCli(['cleanup', slug], process.env);
    expect(dryRun.stdout).toContain('run again with --yes');
    expect(await tenantsWithSlug(slug)).toHaveLength(1);

    const removed = await runCli(['cleanup', slug, '--yes', '--json'], process.env);
    expect(removed.status).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ slug, tenantId, removed: true, abandonedRuns: 1 });
    expect(await tenantsWithSlug(slug)).toEqual([]);
    expect(await h.knex('users').where({ email: request.admin.email }).pluck('tenant')).toEqual([]);
    expect((await h.runs.runsOf(workflowId)).map((r) => r.status)).toEqual(['abandoned']);
    release();
  });
});
