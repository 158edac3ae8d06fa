import type { MetricMeter } from '@temporalio/common';
import type { Knex } from 'knex';
import { METRIC } from './contracts/metric-names';
import { guardOf } from './db/writable-primary';

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** Counts the pool's connection checks, discarded connections and recoveries (src/db/writable-primary.ts); returns a stop function. */
export function countFailoverEvents(meter: MetricMeter, knex: Knex): () => void {
  const guard = guardOf(knex);
  if (!guard) return () => undefined;
  const checks = meter.createCounter(METRIC.dbConnectionChecks, 'checks', 'New connections of the admin pool checked for a writable primary, by result');
  const discarded = meter.createCounter(METRIC.dbConnectionsDiscarded, 'connections', 'Connections of the admin pool discarded instead of reused, by reason');
  const recoveries = meter.createCounter(METRIC.dbRecoveries, 'recoveries', 'Database faults followed by a new connection to a writable primary');
  const lastRecovery = meter.createGauge(METRIC.dbLastRecovery, 'float', 's', 'Seconds from the first fault to the next writable connection, last recovery');
  return guard.subscribe({
    checked: (result) => checks.add(1, { result }),
    discarded: (reason) => discarded.add(1, { reason }),
    recovered: (ms) => {
      recoveries.add(1);
      lastRecovery.set(ms / 1000);
    },
  });
}

/**
 * Samples the pool's connections in use and waiting acquirers every interval, and counts its failover
 * events (countFailoverEvents); returns a stop function.
 */
export function samplePoolGauges(meter: MetricMeter, knex: Knex, intervalMs = 1000): () => void {
  const stopCounting = countFailoverEvents(meter, knex);
  const inUse = meter.createGauge(METRIC.poolInUse, 'int', 'connections', 'Connections of the admin pool in use');
  const waiting = meter.createGauge(METRIC.poolWaiting, 'int', 'requests', 'Queries waiting for a connection of the admin pool');
  const size = meter.createGauge(METRIC.poolSize, 'int', 'connections', 'Connections open in the admin pool');
  const timer = setInterval(() => {
    const pool = (knex.client as { pool?: TarnPool }).pool;
    if (!pool) return;
    inUse.set(pool.numUsed());
    waiting.set(pool.numPendingAcquires());
    size.set(pool.numUsed() + pool.numFree());
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopCounting();
  };
}
