import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisioningClient, TenantCreationResult } from '../../src/client';
import { toWorkflowInput, type CreateTenantRequest } from '../../src/client';
import { failureSummary, type FailureSummary } from '../../src/contracts/failure-summary';

/** How one provisioning of a chaos run ended, as Temporal tells it. */
export interface ProvisioningOutcome {
  workflowId: string;
  slug: string;
  /** COMPLETED, FAILED, ... or RUNNING when it had not ended by the deadline. */
  status: string;
  /** From the start of the load to this provisioning's end, when it ended. */
  ms?: number;
  /** Why it failed: the failure's type and message (ours, free of secrets), when it failed. */
  failure?: string;
  /** The workflow's result when it completed; holds the admin's temporary password: never print it. */
  result?: TenantCreationResult;
}

export interface ChaosLoad {
  workflowIds: string[];
  /** Provisionings that have ended so far. */
  settled: () => number;
  /** Whether every provisioning has ended. */
  done: () => boolean;
  /** Waits until every provisioning ended or the deadline passed, then reports each one. */
  outcomes: (deadline: number) => Promise<ProvisioningOutcome[]>;
}

/** A unique request without a password, so the workflow generates one and the reissue path can be checked. */
function chaosRequest(runTag: string, index: number): CreateTenantRequest {
  return { tenantName: `Chaos ${runTag} ${index}`, admin: { email: `admin-${index}@${runTag}.chaos.test`, firstName: 'Chaos', lastName: 'Monkey' } };
}

const describeFailure = ({ type, message }: FailureSummary): string => `${type ?? 'Error'}: ${message}`;

/** Starts `count` provisionings at once through the typed client and follows them to their end. */
export async function startChaosLoad(client: ProvisioningClient, count: number): Promise<ChaosLoad> {
  const runTag = randomBytes(3).toString('hex');
  const startedAt = Date.now();
  const requests = Array.from({ length: count }, (_, index) => chaosRequest(runTag, index));
  const handles = await Promise.all(requests.map((request) => client.start(request)));
  const results = new Map<string, Pick<ProvisioningOutcome, 'result' | 'ms' | 'failure'>>();
  const following = handles.map((handle) =>
    handle.result().then(
      (result) => void results.set(handle.workflowId, { result, ms: Date.now() - startedAt }),
      (error: unknown) => void results.set(handle.workflowId, { failure: describeFailure(failureSummary(error)), ms: Date.now() - startedAt }),
    ),
  );
  return {
    workflowIds: handles.map((h) => h.workflowId),
    settled: () => results.size,
    done: () => results.size === handles.length,
    async outcomes(deadline) {
      await Promise.race([Promise.all(following), sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false })]);
      return Promise.all(
        handles.map(async (handle, index) => {
          const { status } = await handle.describe();
          return { workflowId: handle.workflowId, slug: toWorkflowInput(requests[index]!).slug, status: status.name, ...results.get(handle.workflowId) };
        }),
      );
    },
  };
}
