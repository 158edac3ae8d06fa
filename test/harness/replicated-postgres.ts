import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/net';

const run = promisify(execFile);

/** Where the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are: PG_BIN_DIR, else Debian's PostgreSQL 15. */
export const PG_BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** Why a primary and a streaming replica cannot be started here, or undefined when they can. */
export function replicationUnavailable(): string | undefined {
  for (const tool of ['initdb', 'pg_ctl', 'pg_basebackup']) {
    if (!existsSync(join(PG_BIN_DIR, tool))) return `${join(PG_BIN_DIR, tool)} is missing (set PG_BIN_DIR to PostgreSQL's server binaries)`;
  }
  if (process.getuid?.() === 0 && systemUser('postgres') === undefined) return 'running as root and there is no postgres user to run initdb as';
  return undefined;
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** One throwaway server of the pair. */
export interface PgNode {
  name: string;
  host: string;
  port: number;
  dataDir: string;
  /** host:port, for a proxy's target. */
  address: string;
}

export interface ReplicatedPostgres {
  /** Superuser of both servers (trust authentication on 127.0.0.1). */
  user: string;
  primary: PgNode;
  standby: PgNode;
  /** pg_ctl stop: 'fast' ends every session with 57P01 and shuts down cleanly; 'immediate' is a crash. */
  stopNode: (node: PgNode, mode?: 'fast' | 'immediate') => Promise<void>;
  /** pg_ctl promote, waiting until the standby accepts writes. */
  promote: (node: PgNode) => Promise<void>;
  /** Whether the node is still a standby, read from pg_controldata. */
  inRecovery: (node: PgNode) => Promise<boolean>;
  /** Stops both servers (immediately) and removes their data. Safe to call twice. */
  stop: () => Promise<void>;
}

/**
 * A PostgreSQL primary and a streaming hot standby made from it with `pg_basebackup -R`, both
 * throwaway servers on 127.0.0.1 (trust authentication, fsync off) in a temporary directory. As
 * root, the servers run as the `postgres` system user (initdb refuses root).
 */
export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const unavailable = replicationUnavailable();
  if (unavailable) throw new Error(`cannot start a primary and a standby: ${unavailable}`);
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const base = mkdtempSync(join(tmpdir(), 'tenant-workflows-replicated-pg-'));
  if (owner) chownSync(base, owner.uid, owner.gid);
  const pg = (tool: string, args: string[]) =>
    owner ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN_DIR, tool), ...args], { cwd: base }) : run(join(PG_BIN_DIR, tool), args, { cwd: base });
  const node = async (name: string): Promise<PgNode> => {
    const port = await freePort();
    return { name, host: '127.0.0.1', port, dataDir: join(base, name), address: `127.0.0.1:${port}` };
  };
  const start = (n: PgNode) =>
    pg('pg_ctl', [
      '-D', n.dataDir, '-l', join(base, `${n.name}.log`), '-w', '-t', '60', 'start',
      '-o', `-p ${n.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${base} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100`,
    ]);
  const running = new Set<PgNode>();
  const stopNode = async (n: PgNode, mode: 'fast' | 'immediate' = 'fast') => {
    await pg('pg_ctl', ['-D', n.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    running.delete(n);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const n of [...running]) await stopNode(n, 'immediate').catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const primary = await node('primary');
    await pg('initdb', ['-D', primary.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
    await start(primary);
    running.add(primary);
    const standby = await node('standby');
    // -R writes standby.signal and primary_conninfo: the copy starts as a hot standby streaming from the primary.
    await pg('pg_basebackup', ['-h', primary.host, '-p', String(primary.port), '-U', 'postgres', '-D', standby.dataDir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast']);
    await start(standby);
    running.add(standby);
    return {
      user: 'postgres',
      primary,
      standby,
      stopNode,
      promote: async (n) => void (await pg('pg_ctl', ['-D', n.dataDir, '-w', '-t', '60', 'promote'])),
      inRecovery: async (n) => {
        const { stdout } = await pg('pg_controldata', ['-D', n.dataDir]);
        return /Database cluster state:\s+in archive recovery/.test(stdout);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
