import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ProvisioningActivities } from '../../src/activities';

type ActivityName = keyof ProvisioningActivities;

/** Faults for one workflow execution, injected around the real activities. */
export interface Fault {
  /** Throw a non-retryable failure after this activity's real work committed. */
  failAfter?: ActivityName;
  /** Throw a non-retryable failure before this activity does anything. */
  failBefore?: ActivityName;
  /** Fail this activity's first N attempts with a retryable failure, then run it for real. */
  transientFailures?: { activity: ActivityName; times: number };
  /** Hold this activity until `release` resolves (or the attempt is cancelled), then run it for real. */
  hold?: { activity: ActivityName; release: Promise<void> };
}

/**
 * Faults keyed by workflow id, so one worker serves many tests. Also records every attempt, so a test
 * can assert how often an activity ran.
 */
export class FaultPlan {
  readonly faults = new Map<string, Fault>();
  readonly attempts: Array<{ workflowId: string; activity: ActivityName }> = [];

  attemptsOf(workflowId: string, activity: ActivityName): number {
    return this.attempts.filter((a) => a.workflowId === workflowId && a.activity === activity).length;
  }

  wrap(real: ProvisioningActivities): ProvisioningActivities {
    const wrapped = {} as Record<ActivityName, (...args: unknown[]) => Promise<unknown>>;
    for (const name of Object.keys(real) as ActivityName[]) {
      const activity = real[name] as (...args: unknown[]) => Promise<unknown>;
      wrapped[name] = async (...args: unknown[]) => {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
        this.attempts.push({ workflowId, activity: name });
        const fault = this.faults.get(workflowId) ?? {};
        if (fault.failBefore === name) throw ApplicationFailure.nonRetryable(`injected failure before ${name}`, 'InjectedFailure');
        if (fault.transientFailures?.activity === name && this.attemptsOf(workflowId, name) <= fault.transientFailures.times) {
          throw ApplicationFailure.retryable(`injected transient failure in ${name}`, 'InjectedTransientFailure');
        }
        if (fault.hold?.activity === name) await Promise.race([fault.hold.release, Context.current().cancelled]);
        const result = await activity(...args);
        if (fault.failAfter === name) throw ApplicationFailure.nonRetryable(`injected failure after ${name} committed`, 'InjectedFailure');
        return result;
      };
    }
    return wrapped as unknown as ProvisioningActivities;
  }
}
