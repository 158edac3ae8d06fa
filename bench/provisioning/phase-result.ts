import type { TimedRun } from '../lib/concurrently';
import type { PoolFigures } from './pool-monitor';
import { percentiles, round, type Percentiles } from '../lib/stats';

/** What every load phase reports: how many provisionings, how fast, how the pool held up. */
export interface PhaseResult {
  provisionings: number;
  failed: number;
  tenantsPerSecond: number;
  latencyMs: Percentiles;
  /** CPU time per provisioning: this process's (the Temporal server and PostgreSQL run apart), and the machine's. */
  cpuMsPerTenant: { process: number; machine: number };
  pool: PoolFigures;
}

/** Throughput and latency of the successful provisionings of a run (failures are counted apart). */
export function phaseResult(run: TimedRun<unknown>, pool: PoolFigures): PhaseResult {
  const succeeded = run.outcomes.filter((o) => o.ok);
  return {
    provisionings: run.outcomes.length,
    failed: run.outcomes.length - succeeded.length,
    tenantsPerSecond: round(succeeded.length / (run.elapsedMs / 1000)),
    latencyMs: percentiles(succeeded.map((o) => o.ms)),
    cpuMsPerTenant: { process: round(run.cpuMs / run.outcomes.length), machine: round(run.machineCpuMs / run.outcomes.length) },
    pool,
  };
}
