import type { Knex } from 'knex';
import { runRecords } from '../../src/db/run-records';
import { checkInvariants, type Problems } from './checks';
import type { FaultContext, InjectedFault } from './faults';
import { startChaosLoad, type ProvisioningOutcome } from './load';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import type { Random } from './random';
import { quantile, seconds } from '../lib/stats';
import type { WorkerSupervisor } from './worker-supervisor';

/** One fault, injected while a batch of provisionings runs. */
export interface Scenario {
  name: string;
  inject: (context: FaultContext) => Promise<InjectedFault>;
}

export interface ScenarioSettings {
  tenants: number;
  /** How long the provisionings get to end, fault included. */
  timeoutMs: number;
  random: Random;
}

export interface ScenarioResult {
  name: string;
  passed: boolean;
  /** The one summary line. */
  line: string;
  /** The checks that failed, with their problems. */
  failures: Record<string, Problems>;
}

/**
 * Closes this process's pooled connections (the pool itself stays usable), so that while a scenario
 * runs every session named 'tenant-workflows' on the run's database is the worker's.
 */
async function closePooledConnections(knex: Knex): Promise<void> {
  await knex.destroy();
  knex.initialize();
}

/** Steps that ran more than once (the run record keeps each step's last attempt number). */
async function retriedSteps(stack: ProvisioningStack, outcomes: readonly ProvisioningOutcome[]): Promise<number> {
  const records = runRecords(stack.config, stack.db.database);
  let retried = 0;
  for (const { workflowId } of outcomes) {
    for (const run of await records.runsOf(workflowId)) retried += Object.values(run.details.steps).filter((step) => step.attempt > 1).length;
  }
  return retried;
}

/**
 * Starts `tenants` provisionings, injects the scenario's fault while they run, waits for them to end
 * (until the timeout), then checks every invariant on the database, the workflows and the worker.
 */
export async function runScenario(stack: ProvisioningStack, supervisor: WorkerSupervisor, scenario: Scenario, settings: ScenarioSettings): Promise<ScenarioResult> {
  await closePooledConnections(stack.db.knex);
  const exitsBefore = supervisor.exits.length;
  const startedAt = Date.now();
  const deadline = startedAt + settings.timeoutMs;
  const load = await startChaosLoad(stack.client, settings.tenants);
  const fault = await scenario.inject({ load, deadline, random: settings.random });
  const outcomes = await load.outcomes(deadline);
  const elapsedMs = Date.now() - startedAt;

  const checks = await checkInvariants(stack.db.knex, { outcomes, exits: supervisor.exits.slice(exitsBefore), workerOutput: supervisor.output() });
  checks['fault injected as asked'] = fault.problems;
  const failures = Object.fromEntries(Object.entries(checks).filter(([, problems]) => problems.length > 0));
  const passed = Object.keys(failures).length === 0;
  const completed = outcomes.filter((o) => o.status === 'COMPLETED').length;
  const durations = outcomes.flatMap((o) => (o.ms === undefined ? [] : [o.ms]));
  const lastEndedAt = startedAt + Math.max(0, ...durations);
  const recovery = fault.lastFaultAt === undefined ? '' : `, the last ${seconds(Math.max(0, lastEndedAt - fault.lastFaultAt))} after the last fault`;
  const verdict = passed ? `${Object.keys(checks).length}/${Object.keys(checks).length} checks passed` : `FAILED: ${Object.keys(failures).join('; ')}`;
  const line =
    `${scenario.name}: ${passed ? 'PASS' : 'FAIL'}: ${completed}/${outcomes.length} completed in ${seconds(elapsedMs)} ` +
    `(p50 ${seconds(quantile(durations, 0.5))}${recovery}); ${fault.description}; ` +
    `${await retriedSteps(stack, outcomes)} steps retried; ${verdict}`;
  return { name: scenario.name, passed, line, failures };
}
