import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
  for (;;) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    if (!Number.isInteger(owner) || !isAlive(owner)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    waiting(owner, Date.now() - started);
    await sleep(pollMs);
  }
  try {
    if (!done()) await build();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
