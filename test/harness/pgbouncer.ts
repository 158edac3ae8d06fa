import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig, DatabaseRole } from '../../src/config';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { freePort } from '../../src/net';
import { waitFor } from './wait-for';

/** Debian's pgbouncer binary (`apt-get install -y pgbouncer`). */
export const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

export const pgbouncerInstalled = (): boolean => existsSync(PGBOUNCER);

export interface PgBouncer {
  host: string;
  port: number;
  /** What it logged (connections, errors such as an unsupported startup parameter). */
  log: () => string;
  stop: () => Promise<void>;
}

export interface PgBouncerOptions {
  /** The PostgreSQL server it fronts. */
  serverHost: string;
  serverPort: number;
  /**
   * Roles that may connect. Clients are trusted; PgBouncer logs in to the server as the role with the
   * role's password (the suite's embedded PostgreSQL has one; servers that trust 127.0.0.1 need none).
   */
  users: DatabaseRole[];
  /** Server connections per (database, user) pair. */
  poolSize: number;
  /** PgBouncer's ignore_startup_parameters: none by default, as a stock PgBouncer. */
  ignoreStartupParameters?: string[];
}

/**
 * A real PgBouncer in transaction pooling mode in front of the test server, on a free port, with a
 * configuration of its own in a temporary directory. As root it drops to the postgres user (-u), which
 * PgBouncer requires.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-workflows-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
  writeFileSync(join(dir, 'users.txt'), options.users.map((role) => `${quoted(role.user)} ${quoted(role.password?.reveal() ?? '')}`).join('\n') + '\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${options.serverHost} port=${options.serverPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 500',
      `ignore_startup_parameters = ${(options.ignoreStartupParameters ?? []).join(',')}`,
      'server_reset_query =',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chmodSync(dir, 0o755);
    for (const file of ['', 'pgbouncer.ini', 'users.txt']) chownSync(join(dir, file), uid, gid);
    chmodSync(join(dir, 'users.txt'), 0o600);
  }
  const child: ChildProcess = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(() => Promise.resolve(child.exitCode === null && log.includes('process up')), `pgbouncer on 127.0.0.1:${port}`, 15_000).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${log}`);
  });
  return {
    host: '127.0.0.1',
    port,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
}

/** The session limits a worker behind PgBouncer gets from its role (PgBouncer refuses them as startup parameters). */
export const ROLE_SESSION_LIMITS = { statement_timeout: '30s', lock_timeout: '10s', idle_in_transaction_session_timeout: '60s' } as const;

/**
 * Sets ROLE_SESSION_LIMITS as `role`'s defaults in `database` (`ALTER ROLE … IN DATABASE … SET`), which
 * every server connection PgBouncer opens for that role carries: what the README tells operators to do.
 */
export async function setSessionLimitsOnRole(db: DatabaseConfig, role: string, database: string): Promise<void> {
  await withMaintenanceConnection(db, async (k) => {
    for (const [setting, value] of Object.entries(ROLE_SESSION_LIMITS)) {
      await k.raw(`ALTER ROLE ?? IN DATABASE ?? SET ${setting} = '${value}'`, [role, database]);
    }
  });
}

/** A worker's (or migrate's) environment pointed at `bouncer`: its address, and no session limits sent at connection start. */
export function envThroughPgBouncer(env: NodeJS.ProcessEnv, bouncer: PgBouncer): NodeJS.ProcessEnv {
  return {
    ...env,
    DB_HOST: bouncer.host,
    DB_PORT: String(bouncer.port),
    DB_STATEMENT_TIMEOUT_MS: '0',
    DB_LOCK_TIMEOUT_MS: '0',
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
  };
}
