import { createHash } from 'node:crypto';
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Config } from './config';
import { startConfiguredTracing } from './telemetry/tracing';
import { payloadKeysRequired } from './config/payload-keys-required';
import { toWorkflowInput, type CreateTenantRequest } from './contracts/tenant-request';
import { invalidInput, PROVISIONING_ERROR_TYPES, ProvisioningError, type ProvisioningErrorType } from './contracts/errors';
import { failureSummary } from './contracts/failure-summary';
import {
  lifecycleWorkflowIdForSlug,
  REACTIVATION_WORKFLOW_TYPE,
  SUSPENSION_WORKFLOW_TYPE,
  toReactivationInput,
  toSuspensionInput,
  type TenantReactivationInput,
  type TenantReactivationResult,
  type TenantSuspensionInput,
  type TenantSuspensionResult,
} from './contracts/tenant-suspension';
import { normalizeSlug } from './contracts/validation';
import {
  cancelDeletionUpdate,
  confirmDeletionUpdate,
  DELETION_WORKFLOW_TYPE,
  getDeletionStateQuery,
  toDeletionInput,
  type DeletionState,
  type TenantDeletionInput,
  type TenantDeletionResult,
} from './contracts/tenant-deletion';
import { dataConverter } from './temporal/data-converter';
import { temporalConnectConfig } from './temporal/connection-options';
import { getStateQuery, WORKFLOW_ID_PREFIX, WORKFLOW_TYPE, workflowIdForSlug, type ProvisioningState, type TenantCreationInput, type TenantCreationResult } from './contracts/tenant-creation';

export type { ProvisioningState, TenantCreationInput, TenantCreationResult } from './contracts/tenant-creation';
export { toWorkflowInput, type CreateTenantRequest } from './contracts/tenant-request';
export type { TenantReactivationResult, TenantSuspensionResult } from './contracts/tenant-suspension';
export type { ArchiveSummary, DeletionPhase, DeletionState, TenantDeletionResult } from './contracts/tenant-deletion';
export { ProvisioningError } from './contracts/errors';
export { loadConfig } from './config';

export class TenantAlreadyProvisionedError extends Error {
  constructor(readonly slug: string, readonly workflowId: string) {
    super(`tenant '${slug}' was already provisioned (workflow ${workflowId} completed); it cannot be created again (if it has been deleted since, ask for its slug with reuseDeletedSlug: true)`);
    this.name = 'TenantAlreadyProvisionedError';
  }
}

/** A provisioning of the slug is running for a different request; it never hands this caller its result. */
export class ProvisioningInProgressError extends Error {
  readonly type = 'ProvisioningInProgress';
  constructor(readonly slug: string, readonly workflowId: string) {
    super(`tenant '${slug}' is being provisioned by a different request (workflow ${workflowId}); wait for it to end, or use another slug`);
    this.name = 'ProvisioningInProgressError';
  }
}

/** Another lifecycle workflow (a suspend, a reactivate, a deletion) of the tenant is running; they never run at once. */
export class LifecycleInProgressError extends Error {
  readonly type = 'LifecycleInProgress';
  constructor(readonly slug: string, readonly workflowId: string) {
    super(`another lifecycle workflow (suspend, reactivate or delete) of tenant '${slug}' is running (workflow ${workflowId}); try again when it has ended`);
    this.name = 'LifecycleInProgressError';
  }
}

/** The Temporal frontend did not answer: names the address and how to get one. */
export class TemporalUnreachableError extends Error {
  constructor(readonly address: string, cause: unknown) {
    super(
      `cannot reach Temporal at ${address} (${(cause as Error).message}); start a local one with 'npm run dev', or set TEMPORAL_ADDRESS to your Temporal frontend`,
      { cause },
    );
    this.name = 'TemporalUnreachable';
  }
}

/** The memo field holding requestDigest(input): written at start, compared when a start attaches. */
export const REQUEST_DIGEST_MEMO = 'requestDigest';

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of the normalized request (password included, so a different password is a different
 * request). Kept in the memo, which the payload codec encrypts like the input itself.
 */
