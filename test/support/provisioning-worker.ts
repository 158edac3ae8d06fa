import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { ProvisioningActivities } from '../../src/activities';
import { composeApp } from '../../src/app';
import { ProvisioningClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { closeTestDatabase, testDatabase } from './test-database';
import { dataConverter } from '../../src/temporal/data-converter';
import type { RunRecords } from '../../src/db/run-records';
import { createLogger } from '../../src/logging';

export type ActivityOverrides = (real: ProvisioningActivities) => Partial<ProvisioningActivities>;

export interface ProvisioningHarness {
  config: Config;
  knex: Knex;
  /** The run records the harness's activities write. */
  runs: RunRecords;
  taskQueue: string;
  client: ProvisioningClient;
  /** Starts a worker on the task queue with the real activities, some replaced by `overrides`. */
  startWorker: (overrides?: ActivityOverrides) => Promise<{ worker: Worker; running: Promise<void> }>;
  close: () => Promise<void>;
}

/** A worker + typed client on a fresh task queue of the test Temporal server, using the real pool and activities. */
export async function provisioningHarness(): Promise<ProvisioningHarness> {
  const config = loadConfig(process.env);
  const app = composeApp(config, createLogger(config.logLevel), testDatabase());
  const knex = app.database.admin;
  const taskQueue = `provisioning-${randomUUID()}`;
  const address = process.env.TEMPORAL_ADDRESS!;
  const workerConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new ProvisioningClient(new Client({ connection, dataConverter: dataConverter(config.temporal.payloadKeys) }), taskQueue);
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];

  return {
    config,
    knex,
    runs: app.runs,
    taskQueue,
    client,
    async startWorker(overrides) {
      const activities = { ...app.activities, ...overrides?.(app.activities) };
      const worker = await app.createWorker({ connection: workerConnection, namespace: 'default', taskQueue, activities });
      const entry = { worker, running: worker.run() };
      workers.push(entry);
      return entry;
    },
    async close() {
      for (const { worker, running } of workers) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
      }
      await connection.close();
      await workerConnection.close();
    },
  };
}

/**
 * Registers, for the calling test file, a harness whose worker (with `overrides`) starts before all tests
 * and which closes, with the pool, after them. The returned object is filled in by beforeAll.
 */
export function useProvisioningHarness(overrides?: ActivityOverrides): ProvisioningHarness {
  const harness = {} as ProvisioningHarness;
  beforeAll(async () => {
    Object.assign(harness, await provisioningHarness());
    await harness.startWorker(overrides);
  });
  afterAll(async () => {
    await harness.close();
    await closeTestDatabase();
  });
  return harness;
}
