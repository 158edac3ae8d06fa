import type { Knex } from 'knex';
import type { Config } from '../config';

/** What the server allows: max_connections less the slots reserved for superusers (and reserved_connections, PostgreSQL 16+). */
export interface ServerConnectionLimits {
  maxConnections: number;
  /** Connections ordinary roles may open. */
  available: number;
  /** Client backends connected now, on every database. */
  inUse: number;
}

export async function serverConnectionLimits(knex: Knex): Promise<ServerConnectionLimits> {
  const { rows } = await knex.raw<{ rows: Array<{ max: string; reserved: string; extra: string | null; in_use: string }> }>(
    `SELECT current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved,
            current_setting('reserved_connections', true) AS extra, (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use`,
  );
  const row = rows[0]!;
  return { maxConnections: Number(row.max), available: Number(row.max) - Number(row.reserved) - Number(row.extra ?? 0), inUse: Number(row.in_use) };
}

/** The connections one worker replica may open on the admin connection's server: its share of the budget. */
export interface ReplicaShare {
  poolMax: number;
  /** A second pool on the same server for the run records (WORKFLOW_STORAGE_DB_*), or false. */
  separateStoragePool: boolean;
  connections: number;
}

export function replicaShare(config: Config): ReplicaShare {
  const pool = config.db.pool.max;
  const storage = config.storage.db;
  const separateStoragePool = storage !== undefined && storage.host === config.db.host && storage.port === config.db.port;
  return { poolMax: pool, separateStoragePool, connections: pool * (separateStoragePool ? 2 : 1) };
}

/** `replicas` replicas' shares plus the migration Job's pool (DB_POOL_MAX): what must fit under `available`. */
export function connectionBudget(share: ReplicaShare, replicas: number): number {
  return replicas * share.connections + share.poolMax;
}

/** How many replicas fit beside the migration Job, at most. */
export function replicasThatFit(share: ReplicaShare, available: number): number {
  return Math.max(0, Math.floor((available - share.poolMax) / share.connections));
}
