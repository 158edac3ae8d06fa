import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ProvisioningClient } from '../client';
import type { Config } from '../config';
import { EXIT, exitCodeForProvisioningFailure } from '../exit-codes';
import { getStateQuery, type ProvisioningState, type TenantCreationInput, type TenantCreationResult } from '../contracts/tenant-creation';
import { failureSummary, type FailureSummary } from '../contracts/failure-summary';
import { temporalConnectConfig } from '../temporal/connection-options';
import { CommandFailure } from './command-failure';

const POLL_MS = 500;
/** How long a query may take: with no worker polling, Temporal holds it until its own deadline. */
const QUERY_TIMEOUT_MS = 2000;
/** After this long with no step done, the task queue's pollers are checked (and a missing worker named). */
export const NO_PROGRESS_NOTICE_MS = 5000;

/** The Temporal Web UI page of a workflow: TEMPORAL_UI_URL, or the local dev server's UI for a local address. */
export function temporalUiLink(config: Config, namespace: string, workflowId: string): string | undefined {
  const { address } = temporalConnectConfig().connectionOptions;
  const base = config.temporal.uiUrl ?? (/^(localhost|127\.0\.0\.1):7233$/.test(address) ? 'http://localhost:8233' : undefined);
  return base && `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A workflow's failure as the workflow stated it (the cause WorkflowFailedError wraps); other errors as they are. */
function failureOf(error: unknown): FailureSummary {
  return failureSummary(error, error instanceof WorkflowFailedError ? 1 : 0);
}

/** Whether any worker polls the workflow task queue (DescribeTaskQueue); undefined when Temporal cannot say. */
async function workerPolls(client: ProvisioningClient): Promise<boolean | undefined> {
  try {
    const { pollers } = await client.client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => client.client.workflowService.describeTaskQueue({
      namespace: client.client.options.namespace,
      taskQueue: { name: client.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    }));
    return (pollers ?? []).length > 0;
  } catch {
    return undefined;
  }
}

/** The workflow's state, or undefined when no worker answers the query in time (a deadline, so no call outlives it). */
async function queryState(client: ProvisioningClient, handle: WorkflowHandle): Promise<ProvisioningState | undefined> {
  return client.client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(getStateQuery)).catch(() => undefined);
}

/**
 * Prints each step as it completes (polling the getState query) until the workflow ends, and the step
 * that failed. Says so when no step completes for a while and no worker polls the task queue. Returns
 * the exit code: 0 provisioned; a failure throws a CommandFailure with the code of its type.
 */
export async function followProvisioning(
  client: ProvisioningClient,
  handle: WorkflowHandle<(input: TenantCreationInput) => Promise<TenantCreationResult>>,
  options: { json: boolean; ui: string | undefined; timeoutMs?: number },
): Promise<number> {
  // A wait that stops (--timeout) cancels its pending long-poll and query before the connection closes.
  const abort = new AbortController();
  try {
    return await client.client.withAbortSignal(abort.signal, () => follow(client, handle, options));
  } finally {
    abort.abort();
  }
}

async function follow(
  client: ProvisioningClient,
  handle: WorkflowHandle<(input: TenantCreationInput) => Promise<TenantCreationResult>>,
  options: { json: boolean; ui: string | undefined; timeoutMs?: number },
): Promise<number> {
  const result = handle.result().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const started = Date.now();
  let lastProgress = started;
  let warnedNoWorker = false;
  let printed = 0;
  let state: ProvisioningState | undefined;
  let outcome: Awaited<typeof result> | undefined;
  while (!outcome) {
    outcome = await Promise.race([result, sleep(POLL_MS).then(() => undefined)]);
    state = (await queryState(client, handle)) ?? state;
    if (state && state.completedSteps.length > printed) {
      if (!options.json) for (const step of state.completedSteps.slice(printed)) console.log(`  ✓ ${step}`);
      printed = state.completedSteps.length;
      lastProgress = Date.now();
    }
    if (outcome) break;
    if (!warnedNoWorker && Date.now() - lastProgress >= NO_PROGRESS_NOTICE_MS && (await workerPolls(client)) === false) {
      warnedNoWorker = true;
      console.error(
        `no worker polls the task queue '${client.taskQueue}' (namespace ${client.client.options.namespace}): start one (npm run dev, or tenant-workflows worker with TEMPORAL_TASK_QUEUE=${client.taskQueue}); still waiting${options.timeoutMs === undefined ? ' (--timeout SECONDS to stop)' : ''}`,
      );
    }
    if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
      throw new CommandFailure(
        'WaitTimedOut',
        `provisioning ${handle.workflowId} did not end within --timeout ${options.timeoutMs / 1000}s; it goes on (see: tenant-workflows status --workflow-id ${handle.workflowId})`,
        EXIT.TEMP_FAILURE,
      );
    }
  }
  if (outcome.ok) {
    if (options.json) console.log(JSON.stringify({ status: 'completed', workflowId: handle.workflowId, ui: options.ui, ...outcome.value }));
    else {
      const { tenantId, slug, adminUserId, adminEmail, temporaryPassword } = outcome.value;
      console.log(`tenant '${slug}' provisioned: tenant ${tenantId}, admin ${adminEmail} (${adminUserId})`);
      if (temporaryPassword) console.log(`temporary password (shown once; must be changed at first login): ${temporaryPassword}`);
    }
    return EXIT.OK;
  }
  const failure = failureOf(outcome.error);
  const failedStep = (await queryState(client, handle))?.failedStep ?? state?.failedStep;
  if (!options.json && failedStep) console.log(`  ✗ ${failedStep}: ${failure.type ?? 'Error'}`);
  // The workflow's own message names the step; the ✗ line above marks it.
  throw new CommandFailure(failure.type ?? 'ProvisioningFailed', `provisioning ${handle.workflowId} failed: ${failure.message}`, exitCodeForProvisioningFailure(failure.type));
}
