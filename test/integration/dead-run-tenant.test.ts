import { activateTenantInDB, createTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { createAdminUserInDB } from '../../src/db/user-operations';
import { requestIdempotencyKey } from '../../src/contracts/tenant-creation';
import { expectProvisioningError } from '../support/provisioning-error';
import { adminInput, tenantInput, TEST_BCRYPT_COST, uniqueSuffix, useAdminConnection } from '../support/tenant-fixtures';
import { countTenantRows, NO_ROWS } from '../harness/tenant-rows';

const { knex, cleanup } = useAdminConnection();

/** A tenant made by run `deadRun` of workflow `workflowId` up to its admin user, then left (the run was terminated). */
async function leftByDeadRun(workflowId: string, deadRun: string) {
  const input = tenantInput({ idempotencyKey: requestIdempotencyKey(workflowId, deadRun) });
  const { tenantId } = await createTenantInDB(knex, input);
  cleanup.track(tenantId);
  await setupTenantDataInDB(knex, tenantId);
  const admin = adminInput(tenantId);
  await createAdminUserInDB(knex, admin, TEST_BCRYPT_COST);
  return { input, tenantId, admin };
}

describe('a new run of a workflow id meeting the tenant a dead run of it left in provisioning', () => {
  it('replaces it, rows and all, when the new request began after it was made', async () => {
    const workflowId = `tenant-w-${uniqueSuffix()}`;
    const dead = await leftByDeadRun(workflowId, 'run-1');
    const next = await createTenantInDB(knex, { ...dead.input, idempotencyKey: requestIdempotencyKey(workflowId, 'run-2'), requestedAt: new Date() });
    cleanup.track(next.tenantId);
    expect(next).toMatchObject({ created: true, supersededTenantId: dead.tenantId });
    expect(await countTenantRows(knex, dead.tenantId)).toEqual(NO_ROWS);
    // The dead run's admin email is free for the new run's admin.
    await setupTenantDataInDB(knex, next.tenantId);
    await expect(createAdminUserInDB(knex, { ...dead.admin, tenantId: next.tenantId }, TEST_BCRYPT_COST)).resolves.toMatchObject({ created: true });
  });

  it('refuses when the request began before it was made: an attempt of the dead run still in flight never replaces the new run', async () => {
    const workflowId = `tenant-w-${uniqueSuffix()}`;
    const requestedAt = new Date(Date.now() - 60_000);
    const dead = await leftByDeadRun(workflowId, 'run-2');
    await expectProvisioningError(createTenantInDB(knex, { ...dead.input, idempotencyKey: requestIdempotencyKey(workflowId, 'run-1'), requestedAt }), 'TenantAlreadyExists');
    expect((await countTenantRows(knex, dead.tenantId)).users).toBe(1);
  });

  it('never replaces a tenant of another workflow id, or one that reached active', async () => {
    const dead = await leftByDeadRun(`tenant-w-${uniqueSuffix()}`, 'run-1');
    await expectProvisioningError(createTenantInDB(knex, { ...dead.input, idempotencyKey: requestIdempotencyKey(`tenant-w-${uniqueSuffix()}`, 'run-2') }), 'TenantAlreadyExists');
    const workflowId = `tenant-w-${uniqueSuffix()}`;
    const active = await leftByDeadRun(workflowId, 'run-1');
    await activateTenantInDB(knex, active.tenantId);
    await expectProvisioningError(createTenantInDB(knex, { ...active.input, idempotencyKey: requestIdempotencyKey(workflowId, 'run-2') }), 'TenantAlreadyExists');
  });
});
