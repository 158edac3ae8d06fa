import { createTenantInDB, rollbackTenantInDB, setupTenantDataInDB } from '../../src/db/tenant-operations';
import { rollbackUserInDB } from '../../src/db/user-operations';
import { expectProvisioningError } from '../support/provisioning-error';
import { provisionTenant, tenantInput, useAdminConnection } from '../support/tenant-fixtures';
import { countTenantRows, FULL_TENANT_ROWS, NO_ROWS, type RowCounts } from '../harness/tenant-rows';

const { knex, cleanup } = useAdminConnection();

const total = (counts: RowCounts) => Object.values(counts).reduce((sum, n) => sum + n, 0);
const USER_ROWS = FULL_TENANT_ROWS.users + FULL_TENANT_ROWS.user_roles;

describe('rollbackUserInDB then rollbackTenantInDB', () => {
  it('remove every row of the tenant, in all seven tables, and leave a second tenant intact', async () => {
    const doomed = await provisionTenant(knex, cleanup, { activate: false });
    const bystander = await provisionTenant(knex, cleanup);
    expect(await countTenantRows(knex, doomed.tenantId)).toEqual(FULL_TENANT_ROWS);

    expect(await rollbackUserInDB(knex, doomed.tenantId)).toBe(USER_ROWS);
    expect(await countTenantRows(knex, doomed.tenantId)).toEqual({ ...FULL_TENANT_ROWS, users: 0, user_roles: 0 });
    expect(await rollbackTenantInDB(knex, doomed.tenantId)).toBe(total(FULL_TENANT_ROWS) - USER_ROWS);

    expect(await countTenantRows(knex, doomed.tenantId)).toEqual(NO_ROWS);
    expect(await countTenantRows(knex, bystander.tenantId)).toEqual(FULL_TENANT_ROWS);
    expect(await knex('users').where({ user_id: bystander.userId }).pluck('email')).toEqual([bystander.email]);
  });

  it('a second call of each is a no-op returning 0', async () => {
    const { tenantId } = await provisionTenant(knex, cleanup, { activate: false });
    await rollbackUserInDB(knex, tenantId);
    expect(await rollbackUserInDB(knex, tenantId)).toBe(0);
    await rollbackTenantInDB(knex, tenantId);
    expect(await rollbackTenantInDB(knex, tenantId)).toBe(0);
    expect(await rollbackUserInDB(knex, tenantId)).toBe(0);
    expect(await countTenantRows(knex, tenantId)).toEqual(NO_ROWS);
  });

  it('rollbackTenantInDB alone removes a tenant whose later steps never ran', async () => {
    const { tenantId } = await createTenantInDB(knex, tenantInput());
    cleanup.track(tenantId);
    await setupTenantDataInDB(knex, tenantId);
    expect(await rollbackTenantInDB(knex, tenantId)).toBe(total(FULL_TENANT_ROWS) - USER_ROWS);
    expect(await countTenantRows(knex, tenantId)).toEqual(NO_ROWS);
  });

  it('are no-ops for a tenant that does not exist', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000aa';
    expect(await rollbackUserInDB(knex, unknown)).toBe(0);
    expect(await rollbackTenantInDB(knex, unknown, { force: true })).toBe(0);
  });
});

describe('an active tenant', () => {
  it('is refused with TenantAlreadyActive and left whole', async () => {
    const { tenantId } = await provisionTenant(knex, cleanup);
    await expectProvisioningError(rollbackUserInDB(knex, tenantId), 'TenantAlreadyActive');
    await expectProvisioningError(rollbackTenantInDB(knex, tenantId), 'TenantAlreadyActive');
    expect(await countTenantRows(knex, tenantId)).toEqual(FULL_TENANT_ROWS);
  });

  it('is rolled back with { force: true }, and only that tenant', async () => {
    const forced = await provisionTenant(knex, cleanup);
    const bystander = await provisionTenant(knex, cleanup);
    expect(await rollbackUserInDB(knex, forced.tenantId, { force: true })).toBe(USER_ROWS);
    expect(await rollbackTenantInDB(knex, forced.tenantId, { force: true })).toBe(total(FULL_TENANT_ROWS) - USER_ROWS);
    expect(await countTenantRows(knex, forced.tenantId)).toEqual(NO_ROWS);
    expect(await countTenantRows(knex, bystander.tenantId)).toEqual(FULL_TENANT_ROWS);
  });
});
