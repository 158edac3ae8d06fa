import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { TenantDeletionResult } from '../../src/contracts/tenant-deletion';
import { provisionTenantOfSize } from '../../test/harness/bulk-tenant';
import { countRowsByTenant, countTenantRows } from '../../test/harness/tenant-rows';
import { checkWorkerExits } from './checks';
import type { SelfContainedScenario } from './failover';
import { checkOffboarded } from './offboarding-checks';
import { waitForPendingActivity } from './pending-activity';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import type { Random } from './random';
import type { ScenarioResult } from './scenario';
import { quantile, seconds } from '../lib/stats';
import type { WorkerSupervisor } from './worker-supervisor';

export interface OffboardingChaosOptions {
  /** Rows of the tenant deleted (about: the seed data and its admin, then client users with a role each). */
  rows: number;
  /** SIGKILLs, the first half (rounded up) while the export runs, the rest while the deletion runs. */
  kills: number;
  /** The worker's EXPORT_DIR. */
  exportDir: string;
}

/**
 * Keyset pages and deletion batches the chaos worker uses (EXPORT_PAGE_SIZE, DELETE_BATCH_SIZE): smaller than
 * the defaults, so each phase of a 100,000-row tenant lasts several seconds and takes more than one attempt.
 */
export const CHAOS_EXPORT_PAGE_SIZE = 1000;
export const CHAOS_DELETE_BATCH_SIZE = 500;

/** What the worker needs to serve this scenario: where archives go, and the small pages and batches. */
export function offboardingWorkerEnv(exportDir: string): NodeJS.ProcessEnv {
  return { EXPORT_DIR: exportDir, EXPORT_PAGE_SIZE: String(CHAOS_EXPORT_PAGE_SIZE), DELETE_BATCH_SIZE: String(CHAOS_DELETE_BATCH_SIZE) };
}

/** One SIGKILL: during which activity, and its attempt then. */
interface Kill {
  activity: string;
  attempt: number;
}

/**
 * SIGKILLs the worker running `activity`, `kills` times: each time once the current attempt has
 * heartbeated (made progress: a page exported, a batch deleted), after a random pause of up to 300 ms,
 * if the attempt is still running; then a worker started again (Temporal retries the activity after its
 * heartbeat timeout, from the last heartbeat's position). Returns the kills that landed mid-activity.
 */
async function killDuring(handle: WorkflowHandle, supervisor: WorkerSupervisor, activity: string, kills: number, random: Random, deadline: number, restartMs: number[]): Promise<Kill[]> {
  const landed: Kill[] = [];
  let attempt = 0;
  while (landed.length < kills) {
    const running = await waitForPendingActivity(handle, activity, (a) => a.attempt > attempt && a.heartbeated, deadline);
    if (!running) break;
    await sleep(random.between(0, 300));
    const still = await waitForPendingActivity(handle, activity, (a) => a.attempt === running.attempt && a.started, Date.now() + 1);
    // The worker running it: with several, killing another would interrupt nothing.
    if (!still || !(await supervisor.killProcess(still.workerPid))) continue;
    landed.push({ activity, attempt: running.attempt });
    attempt = running.attempt;
    restartMs.push(await supervisor.restart());
  }
  return landed;
}

/**
 * The offboarding scenario: a tenant of `rows` rows (provisioned, then bulk rows), its deletion started
 * with a grace of 0, the worker SIGKILLed mid-export and mid-delete and restarted each time; then the
 * checks of checkOffboarded and that every worker died only by our hand.
 */
export function offboardingScenario(stack: ProvisioningStack, supervisor: WorkerSupervisor, options: OffboardingChaosOptions): SelfContainedScenario {
  return {
    name: 'offboarding',
    run: async ({ timeoutMs, random }): Promise<ScenarioResult> => {
      const { knex } = stack.db;
      const exitsBefore = supervisor.exits.length;
      const seededAt = Date.now();
      await provisionTenantOfSize(knex, 2000, 'chaos-other', stack.config.bcryptCost);
      const tenant = await provisionTenantOfSize(knex, options.rows, 'chaos', stack.config.bcryptCost);
      const seeded = await countTenantRows(knex, tenant.tenantId);
      const othersBefore = await countRowsByTenant(knex);
      othersBefore.delete(tenant.tenantId);

      const startedAt = Date.now();
      const deadline = startedAt + timeoutMs;
      const deletion = await stack.client.deleteTenant(tenant.slug, { graceMs: 0 });
      const handle = stack.client.client.workflow.getHandle(deletion.workflowId);
      const restartMs: number[] = [];
      const exportKills = Math.ceil(options.kills / 2);
      const kills = [
        ...(await killDuring(handle, supervisor, 'exportTenantArchive', exportKills, random, deadline, restartMs)),
        ...(await killDuring(handle, supervisor, 'deleteTenantData', options.kills - exportKills, random, deadline, restartMs)),
      ];
      let result: TenantDeletionResult | undefined;
      let failure: string | undefined;
      try {
        result = await Promise.race([deletion.result(), sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false })]);
      } catch (error) {
        failure = (error as Error).message;
      }
      const elapsedMs = Date.now() - startedAt;

      const checks = await checkOffboarded(knex, { tenantId: tenant.tenantId, seeded, othersBefore, result, failure });
      const midExport = kills.filter((k) => k.activity === 'exportTenantArchive').length;
      checks['killed mid-export and mid-delete as asked'] = [
        ...(midExport < exportKills ? [`only ${midExport} of ${exportKills} kills landed while the export ran`] : []),
        ...(kills.length - midExport < options.kills - exportKills ? [`only ${kills.length - midExport} of ${options.kills - exportKills} kills landed while the deletion ran`] : []),
      ];
      checks['worker died only by our hand'] = checkWorkerExits(supervisor.exits.slice(exitsBefore));
      const failures = Object.fromEntries(Object.entries(checks).filter(([, problems]) => problems.length > 0));
      const passed = Object.keys(failures).length === 0;
      const total = Object.keys(checks).length;
      const verdict = passed ? `${total}/${total} checks passed` : `FAILED: ${Object.keys(failures).join('; ')}`;
      const line =
        `offboarding: ${passed ? 'PASS' : 'FAIL'}: ${tenant.total} rows (seeded in ${seconds(startedAt - seededAt)}) exported, verified and deleted in ${seconds(elapsedMs)} ` +
        `(pages of ${CHAOS_EXPORT_PAGE_SIZE}, batches of ${CHAOS_DELETE_BATCH_SIZE}); ${kills.length} SIGKILLs (${midExport} mid-export, ${kills.length - midExport} mid-delete), ` +
        `restart median ${seconds(quantile(restartMs, 0.5))}; deletedRows ${result?.deletedRows ?? 'none'}; ${verdict}`;
      return { name: 'offboarding', passed, line, failures };
    },
  };
}
