import type { Knex } from 'knex';
import type { ProvisioningStep } from '../../src/contracts/tenant-creation';
import { activateTenantInDB, createTenantInDB, setupTenantDataInDB, type CreateTenantInput } from '../../src/db/tenant-operations';
import { createAdminUserInDB, type CreateAdminUserInput } from '../../src/db/user-operations';

export interface DirectProvisioning {
  tenant: CreateTenantInput;
  admin: Omit<CreateAdminUserInput, 'tenantId'>;
  /** Stop before activateTenant, leaving the tenant in provisioning. */
  skipActivation?: boolean;
  /** Called as soon as the tenant exists (a cleanup tracks it), before the next step. */
  onTenant?: (tenantId: string) => void;
}

/** Runs one step; a meter wraps it to measure it. */
export type StepWrapper = <T>(step: ProvisioningStep, run: () => Promise<T>) => Promise<T>;

/**
 * Provisions one tenant by calling the forward operations directly, in the workflow's order and without
 * Temporal: what the workflow's activities do, minus Temporal and the run records. Shared by the test
 * fixtures and the benchmark's direct phase.
 */
export async function provisionDirectly(
  knex: Knex,
  { tenant, admin, skipActivation = false, onTenant }: DirectProvisioning,
  bcryptCost: number,
  step: StepWrapper = (_step, run) => run(),
): Promise<{ tenantId: string; slug: string; userId: string; email: string }> {
  const created = await step('createTenant', () => createTenantInDB(knex, tenant));
  onTenant?.(created.tenantId);
  await step('setupTenantData', () => setupTenantDataInDB(knex, created.tenantId));
  const user = await step('createAdminUser', () => createAdminUserInDB(knex, { tenantId: created.tenantId, ...admin }, bcryptCost));
  if (!skipActivation) await step('activateTenant', () => activateTenantInDB(knex, created.tenantId));
  return { tenantId: created.tenantId, slug: created.slug, userId: user.userId, email: user.email };
}
