import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../exit-codes';
import { StartupError } from '../lifecycle/startup-error';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the dev data directory for this process (a pid file), so a second `tenant-workflows dev` on the
 * same directory stops at once with exit 75 naming the owner, instead of colliding with its PostgreSQL.
 * A pid file left by a dev process that died is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'dev.pid');
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new StartupError(
        `another tenant-workflows dev (pid ${owner}) is running with ${dataDir}; use that one, stop it (Ctrl-C in its shell), or give this one another --data-dir`,
        EXIT.TEMP_FAILURE,
      );
    }
    rmSync(file, { force: true });
  }
}
