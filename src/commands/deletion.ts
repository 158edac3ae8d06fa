import { parseArgs } from 'node:util';
import { connectProvisioningClient, type DeletionState, type TenantDeletionResult } from '../client';
import { getConfig } from '../config';
import { DEFAULT_GRACE, parseGrace, toDeletionInput } from '../contracts/tenant-deletion';
import { normalizeSlug } from '../contracts/validation';
import { EXIT } from '../exit-codes';
import { usageFailure } from './command-failure';

export const DELETE_TENANT_USAGE = `Usage: tenant-workflows delete-tenant <slug> [--grace ${DEFAULT_GRACE}] [--wait] [--json]

Offboards a tenant as tenantDeletionWorkflow (workflow id lifecycle-<slug>): suspends it, exports every row
to EXPORT_DIR/<slug>-<tenantId>/ (gzip NDJSON per table and manifest.json with row counts and SHA-256) and
verifies the archive, then waits for confirm-deletion or the grace period (default ${DEFAULT_GRACE}; a whole
number and a unit: ms, s, m, h, d), whichever comes first, and deletes every row of the tenant in batches,
leaving a tombstone in deleted_tenants. cancel-deletion before then restores the tenant.
Exits ${EXIT.DATA_ERROR} on a malformed slug or grace; with --wait, 1 when no such tenant exists or the archive does
not verify; ${EXIT.TEMP_FAILURE} when the tenant is still being provisioned (TenantNotDeletable) or another lifecycle
workflow of it is running (LifecycleInProgress).
  --grace D  how long to wait for confirm-deletion before deleting anyway (default ${DEFAULT_GRACE})
  --wait     wait until the tenant is deleted (or the deletion cancelled) and show the result
  --json     machine-readable output, one JSON object on stdout (errors as {"error": {...}})`;

export const CONFIRM_DELETION_USAGE = `Usage: tenant-workflows confirm-deletion <slug> [--json]

Ends the grace period of the tenant's deletion now: the tenant is deleted right after its archive is verified.
Exits ${EXIT.DATA_ERROR} on a malformed slug, 1 when no deletion of the tenant waits (DeletionNotPending).
  --json   machine-readable output, one JSON object on stdout (errors as {"error": {...}})`;

export const CANCEL_DELETION_USAGE = `Usage: tenant-workflows cancel-deletion <slug> [--json]

Calls the tenant's deletion off before it begins deleting: the tenant is reactivated (left suspended if it was
suspended before the deletion) and the workflow ends; the archive stays in EXPORT_DIR.
Exits ${EXIT.DATA_ERROR} on a malformed slug, 1 when no deletion of the tenant waits (DeletionNotPending).
  --json   machine-readable output, one JSON object on stdout (errors as {"error": {...}})`;

function oneSlug(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw usageFailure(positionals.length === 0 ? 'missing <slug>' : `one slug only (got ${positionals.length})`, usage);
  return positionals[0]!;
}

function describeResult(result: TenantDeletionResult): string {
  if (result.outcome === 'cancelled') return `deletion of tenant '${result.slug}' cancelled; the tenant is restored`;
  return `tenant '${result.slug}' deleted at ${result.deletedAt}: ${result.deletedRows} row(s); archive ${result.archive?.directory} (manifest sha256 ${result.archive?.manifestSha256})`;
}

function describeState(state: DeletionState): string {
  const archive = state.archive ? `; archive ${state.archive.directory}, ${state.archive.totalRows} row(s)` : '';
  const when = state.phase === 'grace' && state.deleteAt ? `; deletes at ${state.deleteAt}` : '';
  return `deletion of tenant '${state.slug}': ${state.phase}${state.decision ? ` (${state.decision})` : ''}${archive}${when}`;
}

export async function deleteTenantCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { grace: { type: 'string' }, wait: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  // Malformed input is refused before any connection is made.
  const input = toDeletionInput({ slug: oneSlug(positionals, DELETE_TENANT_USAGE), graceMs: parseGrace(values.grace ?? DEFAULT_GRACE) });
  const { client, close } = await connectProvisioningClient(getConfig());
  try {
    const handle = await client.deleteTenant(input.slug, { graceMs: input.graceMs });
    if (!values.wait) {
      const started = { workflowId: handle.workflowId, runId: handle.runId, slug: input.slug, graceMs: input.graceMs };
      if (values.json) console.log(JSON.stringify(started));
      else console.log(`deletion of tenant '${input.slug}' started (workflow ${handle.workflowId}); it deletes ${values.grace ?? DEFAULT_GRACE} after the export unless cancel-deletion calls it off`);
      return EXIT.OK;
    }
    const result = await handle.result();
    console.log(values.json ? JSON.stringify(result) : describeResult(result));
    return EXIT.OK;
  } finally {
    await close();
  }
}

async function updateCommand(argv: string[], usage: string, update: 'confirmDeletion' | 'cancelDeletion'): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const slug = normalizeSlug(oneSlug(positionals, usage));
  const { client, close } = await connectProvisioningClient(getConfig());
  try {
    const state = await client[update](slug);
    console.log(values.json ? JSON.stringify(state) : describeState(state));
    return EXIT.OK;
  } finally {
    await close();
  }
}

export function confirmDeletionCommand(argv: string[]): Promise<number> {
  return updateCommand(argv, CONFIRM_DELETION_USAGE, 'confirmDeletion');
}

export function cancelDeletionCommand(argv: string[]): Promise<number> {
  return updateCommand(argv, CANCEL_DELETION_USAGE, 'cancelDeletion');
}
