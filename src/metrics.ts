import type { MetricMeter } from '@temporalio/common';
import type { Knex } from 'knex';
import { METRIC } from './contracts/metric-names';

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** Samples the pool's connections in use and waiting acquirers every interval; returns a stop function. */
export function samplePoolGauges(meter: MetricMeter, knex: Knex, intervalMs = 1000): () => void {
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
  return () => clearInterval(timer);
}
