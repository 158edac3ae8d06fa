import { Context } from '@temporalio/activity';
import type { ProvisioningActivities } from '../../src/activities';
import type { Measurement, QueryMeter } from './query-meter';

export type ActivityName = keyof ProvisioningActivities;

/** One activity attempt as the worker ran it. */
export interface ActivityAttempt {
  workflowId: string;
  activity: ActivityName;
  attempt: number;
  succeeded: boolean;
  measurement: Measurement;
}

/**
 * The real activities, each attempt measured by `meter` (statements, database time, wall time) and
 * appended to `attempts`. Nothing else changes: same arguments, results and errors.
 */
export function meterActivities(real: ProvisioningActivities, meter: QueryMeter, attempts: ActivityAttempt[]): ProvisioningActivities {
  const metered = {} as Record<ActivityName, (...args: unknown[]) => Promise<unknown>>;
  for (const activity of Object.keys(real) as ActivityName[]) {
    metered[activity] = async (...args: unknown[]) => {
      const { workflowExecution, attempt } = Context.current().info;
      let succeeded = false;
      return meter.meter(
        async () => {
          const result = await (real[activity] as (...args: unknown[]) => Promise<unknown>)(...args);
          succeeded = true;
          return result;
        },
        (measurement) => attempts.push({ workflowId: workflowExecution?.workflowId ?? '', activity, attempt, succeeded, measurement }),
      );
    };
  }
  return metered as unknown as ProvisioningActivities;
}
