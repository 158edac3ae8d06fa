import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimPidFile } from './pid-file';

/**
 * Runs `build` under a lock file, unless `done()` is true once the lock is ours (another process built it
 * while we waited). A lock whose owner died is taken over. `waiting` is called while another process holds it.
 */
export async function withBuildLock(
  lockFile: string,
  done: () => boolean,
  build: () => Promise<void>,
  waiting: (owner: number, waitedMs: number) => void,
  pollMs = 1000,
): Promise<void> {
  const started = Date.now();
  for (let owner = claimPidFile(lockFile, 'held'); owner !== undefined; owner = claimPidFile(lockFile, 'held')) {
    waiting(owner, Date.now() - started);
    await sleep(pollMs);
  }
  try {
    if (!done()) await build();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
