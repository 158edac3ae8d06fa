import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

/** A workflow's running activity as Temporal sees it: which one, which attempt, and whether this attempt has heartbeated. */
export interface PendingActivity {
  type: string;
  attempt: number;
  /** Running on a worker (not waiting for a retry). */
  started: boolean;
  /** This attempt heartbeated at least once (its last heartbeat is later than its start): it made progress. */
  heartbeated: boolean;
  /** The process id of the worker running it, from its identity (`<pid>@<host>`, the SDK's default), if known. */
  workerPid: number | undefined;
}

/** The workflow's pending activities, from its description (no decoding of heartbeat details needed). */
export async function pendingActivities(handle: WorkflowHandle): Promise<PendingActivity[]> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? []).map((activity) => {
    const startedAt = optionalTsToMs(activity.lastStartedTime) ?? 0;
    const started = activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
    const workerPid = Number(/^(\d+)@/.exec(activity.lastWorkerIdentity ?? '')?.[1]) || undefined;
    return { type: activity.activityType?.name ?? '', attempt: activity.attempt ?? 0, started, heartbeated: started && (optionalTsToMs(activity.lastHeartbeatTime) ?? 0) > startedAt, workerPid };
  });
}

/** The pending activity of `type` once `accept` holds for it, polled every 100 ms; undefined at the deadline or once it is gone after having been seen. */
export async function waitForPendingActivity(handle: WorkflowHandle, type: string, accept: (activity: PendingActivity) => boolean, deadline: number): Promise<PendingActivity | undefined> {
  let seen = false;
  while (Date.now() < deadline) {
    const activity = (await pendingActivities(handle)).find((a) => a.type === type);
    if (activity && accept(activity)) return activity;
    if (activity) seen = true;
    else if (seen) return undefined;
    await sleep(100);
  }
  return undefined;
}
