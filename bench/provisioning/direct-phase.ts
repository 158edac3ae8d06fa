import type { Knex } from 'knex';
import { PROVISIONING_STEPS, type ProvisioningStep } from '../../src/contracts/tenant-creation';
import { runConcurrently } from '../lib/concurrently';
import { provisionMeasured } from './direct-provisioning';
import { phaseResult, type PhaseResult } from './phase-result';
import { monitorPool } from './pool-monitor';
import type { QueryMeter } from './query-meter';
import { summarizeSteps, type StepSummary } from './step-summary';
import { percentiles, type Percentiles } from '../lib/stats';

export interface DirectPhaseResult extends PhaseResult {
  steps: Record<ProvisioningStep, StepSummary>;
  /** Median statements of one provisioning, BEGIN and COMMIT included. */
  statementsPerTenant: number;
  /** Latency of provisionings one at a time (concurrency 1), before the loaded run. */
  unloadedLatencyMs: Percentiles;
}

export interface LoadShape {
  n: number;
  concurrency: number;
  bcryptCost: number;
  poolSize: number;
}

/** N provisionings at concurrency C through the operations themselves: the baseline without Temporal. */
export async function runDirectPhase(knex: Knex, meter: QueryMeter, load: LoadShape, unloadedN: number): Promise<DirectPhaseResult> {
  await provisionMeasured(knex, meter, load.bcryptCost); // warm-up: connections, JIT; not reported
  const unloaded = await runConcurrently(unloadedN, 1, () => provisionMeasured(knex, meter, load.bcryptCost));
  const pool = monitorPool(knex, load.poolSize);
  const run = await runConcurrently(load.n, load.concurrency, () => provisionMeasured(knex, meter, load.bcryptCost));
  pool.stop();
  const steps = summarizeSteps(PROVISIONING_STEPS, run.outcomes.flatMap((o) => (o.ok ? [o.value] : [])));
  return {
    ...phaseResult(run, pool.figures()),
    steps,
    statementsPerTenant: PROVISIONING_STEPS.reduce((sum, step) => sum + steps[step].statements, 0),
    unloadedLatencyMs: percentiles(unloaded.outcomes.filter((o) => o.ok).map((o) => o.ms)),
  };
}
