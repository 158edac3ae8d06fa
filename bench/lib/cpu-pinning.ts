import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * `--pin`: the production shape on one machine. The worker (this process, every thread) gets core 0; the
 * Temporal server and PostgreSQL (found by the port they listen on, with every process they forked) get
 * the other cores, so the worker's core does nothing but the worker. Linux only, needs `taskset` and `ss`.
 */
export function pinningUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'pinning needs Linux (taskset)';
  if (cpus().length < 2) return 'pinning needs at least 2 CPUs';
  for (const tool of ['taskset', 'ss']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `pinning needs ${tool} (apt-get install util-linux iproute2)`;
    }
  }
  return undefined;
}

/** The process listening on 127.0.0.1/0.0.0.0:port, as `ss` reports it. */
function listenerPid(port: number): number {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const match = /pid=(\d+)/.exec(out);
  if (!match) throw new Error(`no process found listening on port ${port} (ss -ltnp shows the owner only to root or the owner)`);
  return Number(match[1]);
}

/** pid and every process descending from it, from /proc. */
function withDescendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) for (const [pid, parent] of parentOf) if (parent === found[i]) found.push(pid);
  return found;
}

function pin(pids: readonly number[], cpuList: string): void {
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
    } catch {
      // a backend that ended meanwhile
    }
  }
}

export interface Pinning {
  cores: { worker: string; servers: string };
  /** Every core again for this process and the servers (a server the run did not start outlives it). */
  undo: () => void;
}

/** Pins this process to core 0 and the servers listening on `serverPorts` (and their children) to the other cores. */
export function pinWorkerApartFromServers(serverPorts: readonly number[]): Pinning {
  const all = `0-${cpus().length - 1}`;
  const servers = `1-${cpus().length - 1}`;
  const roots = serverPorts.map(listenerPid);
  for (const root of roots) pin(withDescendants(root), servers);
  pin([process.pid], '0');
  return {
    cores: { worker: '0', servers },
    undo: () => {
      pin([process.pid], all);
      for (const root of roots) pin(withDescendants(root), all);
    },
  };
}
