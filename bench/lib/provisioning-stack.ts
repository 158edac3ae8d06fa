import { randomBytes, randomUUID } from 'node:crypto';
import { connectProvisioningClient, type ProvisioningClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { startLocalTemporal } from '../../src/dev/local-temporal';
import { startBenchDatabase, type BenchDatabase } from './bench-database';
import { saveEnv } from './saved-env';

export interface ProvisioningStack {
  db: BenchDatabase;
  /** The process's configuration: the throwaway database, this run's task queue and payload key. */
  config: Config;
  /** Where PostgreSQL and Temporal came from, for the report. */
  sources: { postgres: string; temporal: string };
  /** The environment a `tenant-workflows worker` process needs to serve this stack. */
  workerEnv: NodeJS.ProcessEnv;
  client: ProvisioningClient;
  /** Closes the client, stops what this stack started and restores process.env. */
  stop: () => Promise<void>;
}

const STACK_VARIABLES = ['TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'PAYLOAD_ENCRYPTION_KEYS'];

/**
 * PostgreSQL (a migrated throwaway database, see startBenchDatabase), a Temporal server
 * (TEMPORAL_ADDRESS, else a local dev server on 127.0.0.1), a task queue of this run's own and a
 * payload key (PAYLOAD_ENCRYPTION_KEYS, else a random one), and a connected ProvisioningClient.
 * Call after the process's Temporal Runtime is installed, if it installs one.
 */
export async function startProvisioningStack(options: {
  taskQueuePrefix: string;
  embeddedDatabase?: boolean;
  /** Dynamic config of the local dev server this stack starts (ignored with TEMPORAL_ADDRESS). */
  dynamicConfig?: Record<string, string | number | boolean>;
}): Promise<ProvisioningStack> {
  const stops: Array<() => Promise<void>> = [saveEnv(STACK_VARIABLES)];
  const stop = async () => {
    while (stops.length > 0) await stops.shift()?.();
  };
  try {
    process.env.TEMPORAL_TASK_QUEUE = `${options.taskQueuePrefix}-${randomUUID()}`;
    process.env.PAYLOAD_ENCRYPTION_KEYS ||= `bench:${randomBytes(32).toString('base64')}`;
    let temporal = `existing server at ${process.env.TEMPORAL_ADDRESS}`;
    if (!process.env.TEMPORAL_ADDRESS) {
      const server = await startLocalTemporal({ log: (message) => console.error(message), dynamicConfig: options.dynamicConfig });
      stops.unshift(() => server.teardown());
      process.env.TEMPORAL_ADDRESS = server.address;
      const settings = Object.entries(options.dynamicConfig ?? {}).map(([key, value]) => `${key}=${String(value)}`);
      temporal = `local dev server at ${server.address}${settings.length > 0 ? ` (${settings.join(', ')})` : ''}`;
    }
    const db = await startBenchDatabase({ embedded: options.embeddedDatabase ?? false });
    stops.unshift(db.stop);
    const config = loadConfig({ ...process.env, DB_NAME_SERVER: db.config.db.database });
    const { client, close } = await connectProvisioningClient(config);
    stops.unshift(close);
    const workerEnv = { ...process.env, DB_NAME_SERVER: config.db.database };
    return { db, config, sources: { postgres: db.source, temporal }, workerEnv, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
