import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { quantile, round } from '../lib/stats';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Where one provisioning's time goes, from its workflow history's event times (the server's clock):
 * workflow tasks waiting for the worker and running in it, activities waiting for a worker and running,
 * the rest of the history's span (server-side gaps), and what the client saw outside the history (the
 * start RPC and the result's long poll).
 */
export interface LatencyBreakdown {
  workflowTaskWaitMs: number;
  workflowTaskRunMs: number;
  activityWaitMs: number;
  activityRunMs: number;
  serverGapsMs: number;
  clientOutsideHistoryMs: number;
}

const { EventType } = temporal.api.enums.v1;
const EVENT = {
  wftStarted: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  wftCompleted: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  activityStarted: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
  activityCompleted: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
} as const;

const timeOf = (event: HistoryEvent) => tsToMs(event.eventTime);

/** The breakdown of one provisioning whose client-side latency was `endToEndMs`. */
export function latencyBreakdown(events: readonly HistoryEvent[], endToEndMs: number): LatencyBreakdown {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const since = (scheduledEventId: unknown, event: HistoryEvent) => timeOf(event) - timeOf(byId.get(Number(scheduledEventId))!);
  const sum = { workflowTaskWaitMs: 0, workflowTaskRunMs: 0, activityWaitMs: 0, activityRunMs: 0 };
  for (const event of events) {
    const type = event.eventType;
    if (type === EVENT.wftStarted) sum.workflowTaskWaitMs += since(event.workflowTaskStartedEventAttributes?.scheduledEventId, event);
    if (type === EVENT.wftCompleted) sum.workflowTaskRunMs += since(event.workflowTaskCompletedEventAttributes?.startedEventId, event);
    if (type === EVENT.activityStarted) sum.activityWaitMs += since(event.activityTaskStartedEventAttributes?.scheduledEventId, event);
    if (type === EVENT.activityCompleted) sum.activityRunMs += since(event.activityTaskCompletedEventAttributes?.startedEventId, event);
  }
  const historySpanMs = timeOf(events[events.length - 1]!) - timeOf(events[0]!);
  const accounted = sum.workflowTaskWaitMs + sum.workflowTaskRunMs + sum.activityWaitMs + sum.activityRunMs;
  return { ...sum, serverGapsMs: historySpanMs - accounted, clientOutsideHistoryMs: endToEndMs - historySpanMs };
}

/** The median of each part over several provisionings. */
export function medianBreakdown(samples: readonly LatencyBreakdown[]): LatencyBreakdown {
  const median = (key: keyof LatencyBreakdown) => round(quantile(samples.map((s) => s[key]), 0.5));
  return {
    workflowTaskWaitMs: median('workflowTaskWaitMs'),
    workflowTaskRunMs: median('workflowTaskRunMs'),
    activityWaitMs: median('activityWaitMs'),
    activityRunMs: median('activityRunMs'),
    serverGapsMs: median('serverGapsMs'),
    clientOutsideHistoryMs: median('clientOutsideHistoryMs'),
  };
}
