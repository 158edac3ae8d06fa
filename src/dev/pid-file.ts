import { readFileSync, rmSync, writeFileSync } from 'node:fs';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Tries once to claim `file` as this process's pid file. A file left by a process that died (or holding
 * no pid) is removed and the claim retried. Returns undefined once claimed, else the live owner's pid.
 * `ownPid`: whether a file naming this very process is held (a claim made by other work in this process)
 * or stale (left by an earlier process that had the same pid, as PID 1 in a container always has).
 */
export function claimPidFile(file: string, ownPid: 'held' | 'stale'): number | undefined {
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(owner) && (owner === process.pid ? ownPid === 'held' : isAlive(owner))) return owner;
    rmSync(file, { force: true });
  }
}
