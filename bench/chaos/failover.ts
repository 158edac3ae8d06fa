import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { connectProvisioningClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { withSingleConnection } from '../../src/db/admin';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { replicationUnavailable, startReplicatedPostgres, type PgNode, type ReplicatedPostgres } from '../../test/harness/replicated-postgres';
import { startSwitchableProxy, type SwitchableProxy } from '../../test/harness/switchable-proxy';
import type { CliCommand } from '../../test/harness/worker-process';
import type { FaultContext, InjectedFault } from './faults';
import { runScenario, type ScenarioResult, type ScenarioSettings } from './scenario';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import { seconds } from '../lib/stats';
import { WorkerSupervisor } from './worker-supervisor';

const run = promisify(execFile);

/** How long each phase of the failover lasts. */
export interface FailoverTiming {
  /** The old primary answers every write with 25006 (fenced, demoted) before the address moves. */
  fencedMs: number;
  /** The address points at the standby, still in recovery, before it is promoted. */
  standbyMs: number;
}

/** A scenario that runs on servers of its own (a primary, a standby, a proxy) with a worker of its own. */
export interface SelfContainedScenario {
  name: string;
  run: (settings: ScenarioSettings) => Promise<ScenarioResult>;
}

/** A worker's JSON log line, as far as the failover report reads it. */
interface LogLine {
  time?: string;
  msg?: string;
  step?: string;
  sqlState?: string;
  check?: string;
  recoveryMs?: number;
}

function logLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

const at = (line: LogLine) => (line.time ? Date.parse(line.time) : NaN);

/** The database settings of one node, reached directly (not through the proxy): for fencing it. */
function nodeDb(config: Config, node: PgNode): Config['db'] {
  return { ...config.db, host: node.host, port: node.port };
}

/**
 * The failover, once a quarter of the provisionings have ended (or a third of the time passed):
 * 1. the primary is demoted in place: `default_transaction_read_only` on and reloaded, so every open
 *    session (the worker's pooled connections included) answers writes with 25006, as a demoted or
 *    fenced primary does; it stays up, its sessions open, as nodes a stale address still reaches do;
 * 2. after `fencedMs`, the stable address is switched to the standby, still in recovery (connections
 *    already open stay where they are, as with a DNS change);
 * 3. after `standbyMs`, the standby is promoted (`pg_ctl promote`).
 * Reports the time from the promotion to the first step that completed after it, and what the worker
 * logged: discarded connections by SQLSTATE, refused connections, its own recovery time.
 */
async function failOver(
  cluster: ReplicatedPostgres,
  proxy: SwitchableProxy,
  config: Config,
  supervisor: WorkerSupervisor,
  timing: FailoverTiming,
  { load, deadline }: FaultContext,
): Promise<InjectedFault & { fencedAt?: number }> {
  const total = load.workflowIds.length;
  const notAfter = Date.now() + (deadline - Date.now()) / 3;
  while (load.settled() < total / 4 && Date.now() < notAfter) await sleep(50);
  const settledBefore = load.settled();
  if (settledBefore === total) return { description: 'no failover', problems: ['every provisioning ended before the failover could start'] };

  const fencedAt = Date.now();
  await withMaintenanceConnection(nodeDb(config, cluster.primary), async (primary) => {
    await primary.raw('ALTER SYSTEM SET default_transaction_read_only = on');
    await primary.raw('SELECT pg_reload_conf()');
  });
  await sleep(timing.fencedMs);
  proxy.switchTo(cluster.standby.address);
  await sleep(timing.standbyMs);
  await cluster.promote(cluster.standby);
  const promotedAt = Date.now();
  const settledAtPromotion = load.settled();

  // The first step done after the promotion (its log line), waited for while provisionings remain.
  let firstStepAfter = firstDoneAfter(supervisor, promotedAt);
  while (firstStepAfter === undefined && !load.done() && Date.now() < deadline) {
    await sleep(100);
    firstStepAfter = firstDoneAfter(supervisor, promotedAt);
  }
  firstStepAfter ??= firstDoneAfter(supervisor, promotedAt);
  return {
    description:
      `primary demoted read-only after ${settledBefore}/${total} provisionings had ended, address on the standby ${seconds(timing.fencedMs)} later, ` +
      `promoted ${seconds(timing.standbyMs)} after that (${settledAtPromotion}/${total} ended by then); ` +
      `first step done ${firstStepAfter === undefined ? 'never' : `${seconds(firstStepAfter - promotedAt)}`} after the promotion`,
    problems: [
      ...(firstStepAfter === undefined && settledAtPromotion < total ? ['no step completed after the promotion'] : []),
      ...(settledAtPromotion === total ? ['every provisioning ended before the promotion: the failover tested nothing'] : []),
    ],
    lastFaultAt: promotedAt,
    fencedAt,
  };
}

function firstDoneAfter(supervisor: WorkerSupervisor, since: number): number | undefined {
  return logLines(supervisor.output())
    .filter((line) => line.step !== undefined && line.msg === `${line.step} done`)
    .map(at)
    .filter((time) => time >= since)
    .sort((a, b) => a - b)[0];
}

/** What the worker logged about the failover: connections discarded by SQLSTATE, refused on connect, its recovery times. */
function workerReport(output: string, since: number): string {
  const lines = logLines(output).filter((line) => at(line) >= since);
  const count = (values: Array<string | undefined>) => {
    const counts = new Map<string, number>();
    for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
    return [...counts].map(([value, n]) => `${n}x ${value}`).join(', ') || 'none';
  };
  const recoveries = lines.filter((line) => line.msg?.startsWith('database writable again')).map((line) => seconds(line.recoveryMs ?? 0));
  return (
    `worker: discarded ${count(lines.filter((l) => l.msg?.startsWith('database connection discarded')).map((l) => l.sqlState))}; ` +
    `refused on connect ${count(lines.filter((l) => l.msg?.startsWith('database connection refused')).map((l) => l.check))}; ` +
    `recovered after ${recoveries.join(', ') || 'never'}`
  );
}

/**
 * The failover scenario: a PostgreSQL primary and a streaming standby of its own (pg_basebackup -R), a
 * TCP proxy as the service's stable address, a migrated database on it, and a worker process of its own
 * connected through the proxy, on a task queue of its own; then runScenario with the failover as the
 * fault and every check of the other scenarios. A string says why it cannot run here.
 */
export function failoverScenario(stack: ProvisioningStack, cli: CliCommand, workerEnv: NodeJS.ProcessEnv, timing: FailoverTiming): SelfContainedScenario | string {
  const unavailable = replicationUnavailable();
  if (unavailable) return `cannot start a primary and a streaming standby here: ${unavailable}`;
  return {
    name: 'failover',
    run: async (settings) => {
      const stops: Array<() => Promise<unknown>> = [];
      try {
        const cluster = await startReplicatedPostgres();
        stops.unshift(cluster.stop);
        const proxy = await startSwitchableProxy(cluster.primary.address);
        stops.unshift(proxy.close);
        const database = `tw_failover_${randomBytes(4).toString('hex')}`;
        const env: NodeJS.ProcessEnv = {
          ...workerEnv,
          DB_HOST: proxy.host,
          DB_PORT: String(proxy.port),
          DB_USER_ADMIN: cluster.user,
          DB_PASSWORD_ADMIN: '',
          DB_NAME_SERVER: database,
          TEMPORAL_TASK_QUEUE: `chaos-failover-${randomUUID()}`,
        };
        const config = loadConfig(env);
        await withMaintenanceConnection(config.db, (maintenance) => maintenance.raw('CREATE DATABASE ??', [database]));
        const [executable = '', ...args] = cli.argv;
        await run(executable, [...args, 'migrate'], { cwd: cli.cwd, env });
        const { client, close } = await connectProvisioningClient(config);
        stops.unshift(close);
        const supervisor = new WorkerSupervisor(env, cli);
        stops.unshift(() => supervisor.killAll());
        await supervisor.start();
        let fencedAt: number | undefined;
        const result = await withSingleConnection(config.db, database, async (knex) => {
          const own: ProvisioningStack = { ...stack, db: { knex, database: { admin: knex, storage: knex, close: () => Promise.resolve() }, config, source: `primary ${cluster.primary.address}, standby ${cluster.standby.address}`, stop: () => Promise.resolve() }, config, client, workerEnv: env };
          return runScenario(own, supervisor, {
            name: 'failover',
            inject: async (context) => {
              const fault = await failOver(cluster, proxy, config, supervisor, timing, context);
              fencedAt = fault.fencedAt;
              return fault;
            },
          }, settings);
        });
        await supervisor.stop();
        return { ...result, line: `${result.line}; ${workerReport(supervisor.output(), fencedAt ?? 0)}` };
      } finally {
        for (const stop of stops) await stop().catch(() => undefined);
      }
    },
  };
}
