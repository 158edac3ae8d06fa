import { Context } from '@temporalio/activity';
import { toActivityFailure } from './failures';

/**
 * A lifecycle step (suspend, reactivate): not a provisioning run, so no run record; logged through the
 * activity context and its errors mapped like every step's (permanent ones non-retryable, typed).
 */
export async function lifecycleStep<T>(step: string, slug: unknown, operation: () => Promise<T>, summary: (result: T) => Record<string, unknown>): Promise<T> {
  const { log } = Context.current();
  try {
    const result = await operation();
    log.info(`${step} done`, { step, slug, ...summary(result) });
    return result;
  } catch (error) {
    const failure = toActivityFailure(error);
    log.warn(`${step} failed`, { step, slug, error: (failure as Error).message });
    throw failure;
  }
}
