import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { activateTenantInDB, createTenantInDB, setupTenantDataInDB } from '../src/db/tenant-operations';
import { createAdminUserInDB } from '../src/db/user-operations';
import type { ProvisioningStep } from '../src/contracts/tenant-creation';
import type { Measurement, QueryMeter } from './query-meter';

/** One provisioning's four forward operations, each measured on its own. */
export type MeasuredProvisioning = Record<ProvisioningStep, Measurement>;

/**
 * Provisions one tenant by calling the four forward operations directly, in the workflow's order and
 * without Temporal: what the workflow's activities do, minus Temporal and the run records.
 */
export async function provisionDirectly(knex: Knex, meter: QueryMeter, bcryptCost: number): Promise<MeasuredProvisioning> {
  const suffix = randomBytes(6).toString('hex');
  const tenant = await meter.measure(() =>
    createTenantInDB(knex, { name: `Bench ${suffix}`, contactEmail: `billing-${suffix}@bench.example`, idempotencyKey: `bench-${suffix}` }),
  );
  const { tenantId } = tenant.result;
  const setup = await meter.measure(() => setupTenantDataInDB(knex, tenantId));
  const admin = await meter.measure(() =>
    createAdminUserInDB(knex, { tenantId, email: `admin-${suffix}@bench.example`, firstName: 'Bench', lastName: 'Admin' }, bcryptCost),
  );
  const activate = await meter.measure(() => activateTenantInDB(knex, tenantId));
  return { createTenant: tenant.measurement, setupTenantData: setup.measurement, createAdminUser: admin.measurement, activateTenant: activate.measurement };
}
