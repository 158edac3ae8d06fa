import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { ProvisioningActivities } from '../../src/activities';

type Step = keyof ProvisioningActivities;

export interface ActivityHarness {
  /** Runs one activity inside the mock activity context, as the worker would. */
  run<S extends Step>(step: S, ...args: Parameters<ProvisioningActivities[S]>): ReturnType<ProvisioningActivities[S]>;
  /** Everything the activities logged so far (message and attributes, at every level), as text. */
  logText(): string;
  /** How many heartbeats the activities sent so far. */
  heartbeats(): number;
  /** Cancels the attempt as Temporal would when it gives up on it (every later run starts cancelled). */
  cancel(reason: 'CANCELLED' | 'TIMED_OUT'): void;
}

/**
 * Runs the activities in a MockActivityEnvironment that records every log entry. Each harness is its
 * own workflow execution: the activities derive the tenant's idempotency key from it, so a harness
 * stands for one provisioning request.
 */
export function activityHarness(activities: ProvisioningActivities): ActivityHarness {
  const entries: LogEntry[] = [];
  const logger = new DefaultLogger('TRACE', (entry) => entries.push(entry));
  const workflowExecution = { workflowId: `tenant-test-${randomUUID()}`, runId: randomUUID() };
  const env = new MockActivityEnvironment({ workflowExecution }, { logger });
  let heartbeats = 0;
  env.on('heartbeat', () => (heartbeats += 1));
  return {
    run: (step, ...args) => {
      type AnyActivity = (...input: unknown[]) => Promise<unknown>;
      const activity = activities[step] as AnyActivity;
      return env.run<unknown[], unknown, AnyActivity>((...input) => activity(...input), ...args) as ReturnType<ProvisioningActivities[typeof step]>;
    },
    logText: () => entries.map((e) => `${e.level} ${e.message} ${inspect(e.meta, { depth: null })}`).join('\n'),
    heartbeats: () => heartbeats,
    cancel: (reason) => env.cancel(reason),
  };
}
