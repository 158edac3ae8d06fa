import type { Logger } from '../logging';
import { sleepUnlessStopped } from './stop-signals';

export interface MigrationWaitOptions {
  /** The migrations not applied yet (re-read on every check). */
  pending: () => Promise<string[]>;
  intervalMs: number;
  stop: AbortSignal;
  logger: Logger;
}

/**
 * Resolves once no migration is pending. A worker must not poll before: its activities would meet a
 * schema they do not know and fail. Logs what it waits for whenever that changes; a failed check
 * (the database restarting) is logged and retried.
 */
export async function waitForMigrations({ pending, intervalMs, stop, logger }: MigrationWaitOptions): Promise<void> {
  let reported = '';
  for (;;) {
    try {
      const names = await pending();
      if (names.length === 0) return;
      if (names.join() !== reported) {
        reported = names.join();
        logger.warn({ pending: names, recheckMs: intervalMs }, `waiting for ${names.length} pending migration(s) before polling; run: tenant-workflows migrate`);
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not read the migration status; retrying');
    }
    await sleepUnlessStopped(stop, intervalMs);
  }
}
