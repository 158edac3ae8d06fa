import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../exit-codes';
import { StartupError } from '../lifecycle/startup-error';
import { claimPidFile } from './pid-file';

/**
 * Claims the dev data directory for this process (a pid file), so a second `tenant-workflows dev` on the
 * same directory stops at once with exit 75 naming the owner, instead of colliding with its PostgreSQL.
 * A pid file left by a dev process that died is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'dev.pid');
  const owner = claimPidFile(file, 'stale');
  if (owner !== undefined) {
    throw new StartupError(
      `another tenant-workflows dev (pid ${owner}) is running with ${dataDir}; use that one, stop it (Ctrl-C in its shell), or give this one another --data-dir`,
      EXIT.TEMP_FAILURE,
    );
  }
  return () => rmSync(file, { force: true });
}
