import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { METRIC } from '../contracts/metric-names';
import { toActivityFailure } from './failures';

/**
 * A lifecycle step (suspend, reactivate, the offboarding steps): not a provisioning run, so no run record;
 * logged through the activity context, its attempt's duration recorded by step and outcome, and its errors
 * mapped like every step's (permanent ones non-retryable, typed).
 */
export async function lifecycleStep<T>(step: string, slug: unknown, operation: () => Promise<T>, summary: (result: T) => Record<string, unknown>): Promise<T> {
  const { log, metricMeter } = Context.current();
  const duration = metricMeter.createHistogram(METRIC.lifecycleStepDuration, 'float', 's', 'Duration of one tenant lifecycle step attempt, in seconds');
  const startedAt = performance.now();
  const record = (outcome: 'ok' | 'failed') => duration.record((performance.now() - startedAt) / 1000, { step, outcome });
  try {
    const result = await operation();
    record('ok');
    log.info(`${step} done`, { step, slug, ...summary(result) });
    return result;
  } catch (error) {
    record('failed');
    const failure = toActivityFailure(error);
    log.warn(`${step} failed`, { step, slug, error: (failure as Error).message });
    throw failure;
  }
}

/** Counts rows of offboarded tenants by phase (exported, deleted). */
export function countOffboardingRows(phase: 'exported' | 'deleted', rows: number): void {
  if (rows <= 0) return;
  Context.current().metricMeter.createCounter(METRIC.offboardingRows, 'rows', 'Rows of offboarded tenants, exported and verified or deleted').add(rows, { phase });
}
