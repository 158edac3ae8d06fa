import { parseArgs } from 'node:util';
import { connectProvisioningClient } from '../client';
import { getConfig } from '../config';
import { temporalUiLink } from './follow';

export const STATUS_USAGE = `Usage: tenant-workflows status <slug | workflow id> [--json]

Shows a provisioning's Temporal status and its own state (step, progress, tenant and admin ids, last error).
Exits 1 when no provisioning exists for it.`;

export async function statusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) {
    console.error(`expected exactly one slug or workflow id\n\n${STATUS_USAGE}`);
    return 64;
  }
  const config = getConfig();
  const { client, close } = await connectProvisioningClient(config);
  try {
    const status = await client.status(positionals[0]!);
    if (!status) {
      if (values.json) console.log(JSON.stringify({ found: false, query: positionals[0] }));
      else console.error(`no provisioning found for '${positionals[0]}'`);
      return 1;
    }
    const ui = temporalUiLink(config, client.client.options.namespace, status.workflowId);
    if (values.json) {
      console.log(JSON.stringify({ found: true, ...status, ui }));
      return 0;
    }
    const { state } = status;
    console.log(`${status.workflowId} (run ${status.runId}): ${status.temporalStatus}`);
    if (state) {
      console.log(`  status:   ${state.status}, step ${state.step}, ${state.progress}% (${state.completedSteps.join(', ') || 'no step completed'})`);
      if (state.tenantId) console.log(`  tenant:   ${state.tenantId}`);
      if (state.adminUserId) console.log(`  admin:    ${state.adminUserId}`);
      if (state.lastError) console.log(`  error:    ${state.lastError.type ?? 'Error'}: ${state.lastError.message}`);
    }
    if (ui) console.log(`  ${ui}`);
    return 0;
  } finally {
    await close();
  }
}
