import { NativeConnection } from '@temporalio/worker';
import { composeApp } from '../../src/app';
import { createLogger } from '../../src/logging';
import { temporalConnectConfig } from '../../src/temporal/connection-options';
import { PROVISIONING_STEPS, type ProvisioningStep } from '../../src/contracts/tenant-creation';
import { tenantRequest } from '../../test/harness/tenant-requests';
import { runConcurrently } from '../lib/concurrently';
import type { LoadShape } from './direct-phase';
import { meterActivities, type ActivityAttempt } from './metered-activities';
import { phaseResult, type PhaseResult } from './phase-result';
import { monitorPool } from './pool-monitor';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import type { QueryMeter } from './query-meter';
import { percentiles, quantile, type Percentiles } from '../lib/stats';
import { summarizeStep, type StepSummary } from './step-summary';
import { latencyBreakdown, medianBreakdown, type LatencyBreakdown } from './latency-breakdown';
import { performance } from 'node:perf_hooks';

export interface WorkerPhaseResult extends PhaseResult {
  /** Successful attempts of each forward step, as the worker ran them (run-record upsert included). */
  steps: Record<ProvisioningStep, StepSummary>;
  /** Statements of one provisioning, every attempt of every activity counted: median and worst. */
  statementsPerTenant: { median: number; max: number };
  /** Activity attempts after the first (retries). */
  retriedAttempts: number;
  /** Resident set size of the process hosting the worker, in MiB: before, after the first RSS_WARM_TENANTS, after all. */
  rssMiB: { before: number; afterWarm?: number; after: number };
  /** Latency of provisionings one at a time (concurrency 1), before the loaded run. */
  unloadedLatencyMs: Percentiles;
  /** Where the time of those unloaded provisionings went, medians (see latency-breakdown.ts). */
  unloadedBreakdownMs: LatencyBreakdown;
}

/** Memory growth is measured from here on: the first tenants fill caches (workflow cache, V8 code, pools). */
export const RSS_WARM_TENANTS = 200;

const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);

/** One provisioning through the typed client, waiting for its result (which is dropped: it may hold a password). */
async function provisionThroughTemporal(stack: ProvisioningStack): Promise<void> {
  const handle = await stack.client.start(tenantRequest());
  await handle.result();
}

/** One provisioning, then where its time went according to its history. */
async function provisionAndBreakDown(stack: ProvisioningStack): Promise<LatencyBreakdown> {
  const startedAt = performance.now();
  const handle = await stack.client.start(tenantRequest());
  await handle.result();
  const endToEndMs = performance.now() - startedAt;
  return latencyBreakdown((await handle.fetchHistory()).events ?? [], endToEndMs);
}

function summarizeAttempts(attempts: readonly ActivityAttempt[]): Pick<WorkerPhaseResult, 'steps' | 'statementsPerTenant' | 'retriedAttempts'> {
  const steps = Object.fromEntries(
    PROVISIONING_STEPS.map((step) => [step, summarizeStep(attempts.filter((a) => a.activity === step && a.succeeded).map((a) => a.measurement))]),
  ) as Record<ProvisioningStep, StepSummary>;
  const perTenant = new Map<string, number>();
  for (const a of attempts) perTenant.set(a.workflowId, (perTenant.get(a.workflowId) ?? 0) + a.measurement.statements);
  const statements = [...perTenant.values()];
  return {
    steps,
    statementsPerTenant: { median: quantile(statements, 0.5), max: Math.max(...statements) },
    retriedAttempts: attempts.filter((a) => a.attempt > 1).length,
  };
}

/**
 * N provisionings at concurrency C through the real client, Temporal server and worker: the worker
 * runs in this process (the composition root's Worker with the shared admin pool and the real activities,
 * each attempt metered), so its pool and memory can be watched from here.
 */
export async function runWorkerPhase(stack: ProvisioningStack, meter: QueryMeter, load: LoadShape, unloadedN: number): Promise<WorkerPhaseResult> {
  const { config, db } = stack;
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const attempts: ActivityAttempt[] = [];
  const app = composeApp(config, createLogger(config.logLevel), db.database);
  const activities = meterActivities(app.activities, meter, attempts);
  const worker = await app.createWorker({ connection, namespace, activities });
  const running = worker.run();
  try {
    await provisionThroughTemporal(stack); // warm-up: workflow cache, connections; not reported
    const unloaded = await runConcurrently(unloadedN, 1, () => provisionAndBreakDown(stack));
    attempts.length = 0;
    const before = rssMiB();
    let completed = 0;
    let afterWarm: number | undefined;
    const pool = monitorPool(db.knex, load.poolSize);
    const run = await runConcurrently(load.n, load.concurrency, async () => {
      await provisionThroughTemporal(stack);
      if (++completed === RSS_WARM_TENANTS) afterWarm = rssMiB();
    });
    pool.stop();
    return {
      ...phaseResult(run, pool.figures()),
      ...summarizeAttempts(attempts),
      rssMiB: { before, afterWarm, after: rssMiB() },
      unloadedLatencyMs: percentiles(unloaded.outcomes.filter((o) => o.ok).map((o) => o.ms)),
      unloadedBreakdownMs: medianBreakdown(unloaded.outcomes.flatMap((o) => (o.ok ? [o.value] : []))),
    };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
  }
}
