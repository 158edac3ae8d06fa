import { WorkflowNotFoundError } from '@temporalio/client';
import type { ProvisioningClient } from '../client';
import type { Knex } from 'knex';
import { tenantsStillProvisioning, type HalfMadeTenant } from '../db/tenant-operations';

/**
 * True while a provisioning of the slug runs in Temporal (it may still finish or compensate its tenant).
 * Temporal's status alone: no query, which would wait on a worker these commands may not have.
 */
export async function isProvisioningRunning(client: ProvisioningClient, slug: string): Promise<boolean> {
  try {
    return (await client.handle(slug).describe()).status.name === 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Half-made tenants: still `provisioning` with no workflow running to finish them (a run an operator
 * terminated, a compensation that failed). `cleanup <slug> --yes` removes one.
 */
export async function stuckTenants(knex: Knex, client: ProvisioningClient): Promise<HalfMadeTenant[]> {
  const stuck: HalfMadeTenant[] = [];
  for (const tenant of await tenantsStillProvisioning(knex)) if (!(await isProvisioningRunning(client, tenant.slug))) stuck.push(tenant);
  return stuck;
}

export function describeStuckTenants(stuck: readonly HalfMadeTenant[]): string {
  if (stuck.length === 0) return 'no half-made tenants';
  const lines = stuck.map((t) => `  ${t.slug}  ${t.tenantId}  provisioning since ${t.createdAt.toISOString()}`);
  return `half-made tenants (no provisioning running; remove one with: tenant-workflows cleanup <slug> --yes):\n${lines.join('\n')}`;
}
