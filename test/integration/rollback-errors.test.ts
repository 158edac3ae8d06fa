import type { Knex } from 'knex';
import { destroyAdminConnection } from '../../src/db/admin';
import { ProvisioningError } from '../../src/db/errors';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { createMigratedScratchDatabase } from '../support/migrated-scratch-database';
import type { ScratchDatabase } from '../support/scratch-database';
import { provisionTenant, TenantCleanup } from '../support/tenant-fixtures';
import { countTenantRows, FULL_TENANT_ROWS, NO_ROWS } from '../support/tenant-rows';

/** Changes the schema, so it runs in a database of its own. */
let scratch: ScratchDatabase;
let knex: Knex;
const cleanup = new TenantCleanup();

beforeAll(async () => {
  ({ scratch, knex } = await createMigratedScratchDatabase('tw_rollback_errors'));
  // A table the rollback does not know about, holding a row that keeps the tenant from being deleted.
  await knex.schema.createTable('tenant_notes', (t) => {
    t.uuid('tenant').notNullable().references('tenant').inTable('tenants');
    t.text('note').notNullable();
  });
});
afterAll(async () => {
  await knex('tenant_notes').delete();
  await cleanup.removeAll(knex);
  await destroyAdminConnection();
  await scratch.drop();
});

describe('a rollback that fails part-way', () => {
  it('propagates the database error and undoes its own earlier deletes', async () => {
    const { tenantId } = await provisionTenant(knex, cleanup, { activate: false });
    await knex('tenant_notes').insert({ tenant: tenantId, note: 'keeps the tenant row referenced' });

    const failure = await rollbackTenantInDB(knex, tenantId).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).not.toBeInstanceOf(ProvisioningError);
    expect(failure).toMatchObject({ code: '23503', table: 'tenant_notes' });
    expect(await countTenantRows(knex, tenantId)).toEqual(FULL_TENANT_ROWS);

    await knex('tenant_notes').where({ tenant: tenantId }).delete();
    await rollbackTenantInDB(knex, tenantId);
    expect(await countTenantRows(knex, tenantId)).toEqual(NO_ROWS);
  });
});