export function requestDigest(input: TenantCreationInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export interface ProvisioningStatus {
  workflowId: string;
  runId: string;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  temporalStatus: string;
  /** The workflow's own state from its getState query; undefined when no worker could answer. */
  state?: ProvisioningState;
}

type TenantCreationWorkflow = (input: TenantCreationInput) => Promise<TenantCreationResult>;
type TenantDeletionWorkflow = (input: TenantDeletionInput) => Promise<TenantDeletionResult>;

/** A started deletion: its workflow, and its result (typed failures as ProvisioningError). */
export interface DeletionHandle {
  workflowId: string;
  runId: string;
  result(): Promise<TenantDeletionResult>;
}

/** A typed client for the SaaS backend: start provisioning, follow it, read its result. */
export class ProvisioningClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
  ) {}

  /**
   * Starts provisioning, or attaches to the running execution for the same slug when it was started by
   * the same request (same normalized input, compared by digest): the workflow id is derived from the
   * slug, so one tenant is never provisioned twice at once. A different request for a slug in progress
   * fails with ProvisioningInProgressError, never with the other request's result. A tenant whose
   * provisioning completed cannot be started again: TenantAlreadyProvisionedError. A failed one can; so can
   * a completed one when the request says reuseDeletedSlug (the tenant was deleted: the worker refuses a
   * slug whose tenant still exists with TenantAlreadyExists, and a deleted tenant's without the flag).
   */
  async start(request: CreateTenantRequest): Promise<WorkflowHandleWithFirstExecutionRunId<TenantCreationWorkflow>> {
    const input = toWorkflowInput(request);
    const workflowId = workflowIdForSlug(input.slug);
    // The root of the provisioning's trace (a no-op unless a tracer provider is registered): slug and ids only.
    return trace.getTracer('tenant-workflows/client').startActiveSpan(
      'ProvisionTenant',
      { attributes: { 'tenant.slug': input.slug, temporalWorkflowId: workflowId } },
      async (span) => {
        try {
          const handle = await this.startOrAttach(input, workflowId);
          span.setAttribute('run_id', handle.firstExecutionRunId);
          return handle;
        } catch (error) {
          // The error's name only: a message may quote the request.
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async startOrAttach(input: TenantCreationInput, workflowId: string): Promise<WorkflowHandleWithFirstExecutionRunId<TenantCreationWorkflow>> {
    const digest = requestDigest(input);
    let handle: WorkflowHandleWithFirstExecutionRunId<TenantCreationWorkflow>;
    try {
      handle = await this.client.workflow.start<TenantCreationWorkflow>(WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        memo: { [REQUEST_DIGEST_MEMO]: digest },
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: input.reuseDeletedSlug === true ? 'ALLOW_DUPLICATE' : 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new TenantAlreadyProvisionedError(input.slug, workflowId);
      throw error;
    }
    const running = await this.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe();
    if (running.memo?.[REQUEST_DIGEST_MEMO] !== digest) throw new ProvisioningInProgressError(input.slug, workflowId);
    return handle;
  }

  /**
   * Suspends the tenant: status suspended with `reason`, every enabled user disabled; waits for the
   * result. Idempotent: a suspended tenant's suspension in force is returned (alreadySuspended). Fails
   * with ProvisioningError InvalidInput (slug, reason), TenantNotFound or TenantNotSuspendable (still
   * being provisioned), or LifecycleInProgressError while another suspend/reactivate of it runs.
   */
  async suspend(slug: string, reason: string): Promise<TenantSuspensionResult> {
    const input = toSuspensionInput({ slug, reason });
    return this.runLifecycle<TenantSuspensionInput, TenantSuspensionResult>(SUSPENSION_WORKFLOW_TYPE, input);
  }

  /** Reactivates a suspended tenant and exactly the users its suspension disabled (idempotent: alreadyActive). Fails like suspend(). */
  async reactivate(slug: string): Promise<TenantReactivationResult> {
    return this.runLifecycle<TenantReactivationInput, TenantReactivationResult>(REACTIVATION_WORKFLOW_TYPE, toReactivationInput({ slug }));
  }

  /**
   * Runs one lifecycle workflow under lifecycle-<slug> and waits for it. FAIL conflict policy: never
   * attaches to a running one (it may be the opposite operation); ALLOW_DUPLICATE: a tenant is suspended
   * and reactivated many times over its life.
   */
  private async runLifecycle<I extends { slug: string }, R>(workflowType: string, input: I): Promise<R> {
    const handle = await this.startLifecycle<I, R>(workflowType, input);
    try {
      return await handle.result();
    } catch (error) {
      throw typedLifecycleFailure(error);
    }
  }

  /** Starts one lifecycle workflow under lifecycle-<slug> (see runLifecycle); LifecycleInProgressError while another runs. */
  private async startLifecycle<I extends { slug: string }, R>(workflowType: string, input: I): Promise<WorkflowHandleWithFirstExecutionRunId<(input: I) => Promise<R>>> {
    const workflowId = lifecycleWorkflowIdForSlug(input.slug);
    try {
      return await this.client.workflow.start<(input: I) => Promise<R>>(workflowType, {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new LifecycleInProgressError(input.slug, workflowId);
      throw error;
    }
  }

  /**
   * Starts offboarding the tenant (tenantDeletionWorkflow under lifecycle-<slug>, FAIL conflict policy):
   * suspend, export and verify, then delete when confirmDeletion comes or `graceMs` (default 30 days)
   * has passed. Throws InvalidInput (slug, grace) before starting, LifecycleInProgressError while another
   * lifecycle workflow of the tenant runs; result() throws ProvisioningError TenantNotFound,
   * TenantNotDeletable (still being provisioned) or ExportVerificationFailed.
   */
  async deleteTenant(slug: string, options: { graceMs?: number } = {}): Promise<DeletionHandle> {
    const input = toDeletionInput({ slug, graceMs: options.graceMs });
    const handle = await this.startLifecycle<TenantDeletionInput, TenantDeletionResult>(DELETION_WORKFLOW_TYPE, input);
    return {
      workflowId: handle.workflowId,
      runId: handle.firstExecutionRunId,
      result: async () => {
        try {
          return await handle.result();
        } catch (error) {
          throw typedLifecycleFailure(error);
        }
      },
    };
  }

  /** Ends the grace period of the tenant's deletion now: it is deleted. DeletionNotPending when no deletion of it waits. */
  async confirmDeletion(slug: string): Promise<DeletionState> {
    return this.updateDeletion(slug, 'confirm', (handle) => handle.executeUpdate(confirmDeletionUpdate));
  }

  /** Calls the tenant's deletion off; answers once the tenant is restored (reactivated unless it was suspended before). */
  async cancelDeletion(slug: string): Promise<DeletionState> {
    return this.updateDeletion(slug, 'cancel', (handle) => handle.executeUpdate(cancelDeletionUpdate));
  }

  /** The state of the tenant's running or last deletion (phase, archive, deleteAt), or undefined when there is none. */
  async deletionState(slug: string): Promise<DeletionState | undefined> {
    const handle = this.client.workflow.getHandle<TenantDeletionWorkflow>(lifecycleWorkflowIdForSlug(normalizeSlug(slug)));
    try {
      const description = await handle.describe();
      if (description.type !== DELETION_WORKFLOW_TYPE) return undefined;
      return await handle.query(getDeletionStateQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  private async updateDeletion(slug: string, what: string, update: (handle: WorkflowHandle<TenantDeletionWorkflow>) => Promise<DeletionState>): Promise<DeletionState> {
    const normalized = normalizeSlug(slug);
    const handle = this.client.workflow.getHandle<TenantDeletionWorkflow>(lifecycleWorkflowIdForSlug(normalized));
    const notPending = (detail: string) => new ProvisioningError('DeletionNotPending', `no deletion of tenant '${normalized}' waits to be ${what}ed: ${detail}`, 'slug');
    const description = await handle.describe().catch((error: unknown) => {
      if (error instanceof WorkflowNotFoundError) throw notPending('none was started');
      throw error;
    });
    if (description.type !== DELETION_WORKFLOW_TYPE || description.status.name !== 'RUNNING') {
      throw notPending(description.type !== DELETION_WORKFLOW_TYPE ? `its lifecycle workflow is a ${description.type}` : `the last one is ${description.status.name.toLowerCase()}`);
    }
    try {
      return await update(handle);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notPending('it has ended');
      if (error instanceof WorkflowUpdateFailedError) {
        const { type, message } = failureSummary(error);
        if (type === 'DeletionNotPending') throw new ProvisioningError('DeletionNotPending', message, 'slug');
      }
      throw error;
    }
  }

  /** The provisioning of the tenant whose slug is `slug` (normalized like normalizeSlug; InvalidInput when it is no slug). */
  handle(slug: string): WorkflowHandle<TenantCreationWorkflow> {
    return this.client.workflow.getHandle(provisioningWorkflowId({ slug }));
  }

  /** The provisioning whose workflow id is exactly `workflowId` (tenant-<slug>). */
  handleByWorkflowId(workflowId: string): WorkflowHandle<TenantCreationWorkflow> {
    return this.client.workflow.getHandle(provisioningWorkflowId({ workflowId }));
  }

  /** Temporal's status plus the workflow's own state for the tenant whose slug is `slug`; undefined when no such provisioning exists. */
  async status(slug: string): Promise<ProvisioningStatus | undefined> {
    return statusOf(this.handle(slug));
  }

  /** As status(), for the provisioning whose workflow id is exactly `workflowId`. */
  async statusByWorkflowId(workflowId: string): Promise<ProvisioningStatus | undefined> {
    return statusOf(this.handleByWorkflowId(workflowId));
  }
}

/**
 * The workflow id of a provisioning, from the tenant's slug (`tenant-one` is the slug of workflow
 * `tenant-tenant-one`) or given as such; never guessed from the text. InvalidInput when malformed.
 */
export function provisioningWorkflowId(lookup: { slug: string } | { workflowId: string }): string {
  if ('slug' in lookup) return workflowIdForSlug(normalizeSlug(lookup.slug));
  if (!lookup.workflowId.startsWith(WORKFLOW_ID_PREFIX)) {
    throw invalidInput('workflowId', `must start with '${WORKFLOW_ID_PREFIX}' (a provisioning's workflow id is ${WORKFLOW_ID_PREFIX}<slug>)`);
  }
  return lookup.workflowId;
}

/** A lifecycle workflow's failure of one of our types as the ProvisioningError create-tenant's errors are. */
function typedLifecycleFailure(error: unknown): unknown {
  if (!(error instanceof WorkflowFailedError)) return error;
  const { type, message } = failureSummary(error);
  if (type && (PROVISIONING_ERROR_TYPES as readonly string[]).includes(type)) return new ProvisioningError(type as ProvisioningErrorType, message, 'slug');
  return error;
}

async function statusOf(handle: WorkflowHandle<TenantCreationWorkflow>): Promise<ProvisioningStatus | undefined> {
  try {
    const description = await handle.describe();
    const state = await handle.query(getStateQuery).catch(() => undefined);
    return { workflowId: handle.workflowId, runId: description.runId, temporalStatus: description.status.name, ...(state ? { state } : {}) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** Connects with the SDK's TEMPORAL_* settings and our payload codec (the same keys as the worker). */
export async function connectProvisioningClient(config: Config): Promise<{ client: ProvisioningClient; close: () => Promise<void> }> {
  if (config.temporal.payloadKeys.length === 0) {
    throw payloadKeysRequired('the client (it encrypts workflow input with the same keys as the worker)');
  }
  const { connectionOptions, namespace } = temporalConnectConfig();
  let connection: Connection;
  try {
    connection = await Connection.connect(connectionOptions);
  } catch (error) {
    throw new TemporalUnreachableError(connectionOptions.address, error);
  }
  // With OTEL_EXPORTER_OTLP_ENDPOINT set, client.start opens the provisioning's trace; closing flushes it.
  const tracing = startConfiguredTracing(config.telemetry);
  const client = new Client({
    connection,
    namespace,
    dataConverter: dataConverter(config.temporal.payloadKeys),
    ...(tracing ? { interceptors: tracing.clientInterceptors() } : {}),
  });
  return {
    client: new ProvisioningClient(client, config.temporal.taskQueue),
    close: async () => {
      try {
        await connection.close();
      } finally {
        await tracing?.shutdown();
      }
    },
  };
}
