import type { MetricMeter } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { METRIC } from '../contracts/metric-names';
import { replicaShare, replicasThatFit, serverConnectionLimits } from '../db/connection-budget';
import { safeErrorMessage } from '../db/driver-errors';
import type { Logger } from '../logging';

/**
 * Logs and exposes, once at start-up, the connections this replica may open against what the server
 * allows, and how many replicas like it fit beside the migration Job: the operator's connection budget
 * (`doctor --hpa` checks it against the autoscaler's maximum). Behind PgBouncer the figures are the
 * server's while the share counts client connections to PgBouncer: the README's sizing section says how
 * to read them there. Informational: a failure to read the limits is logged, never fatal.
 */
export async function reportConnectionShare(knex: Knex, config: Config, logger: Logger, meter: MetricMeter): Promise<void> {
  const share = replicaShare(config);
  meter.createGauge(METRIC.dbConnectionShare, 'int', 'connections', 'Connections this replica may open on the server (its pools\u2019 maxima)').set(share.connections);
  try {
    const limits = await serverConnectionLimits(knex);
    meter.createGauge(METRIC.dbServerConnectionsAvailable, 'int', 'connections', 'max_connections less reserved slots, at start-up').set(limits.available);
    const fit = replicasThatFit(share, limits.available);
    const fields = { share: share.connections, poolMax: share.poolMax, separateStoragePool: share.separateStoragePool, ...limits, replicasThatFit: fit };
    const message = `connection budget: this replica opens at most ${share.connections} of the server's ${limits.available} connections; ${fit} replicas fit beside the migration Job`;
    if (fit < 1) logger.warn(fields, `${message}: lower DB_POOL_MAX or raise max_connections`);
    else logger.info(fields, message);
  } catch (error) {
    logger.warn({ reason: safeErrorMessage(error) }, 'connection budget: could not read max_connections');
  }
}
