import { parseArgs } from 'node:util';
import { connectProvisioningClient } from '../client';
import { getConfig } from '../config';
import { withApp } from '../app';
import { findTenantBySlug, rollbackTenantInDB } from '../db/tenant-operations';
import { normalizeSlug } from '../contracts/validation';
import { EXIT } from '../exit-codes';
import { CommandFailure, usageFailure } from './command-failure';
import { workflowIdForSlug } from '../contracts/tenant-creation';
import { describeStuckTenants, isProvisioningRunning, stuckTenants } from './stuck-tenants';

export const CLEANUP_USAGE = `Usage: tenant-workflows cleanup --list [--json]
       tenant-workflows cleanup <slug> [--yes] [--json]

Finds and removes half-made tenants: tenants still 'provisioning' whose workflow (tenant-<slug>) is not
running in Temporal, left by a run an operator terminated or whose compensation failed.
  --list   list them (exit 0; none found is not an error)
  <slug>   show what would be removed; with --yes remove every row of that tenant and mark its unfinished
           run records abandoned. Refused while its workflow runs or once the tenant is active.`;


export async function cleanupCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { list: { type: 'boolean' }, yes: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (Boolean(values.list) === (positionals.length === 1) || positionals.length > 1) {
    throw usageFailure('give either --list or one slug', CLEANUP_USAGE);
  }
  const config = getConfig();
  return withApp(config, async (app) => {
    const knex = app.database.admin;
    const { client, close } = await connectProvisioningClient(config);
    const print = (json: object, text: string) => console.log(values.json ? JSON.stringify(json) : text);
    try {
      if (values.list) {
        const stuck = await stuckTenants(knex, client);
        print({ stuck }, describeStuckTenants(stuck));
        return 0;
      }
      let slug: string;
      try {
        slug = normalizeSlug(positionals[0]);
      } catch (error) {
        throw usageFailure((error as Error).message, CLEANUP_USAGE, 'slug');
      }
      const tenant = await findTenantBySlug(knex, slug);
      if (!tenant) {
        throw new CommandFailure('TenantNotFound', `no tenant with slug '${slug}'`, EXIT.FAILURE);
      }
      if (tenant.status !== 'provisioning') {
        throw new CommandFailure('TenantNotHalfMade', `tenant '${slug}' is ${tenant.status}; cleanup only removes tenants left half-made in provisioning`, EXIT.FAILURE);
      }
      const checkedAt = new Date();
      if (await isProvisioningRunning(client, slug)) {
        throw new CommandFailure('ProvisioningInProgress', `the provisioning of '${slug}' (workflow ${workflowIdForSlug(slug)}) is running; wait for it to end, or terminate it first`, EXIT.TEMP_FAILURE);
      }
      if (!values.yes) {
        print({ slug, tenantId: tenant.tenantId, removed: false }, `would remove the half-made tenant '${slug}' (${tenant.tenantId}) and every row of it; run again with --yes`);
        return 0;
      }
      const rows = await rollbackTenantInDB(knex, tenant.tenantId);
      const runs = app.runs;
      // Only runs that started before the check found none running: a run started since is left alone.
      const abandoned = await runs.abandonRuns(runs.knex, workflowIdForSlug(slug), { startedBefore: checkedAt });
      print({ slug, tenantId: tenant.tenantId, removed: true, rows, abandonedRuns: abandoned }, `removed the half-made tenant '${slug}' (${tenant.tenantId}): ${rows} rows; ${abandoned} run record(s) marked abandoned`);
      return 0;
    } finally {
      await close();
    }
  });
}
