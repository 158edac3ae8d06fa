import { parseArgs } from 'node:util';
import { connectProvisioningClient, provisioningWorkflowId, type DeletionState } from '../client';
import { getConfig, type Config } from '../config';
import { withApp } from '../app';
import { safeErrorMessage } from '../db/driver-errors';
import type { ProvisioningRun, StepRecord } from '../db/run-records';
import { EXIT } from '../exit-codes';
import { CommandFailure, usageFailure } from './command-failure';
import { temporalUiLink } from './follow';
import { describeStuckTenants, stuckTenants } from './stuck-tenants';

export const STATUS_USAGE = `Usage: tenant-workflows status <slug> [--json]
       tenant-workflows status --workflow-id <workflow id> [--json]
       tenant-workflows status --stuck [--json]

Shows a provisioning from Temporal (its status and the workflow's own state: step, progress, tenant and
admin ids, last error) and from the provisioning run records in PostgreSQL (every run of that workflow
id, with per-step attempts, durations and errors; these outlive Temporal's history retention).
The argument is always a slug: \`status tenant-one\` is the tenant whose slug is tenant-one (workflow
tenant-tenant-one). To look up a workflow id as such, give it with --workflow-id.
--stuck lists half-made tenants: still provisioning, with no workflow running to finish them.
Exits 1 when neither knows of it, ${EXIT.USAGE} on a usage error, ${EXIT.DATA_ERROR} when the slug or workflow id is malformed.`;

/** The run records of a workflow id, or why they could not be read (the database is optional for this command). */
async function readRunRecords(config: Config, workflowId: string): Promise<{ runs: ProvisioningRun[] } | { error: string }> {
  try {
    return { runs: await withApp(config, (app) => app.runs.runsOf(workflowId)) };
  } catch (error) {
    return { error: safeErrorMessage(error) };
  }
}

/** A run's steps in the order they ran (the JSONB object keeps no order): forward steps, then compensations. */
export function stepsInOrder(run: ProvisioningRun): Array<[string, StepRecord]> {
  return Object.entries(run.details.steps).sort(([, a], [, b]) => a.startedAt.localeCompare(b.startedAt) || a.completedAt.localeCompare(b.completedAt));
}

function printRun(run: ProvisioningRun): void {
  console.log(`  run ${run.runId}: ${run.status}, started ${run.startedAt.toISOString()}${run.completedAt ? `, ended ${run.completedAt.toISOString()}` : ''}`);
  for (const [step, record] of stepsInOrder(run)) {
    const failed = record.error !== undefined || run.details.failure?.step === step;
    const outcome = record.error ? `FAILED: ${record.error.type ?? 'Error'}: ${record.error.message}` : failed ? 'FAILED' : 'ok';
    console.log(`  ${failed ? '✗' : '✓'} ${step.padEnd(16)} attempt ${record.attempt}, ${record.durationMs} ms, ${outcome}`);
  }
  if (run.details.failure) console.log(`    failed at ${run.details.failure.step}: ${run.details.failure.message}`);
}

function usageError(message: string): never {
  throw usageFailure(message, STATUS_USAGE);
}

async function listStuckTenants(json: boolean): Promise<number> {
  const config = getConfig();
  const { client, close } = await connectProvisioningClient(config);
  try {
    const stuck = await withApp(config, (app) => stuckTenants(app.database.admin, client));
    console.log(json ? JSON.stringify({ stuck }) : describeStuckTenants(stuck));
    return EXIT.OK;
  } finally {
    await close();
  }
}

export async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, 'workflow-id': { type: 'string' }, stuck: { type: 'boolean' } },
  });
  if (values.stuck) return positionals.length === 0 && values['workflow-id'] === undefined ? listStuckTenants(Boolean(values.json)) : usageError('--stuck takes no slug or workflow id');
  const givenWorkflowId = values['workflow-id'];
  if (positionals.length !== (givenWorkflowId === undefined ? 1 : 0)) {
    return usageError('expected either one slug or --workflow-id');
  }
  const workflowId = provisioningWorkflowId(givenWorkflowId === undefined ? { slug: positionals[0]! } : { workflowId: givenWorkflowId });
  const config = getConfig();
  const { client, close } = await connectProvisioningClient(config);
  try {
    const [temporal, records, deletion] = await Promise.all([
      client.statusByWorkflowId(workflowId),
      readRunRecords(config, workflowId),
      // Offboarding, when the tenant has a deletion (running or ended): its phase and when it deletes.
      givenWorkflowId === undefined ? client.deletionState(positionals[0]!).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const runs = 'runs' in records ? records.runs : [];
    const ui = temporalUiLink(config, client.client.options.namespace, workflowId);
    const found = temporal !== undefined || runs.length > 0;
    if (!found) {
      const what = givenWorkflowId === undefined ? `slug '${positionals[0]}' (workflow ${workflowId})` : `workflow '${workflowId}'`;
      throw new CommandFailure('NotFound', `no provisioning found for ${what}`, EXIT.FAILURE);
    }
    if (values.json) {
      console.log(JSON.stringify({ found, workflowId, temporal, runs, ...('error' in records ? { runRecordsError: records.error } : {}), ...(deletion ? { deletion } : {}), ui }));
      return EXIT.OK;
    }
    console.log(`${workflowId}: ${temporal ? `${temporal.temporalStatus} (run ${temporal.runId})` : 'not in Temporal (history expired or never started)'}`);
    const state = temporal?.state;
    if (state) {
      console.log(`  status:   ${state.status}, step ${state.step}, ${state.progress}% (${state.completedSteps.join(', ') || 'no step completed'})`);
      if (state.failedStep) console.log(`  failed:   ${state.failedStep}`);
      if (state.tenantId) console.log(`  tenant:   ${state.tenantId}`);
      if (state.adminUserId) console.log(`  admin:    ${state.adminUserId}`);
      if (state.lastError) console.log(`  error:    ${state.lastError.type ?? 'Error'}: ${state.lastError.message}`);
    }
    if (deletion) console.log(`  deletion: ${describeDeletion(deletion)}`);
    if ('error' in records) console.log(`  run records unavailable: ${records.error}`);
    else if (runs.length > 0) console.log('  run records:');
    for (const run of runs) printRun(run);
    if (ui) console.log(`  ${ui}`);
    return 0;
  } finally {
    await close();
  }
}

/** The offboarding line of `status`: the phase and, in the grace period, when the deletion happens and how long is left. */
export function describeDeletion(state: DeletionState, now = Date.now()): string {
  const parts = [`${state.phase}${state.decision ? ` (${state.decision})` : ''}`];
  if (state.phase === 'grace' && state.deleteAt) {
    const left = Math.max(0, new Date(state.deleteAt).getTime() - now);
    const days = Math.floor(left / 86_400_000);
    const hours = Math.floor((left % 86_400_000) / 3_600_000);
    const minutes = Math.ceil((left % 3_600_000) / 60_000);
    parts.push(`deletes at ${state.deleteAt} (in ${days > 0 ? `${days}d ` : ''}${hours}h ${minutes}m unless cancel-deletion)`);
  }
  if (state.archive) parts.push(`archive ${state.archive.directory}, ${state.archive.totalRows} row(s), manifest sha256 ${state.archive.manifestSha256}`);
  if (state.deletedRows !== undefined) parts.push(`${state.deletedRows} row(s) deleted`);
  return parts.join('; ');
}
