import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { ProvisioningStep } from '../../src/contracts/tenant-creation';
import { provisionDirectly } from '../../test/harness/provision-directly';
import type { Measurement, QueryMeter } from './query-meter';

/** One provisioning's four forward operations, each measured on its own. */
export type MeasuredProvisioning = Record<ProvisioningStep, Measurement>;

/** Provisions one tenant by calling the forward operations directly (no Temporal), measuring each. */
export async function provisionMeasured(knex: Knex, meter: QueryMeter, bcryptCost: number): Promise<MeasuredProvisioning> {
  const suffix = randomBytes(6).toString('hex');
  const measured: Partial<MeasuredProvisioning> = {};
  await provisionDirectly(
    knex,
    {
      tenant: { name: `Bench ${suffix}`, contactEmail: `billing-${suffix}@bench.example`, idempotencyKey: `bench-${suffix}` },
      admin: { email: `admin-${suffix}@bench.example`, firstName: 'Bench', lastName: 'Admin' },
    },
    bcryptCost,
    async (step, run) => {
      const { result, measurement } = await meter.measure(run);
      measured[step] = measurement;
      return result;
    },
  );
  return measured as MeasuredProvisioning;
}
