import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { DatabaseConfig } from '../../src/config';
import { APPLICATION_NAME } from '../../src/db/admin';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { PROVISIONING_STEPS } from '../../src/contracts/tenant-creation';
import type { ChaosLoad } from './load';
import type { Problems } from './checks';
import type { Random } from './random';
import { quantile, seconds } from '../lib/stats';
import type { WorkerLogEntry, WorkerSupervisor } from './worker-supervisor';

/** What a fault injector gets: the provisionings it runs against, when to give up, its randomness. */
export interface FaultContext {
  load: ChaosLoad;
  /** Epoch ms after which the injector stops, whatever it has done. */
  deadline: number;
  random: Random;
}

/** What a fault injector did, in one phrase, and whether it managed to do what was asked of it. */
export interface InjectedFault {
  description: string;
  problems: Problems;
  /** Epoch ms of the last fault (the last kill, termination, or the server back up), if any happened. */
  lastFaultAt?: number;
}

/** A step's "<step> done" log line: written after the step's transaction committed, before Temporal learns the result. */
const isDoneLineOf = (step: string) => (entry: WorkerLogEntry) => entry.step === step && entry.msg === `${step} done`;

/**
 * SIGKILLs a worker `kills` times while provisionings run, restarting it each time: every other kill
 * lands right after a step's COMMIT (on its "done" log line, whichever replica wrote it), each step in
 * turn, the others (and those whose step did not finish within 5 s) at a random moment, on a random replica.
 * With one worker the next kill waits for the restart (nothing runs meanwhile); with several the others
 * carry on, as a Deployment's replicas do, and the next kill may come while one is still starting.
 */
export async function killWorkerRepeatedly(supervisor: WorkerSupervisor, { load, deadline, random }: FaultContext, kills: number): Promise<InjectedFault> {
  const afterCommit: Record<string, number> = {};
  const restarts: Array<Promise<number>> = [];
  let lastFaultAt: number | undefined;
  while (restarts.length < kills && !load.done() && Date.now() < deadline) {
    const target = restarts.length % 2 === 0 ? PROVISIONING_STEPS[(restarts.length / 2) % PROVISIONING_STEPS.length] : undefined;
    const entry = target ? await supervisor.killOnLogEntry(isDoneLineOf(target), 5000) : undefined;
    if (entry?.step) {
      afterCommit[entry.step] = (afterCommit[entry.step] ?? 0) + 1;
    } else {
      await sleep(random.between(100, 1500));
      if (load.done()) break;
      if (!(await supervisor.kill(random.between(0, supervisor.replicas - 1)))) continue;
    }
    lastFaultAt = Date.now();
    const restart = supervisor.restart();
    restarts.push(restart);
    if (supervisor.replicas === 1) await restart;
  }
  const restartMs = await Promise.all(restarts);
  const commits = Object.entries(afterCommit).map(([step, n]) => `${step} ${n}`).join(', ');
  return {
    description:
      `${restartMs.length} SIGKILLs${supervisor.replicas > 1 ? ` across ${supervisor.replicas} workers` : ''} (${Object.values(afterCommit).reduce((a, b) => a + b, 0)} right after a COMMIT: ${commits || 'none'}), ` +
      `restart median ${seconds(quantile(restartMs, 0.5))}`,
    problems: [
      ...(restartMs.length < kills ? [`only ${restartMs.length} of ${kills} kills happened while provisionings were running`] : []),
      ...(kills > 1 && Object.keys(afterCommit).length === 0 ? ['no kill landed right after a COMMIT'] : []),
    ],
    ...(lastFaultAt === undefined ? {} : { lastFaultAt }),
  };
}

/** The worker's sessions on the database: ours are on the maintenance database, so they are never among them. */
async function terminateWorkerBackends(maintenance: Knex, database: string): Promise<{ terminated: number; busy: number }> {
  const { rows } = await maintenance.raw<{ rows: Array<{ state: string | null; terminated: boolean }> }>(
    'SELECT state, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = ? AND application_name = ? AND pid <> pg_backend_pid()',
    [database, APPLICATION_NAME],
  );
  const terminated = rows.filter((r) => r.terminated);
  return { terminated: terminated.length, busy: terminated.filter((r) => r.state !== 'idle').length };
}

/**
 * Terminates every backend of the worker (application_name 'tenant-workflows' on the run's database)
 * with pg_terminate_backend, again and again at random intervals, until the provisionings end.
 * The caller must hold no session of that name on the database meanwhile.
 */
export async function terminateBackendsRepeatedly(db: DatabaseConfig, { load, deadline, random }: FaultContext, maxRounds = 5000): Promise<InjectedFault> {
  let rounds = 0;
  let terminated = 0;
  let busy = 0;
  let lastFaultAt: number | undefined;
  await withMaintenanceConnection(db, async (maintenance) => {
    while (rounds < maxRounds && !load.done() && Date.now() < deadline) {
      const round = await terminateWorkerBackends(maintenance, db.database);
      rounds += 1;
      terminated += round.terminated;
      busy += round.busy;
      if (round.terminated > 0) lastFaultAt = Date.now();
      await sleep(random.between(100, 500));
    }
  });
  return {
    description: `${terminated} worker backends terminated (${busy} in a query or transaction) in ${rounds} rounds`,
    problems: terminated === 0 ? ['no worker backend was terminated'] : [],
    ...(lastFaultAt === undefined ? {} : { lastFaultAt }),
  };
}

/**
 * Restarts PostgreSQL once, when a quarter of the provisionings have ended (or a third of the time
 * has passed): the server stops, stays down `downMs`, and starts on the same port and data directory.
 */
export async function restartDatabaseOnce(restartServer: (downMs: number) => Promise<void>, { load, deadline }: FaultContext, downMs: number): Promise<InjectedFault> {
  const total = load.workflowIds.length;
  const notAfter = Date.now() + (deadline - Date.now()) / 3;
  while (load.settled() < total / 4 && Date.now() < notAfter) await sleep(50);
  const settledBefore = load.settled();
  if (settledBefore === total) return { description: 'no restart', problems: ['every provisioning ended before PostgreSQL could be restarted'] };
  const stoppedAt = Date.now();
  await restartServer(downMs);
  const lastFaultAt = Date.now();
  return { description: `PostgreSQL restarted (down ${seconds(lastFaultAt - stoppedAt)}) after ${settledBefore} of ${total} provisionings had ended`, problems: [], lastFaultAt };
}
