import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config';
import { getStateQuery, type TenantCreationInput, type TenantCreationResult } from '../workflows/types';

const POLL_MS = 500;

/** The Temporal Web UI page of a workflow: TEMPORAL_UI_URL, or the local dev server's UI for a local address. */
export function temporalUiLink(config: Config, namespace: string, workflowId: string): string | undefined {
  const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
  const base = config.temporal.uiUrl ?? (/^(localhost|127\.0\.0\.1):7233$/.test(address) ? 'http://localhost:8233' : undefined);
  return base && `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function failureMessage(error: unknown): string {
  if (error instanceof WorkflowFailedError) return error.cause?.message ?? error.message;
  return (error as Error).message;
}

/**
 * Prints each step as it completes (polling the getState query) until the workflow ends; returns the
 * exit code: 0 provisioned, 1 failed or cancelled (with the failure's message).
 */
export async function followProvisioning(
  handle: WorkflowHandle<(input: TenantCreationInput) => Promise<TenantCreationResult>>,
  options: { json: boolean; ui: string | undefined },
): Promise<number> {
  const result = handle.result().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let printed = 0;
  let outcome: Awaited<typeof result> | undefined;
  while (!outcome) {
    outcome = await Promise.race([result, sleep(POLL_MS).then(() => undefined)]);
    const state = await handle.query(getStateQuery).catch(() => undefined);
    if (!options.json && state) {
      for (const step of state.completedSteps.slice(printed)) console.log(`  ✓ ${step}`);
      printed = state.completedSteps.length;
    }
  }
  if (outcome.ok) {
    if (options.json) console.log(JSON.stringify({ status: 'completed', workflowId: handle.workflowId, ui: options.ui, ...outcome.value }));
    else {
      const { tenantId, slug, adminUserId, adminEmail, temporaryPassword } = outcome.value;
      console.log(`tenant '${slug}' provisioned: tenant ${tenantId}, admin ${adminEmail} (${adminUserId})`);
      if (temporaryPassword) console.log(`temporary password (shown once; must be changed at first login): ${temporaryPassword}`);
    }
    return 0;
  }
  const message = failureMessage(outcome.error);
  if (options.json) console.log(JSON.stringify({ status: 'failed', workflowId: handle.workflowId, ui: options.ui, error: message }));
  else console.error(`provisioning failed: ${message}`);
  return 1;
}
