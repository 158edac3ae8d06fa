import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import type { Config } from './config';
import { normalizeTenantInput } from './db/tenant-operations';
import { validatePassword } from './db/passwords';
import { invalidInput } from './db/errors';
import { normalizeEmail, normalizePersonName, normalizeSlug } from './db/validation';
import { dataConverter } from './temporal/data-converter';
import { temporalConnectConfig } from './temporal/connection-options';
import { getStateQuery, WORKFLOW_ID_PREFIX, workflowIdForSlug, type ProvisioningState, type TenantCreationInput, type TenantCreationResult } from './workflows/types';

export type { ProvisioningState, TenantCreationInput, TenantCreationResult } from './workflows/types';
export { ProvisioningError } from './db/errors';
export { loadConfig } from './config';

export interface CreateTenantRequest {
  tenantName: string;
  /** Derived from the tenant name when omitted. */
  slug?: string;
  contactEmail?: string;
  admin: { email: string; firstName: string; lastName: string; password?: string };
}

export class TenantAlreadyProvisionedError extends Error {
  constructor(readonly slug: string, readonly workflowId: string) {
    super(`tenant '${slug}' was already provisioned (workflow ${workflowId} completed); it cannot be created again`);
    this.name = 'TenantAlreadyProvisionedError';
  }
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

/** Validates and normalizes a request exactly as the activities will, so bad input fails before anything starts. */
export function toWorkflowInput(request: CreateTenantRequest): TenantCreationInput {
  const admin = {
    email: normalizeEmail('email', request.admin?.email),
    firstName: normalizePersonName('firstName', request.admin?.firstName),
    lastName: normalizePersonName('lastName', request.admin?.lastName),
    ...(request.admin?.password === undefined ? {} : { password: validatePassword(request.admin.password) }),
  };
  const tenant = normalizeTenantInput({ name: request.tenantName, slug: request.slug, contactEmail: request.contactEmail ?? admin.email });
  return { tenantName: tenant.name, slug: tenant.slug, contactEmail: tenant.contactEmail, admin };
}

/** A typed client for the SaaS backend: start provisioning, follow it, read its result. */
export class ProvisioningClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
  ) {}

  /**
   * Starts provisioning, or returns the running execution for the same slug (the workflow id is
   * derived from it, so one tenant is never provisioned twice at once). A tenant whose provisioning
   * completed cannot be started again: TenantAlreadyProvisionedError. A failed one can be retried.
   */
  async start(request: CreateTenantRequest): Promise<WorkflowHandleWithFirstExecutionRunId<TenantCreationWorkflow>> {
    const input = toWorkflowInput(request);
    const workflowId = workflowIdForSlug(input.slug);
    try {
      return await this.client.workflow.start('tenantCreationWorkflow', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new TenantAlreadyProvisionedError(input.slug, workflowId);
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
    throw new Error('PAYLOAD_ENCRYPTION_KEYS is required: the client encrypts workflow input with the same keys as the worker');
  }
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  const client = new Client({ connection, namespace, dataConverter: dataConverter(config.temporal.payloadKeys) });
  return { client: new ProvisioningClient(client, config.temporal.taskQueue), close: () => connection.close() };
}
