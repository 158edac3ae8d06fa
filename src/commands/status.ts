import { parseArgs } from 'node:util';
import { connectProvisioningClient } from '../client';
import { getConfig, type Config } from '../config';
import { destroyAdminConnection, getAdminConnection } from '../db/admin';
import { safeErrorMessage } from '../db/driver-errors';
import { runRecords, type ProvisioningRun } from '../db/run-records';
import { temporalUiLink } from './follow';

export const STATUS_USAGE = `Usage: tenant-workflows status <slug | workflow id> [--json]

Shows a provisioning from Temporal (its status and the workflow's own state: step, progress, tenant and
admin ids, last error) and from the provisioning run records in PostgreSQL (every run of that workflow
id, with per-step attempts, durations and errors; these outlive Temporal's history retention).
Exits 1 when neither knows of it.`;

/** The run records of a workflow id, or why they could not be read (the database is optional for this command). */
async function readRunRecords(config: Config, workflowId: string): Promise<{ runs: ProvisioningRun[] } | { error: string }> {
  try {
    return { runs: await runRecords(config, getAdminConnection(config)).runsOf(workflowId) };
  } catch (error) {
    return { error: safeErrorMessage(error) };
  } finally {
    await destroyAdminConnection();
  }
}

function printRun(run: ProvisioningRun): void {
  console.log(`  run ${run.runId}: ${run.status}, started ${run.startedAt.toISOString()}${run.completedAt ? `, ended ${run.completedAt.toISOString()}` : ''}`);
  for (const [step, record] of Object.entries(run.details.steps)) {
    const outcome = record.error ? `failed: ${record.error.type ?? 'Error'}: ${record.error.message}` : 'ok';
    console.log(`    ${step.padEnd(16)} attempt ${record.attempt}, ${record.durationMs} ms, ${outcome}`);
  }
  if (run.details.failure) console.log(`    failed at ${run.details.failure.step}: ${run.details.failure.message}`);
}

export async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) {
    console.error(`expected exactly one slug or workflow id\n\n${STATUS_USAGE}`);
    return 64;
  }
  const config = getConfig();
  const { client, close } = await connectProvisioningClient(config);
  try {
    const workflowId = client.handle(positionals[0]!).workflowId;
    const [temporal, records] = await Promise.all([client.status(workflowId), readRunRecords(config, workflowId)]);
    const runs = 'runs' in records ? records.runs : [];
    const ui = temporalUiLink(config, client.client.options.namespace, workflowId);
    const found = temporal !== undefined || runs.length > 0;
    if (values.json) {
      console.log(JSON.stringify({ found, workflowId, temporal, runs, ...('error' in records ? { runRecordsError: records.error } : {}), ui }));
      return found ? 0 : 1;
    }
    if (!found) {
      console.error(`no provisioning found for '${positionals[0]}'`);
      return 1;
    }
    console.log(`${workflowId}: ${temporal ? `${temporal.temporalStatus} (run ${temporal.runId})` : 'not in Temporal (history expired or never started)'}`);
    const state = temporal?.state;
    if (state) {
      console.log(`  status:   ${state.status}, step ${state.step}, ${state.progress}% (${state.completedSteps.join(', ') || 'no step completed'})`);
      if (state.tenantId) console.log(`  tenant:   ${state.tenantId}`);
      if (state.adminUserId) console.log(`  admin:    ${state.adminUserId}`);
      if (state.lastError) console.log(`  error:    ${state.lastError.type ?? 'Error'}: ${state.lastError.message}`);
    }
    if ('error' in records) console.log(`  run records unavailable: ${records.error}`);
    else if (runs.length > 0) console.log('  run records:');
    for (const run of runs) printRun(run);
    if (ui) console.log(`  ${ui}`);
    return 0;
  } finally {
    await close();
  }
}
