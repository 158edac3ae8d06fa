import { NativeConnection } from '@temporalio/worker';
import { composeApp } from '../../src/app';
import { connectProvisioningClient, type ProvisioningClient } from '../../src/client';
import type { Config } from '../../src/config';
import { createLogger } from '../../src/logging';
import type { Tracing } from '../../src/telemetry/tracing';
import { closeTestDatabase, testDatabase } from './test-database';

export interface TracedWorker {
  /** The client as the SaaS backend composes it: it shares the process's tracer provider. */
  client: ProvisioningClient;
  /** Closes the client, the worker, its connection and the test database, then shuts tracing down. */
  stop: () => Promise<void>;
}

/** A worker of the composition root with `tracing`, in this process, on the test database, and a client. */
export async function startTracedWorker(config: Config, tracing: Tracing | undefined): Promise<TracedWorker> {
  const app = composeApp(config, createLogger(config.logLevel), testDatabase(), tracing);
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await app.createWorker({ connection, namespace: 'default' });
  const running = worker.run();
  const provisioning = await connectProvisioningClient(config);
  return {
    client: provisioning.client,
    stop: async () => {
      await provisioning.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await closeTestDatabase();
      await tracing?.shutdown();
    },
  };
}
