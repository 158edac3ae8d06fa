import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../../src/config';
import { withSingleConnection } from '../../src/db/admin';
import { withMaintenanceConnection } from '../../src/db/maintenance';

/**
 * The Citus side of the test harness (TEST_DATABASE=citus). The cluster is either CITUS_URL (a coordinator
 * whose `postgres` database already lists its workers, as `cluster.sh start` leaves it) or one started here
 * with ../shared/citus/cluster.sh (CITUS_SCRIPTS overrides the folder) into a temporary directory, on free ports.
 */
const run = promisify(execFile);

/** PostgreSQL 15's library directory, where build.sh installs citus.so. */
const CITUS_LIBRARY = '/usr/lib/postgresql/15/lib/citus.so';

export function citusScripts(): string {
  return process.env.CITUS_SCRIPTS ?? resolve(__dirname, '../../../shared/citus');
}

/** Why the Citus suite cannot run here, or undefined when it can. */
export function citusUnavailableReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CITUS_URL) return undefined;
  if (!existsSync(join(citusScripts(), 'cluster.sh'))) return `no CITUS_URL and no ${join(citusScripts(), 'cluster.sh')}`;
  if (!existsSync(CITUS_LIBRARY)) return `no CITUS_URL and Citus is not installed (${CITUS_LIBRARY} missing; run ${join(citusScripts(), 'build.sh')} as root)`;
  return undefined;
}

export interface CitusCoordinator {
  host: string;
  port: number;
  user: string;
  password?: string;
  stop: () => Promise<void>;
}

/** The coordinator of CITUS_URL (postgres://user[:password]@host:port), or a cluster of a coordinator and two workers started here. */
export async function startCitusCoordinator(log: (message: string) => void): Promise<CitusCoordinator> {
  const url = process.env.CITUS_URL;
  if (url) {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error(`CITUS_URL must be postgres://user@host:port, got protocol ${parsed.protocol}`);
    return {
      host: parsed.hostname,
      port: Number(parsed.port || 5432),
      user: decodeURIComponent(parsed.username || 'postgres'),
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      stop: () => Promise.resolve(),
    };
  }
  const reason = citusUnavailableReason();
  if (reason) throw new Error(`cannot start a Citus cluster: ${reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'tenant-workflows-citus-'));
  const base = await freePortRun(3);
  const script = join(citusScripts(), 'cluster.sh');
  const started = Date.now();
  await run('bash', [script, 'start', dir, String(base), '2'], { timeout: 120_000 });
  log(`Citus: coordinator on 127.0.0.1:${base} with 2 workers (data in ${dir}, started in ${Date.now() - started} ms)`);
  return {
    host: '127.0.0.1',
    port: base,
    user: 'postgres',
    stop: async () => {
      await run('bash', [script, 'stop', dir], { timeout: 60_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A base port with `count` free consecutive ports on 127.0.0.1. */
async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

interface Node {
  host: string;
  port: number;
}

/** The coordinator's entry and the primary workers, as its maintenance database lists them. */
async function clusterNodes(db: DatabaseConfig): Promise<{ coordinator: Node; workers: Node[] }> {
  const rows = await withMaintenanceConnection(db, (k) =>
    k('pg_dist_node').where({ noderole: 'primary' }).orderBy('nodeport').select<Array<{ nodename: string; nodeport: number; groupid: number }>>('nodename', 'nodeport', 'groupid'),
  );
  const workers = rows.filter((r) => r.groupid !== 0).map((r) => ({ host: r.nodename, port: r.nodeport }));
  if (workers.length === 0) throw new Error(`the Citus coordinator ${db.host}:${db.port} lists no worker nodes in its postgres database`);
  const coordinator = rows.find((r) => r.groupid === 0);
  return { coordinator: coordinator ? { host: coordinator.nodename, port: coordinator.nodeport } : { host: db.host, port: db.port }, workers };
}

const onNode = (db: DatabaseConfig, node: Node): DatabaseConfig => ({ ...db, host: node.host, port: node.port });

/**
 * What `cluster.sh createdb` does, for any coordinator: Citus keeps its node list per database, so a new
 * database (already created on the coordinator) is created on every worker, gets the extension on every
 * node, and the coordinator learns its workers.
 */
export async function distributeDatabase(db: DatabaseConfig, name: string): Promise<void> {
  const { coordinator, workers } = await clusterNodes(db);
  for (const worker of workers) {
    await withMaintenanceConnection(onNode(db, worker), (k) => k.raw('CREATE DATABASE ??', [name]));
    await withSingleConnection(onNode(db, worker), name, (k) => k.raw('CREATE EXTENSION citus'));
  }
  await withSingleConnection(db, name, async (k) => {
    await k.raw('CREATE EXTENSION citus');
    await k.raw('SELECT citus_set_coordinator_host(?, ?)', [coordinator.host, coordinator.port]);
    for (const worker of workers) await k.raw('SELECT citus_add_node(?, ?)', [worker.host, worker.port]);
  });
}

/** Drops the database's copies on the workers (the coordinator's DROP DATABASE does not propagate). */
export async function dropOnWorkers(db: DatabaseConfig, name: string): Promise<void> {
  const { workers } = await clusterNodes(db);
  for (const worker of workers) await withMaintenanceConnection(onNode(db, worker), (k) => k.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]));
}

export const testingOnCitus = (): boolean => process.env.TEST_DATABASE === 'citus';

/** Runs fn on the maintenance database of every worker of the cluster (for what Citus does not propagate). */
export async function onEveryWorker(db: DatabaseConfig, fn: (maintenance: Knex) => Promise<unknown>): Promise<void> {
  const { workers } = await clusterNodes(db);
  for (const worker of workers) await withMaintenanceConnection(onNode(db, worker), fn);
}
