import { parseArgs } from 'node:util';
import { connectProvisioningClient } from '../client';
import { getConfig } from '../config';
import { toReactivationInput, toSuspensionInput } from '../contracts/tenant-suspension';
import { EXIT } from '../exit-codes';
import { usageFailure } from './command-failure';

export const SUSPEND_USAGE = `Usage: tenant-workflows suspend <slug> --reason TEXT [--json]

Suspends a tenant and waits for it: status suspended with the reason (1-500 characters) and the time,
and every enabled user disabled (users.disabled_at, marked disabled_by_suspension) so the SaaS sign-in
refuses them. Idempotent: suspending a suspended tenant shows the suspension in force. Runs as
tenantSuspensionWorkflow, workflow id lifecycle-<slug>; one suspend or reactivate of a tenant at a time.
Exits ${EXIT.DATA_ERROR} on a malformed slug or reason, 1 when no such tenant exists,
${EXIT.TEMP_FAILURE} when the tenant is still being provisioned (TenantNotSuspendable) or another
suspend/reactivate of it is running (LifecycleInProgress).
  --json   machine-readable output, one JSON object on stdout (errors as {"error": {...}})`;

export const REACTIVATE_USAGE = `Usage: tenant-workflows reactivate <slug> [--json]

Reactivates a suspended tenant and waits for it: status active, the suspension cleared, and exactly the
users the suspension disabled enabled again (users an admin had disabled stay disabled). Idempotent: an
active tenant is left as it is. Runs as tenantReactivationWorkflow, workflow id lifecycle-<slug>.
Exits ${EXIT.DATA_ERROR} on a malformed slug, 1 when no such tenant exists, ${EXIT.TEMP_FAILURE} when the
tenant is still being provisioned (TenantNotSuspended) or another suspend/reactivate of it is running.
  --json   machine-readable output, one JSON object on stdout (errors as {"error": {...}})`;

function oneSlug(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw usageFailure(positionals.length === 0 ? 'missing <slug>' : `one slug only (got ${positionals.length})`, usage);
  return positionals[0]!;
}

export async function suspendCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { reason: { type: 'string' }, json: { type: 'boolean' } } });
  const slug = oneSlug(positionals, SUSPEND_USAGE);
  if (values.reason === undefined) throw usageFailure('missing --reason', SUSPEND_USAGE, 'reason');
  // Malformed input is refused before any connection is made.
  const input = toSuspensionInput({ slug, reason: values.reason });
  const { client, close } = await connectProvisioningClient(getConfig());
  try {
    const result = await client.suspend(input.slug, input.reason);
    if (values.json) console.log(JSON.stringify(result));
    else if (result.alreadySuspended) console.log(`tenant '${result.slug}' was already suspended since ${result.suspendedAt}: ${result.reason}`);
    else console.log(`tenant '${result.slug}' suspended at ${result.suspendedAt}; ${result.usersDisabled} user(s) disabled`);
    return EXIT.OK;
  } finally {
    await close();
  }
}

export async function reactivateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const input = toReactivationInput({ slug: oneSlug(positionals, REACTIVATE_USAGE) });
  const { client, close } = await connectProvisioningClient(getConfig());
  try {
    const result = await client.reactivate(input.slug);
    if (values.json) console.log(JSON.stringify(result));
    else if (result.alreadyActive) console.log(`tenant '${result.slug}' is active already`);
    else console.log(`tenant '${result.slug}' reactivated; ${result.usersReenabled} user(s) enabled again`);
    return EXIT.OK;
  } finally {
    await close();
  }
}
