import { proxyActivities } from '@temporalio/workflow';
import type { createSmokeActivities } from './activities';

const { countAppliedMigrations } = proxyActivities<ReturnType<typeof createSmokeActivities>>({ startToCloseTimeout: '10 seconds' });

export async function smokeWorkflow(): Promise<number> {
  return countAppliedMigrations();
}
