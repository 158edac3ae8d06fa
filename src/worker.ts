import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities, type ProvisioningActivities } from './activities';
import type { Config } from './config';
import { destroyAdminConnection, getAdminConnection } from './db/admin';
import { runRecords } from './db/run-records';
import { migrationDatabases, migrationStatus } from './db/migrate';
import { startHealthServer } from './health-server';
import type { Logger } from './logging';
import { samplePoolGauges } from './metrics';
import { freePort } from './net';
import { temporalConnectConfig } from './temporal/connection-options';
import { dataConverter } from './temporal/data-converter';
import { installRuntime } from './temporal/runtime';

/** Written by `npm run build`; when absent (ts-node, tests) the worker bundles src/workflows itself. */
const PREBUILT_BUNDLE = join(__dirname, 'workflow-bundle.js');

export interface ProvisioningWorkerOptions {
  config: Config;
  knex: Knex;
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  /** Defaults to the real activities bound to `knex`; tests pass wrapped ones to inject faults. */
  activities?: ProvisioningActivities;
}

/** The Temporal worker with the provisioning workflow and the activities bound to the shared pool. */
export function createProvisioningWorker({ config, knex, connection, namespace, taskQueue, activities }: ProvisioningWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? config.temporal.taskQueue,
    activities: activities ?? createActivities({ knex, bcryptCost: config.bcryptCost, runs: runRecords(config, knex) }),
    ...(existsSync(PREBUILT_BUNDLE) ? { workflowBundle: { codePath: PREBUILT_BUNDLE } } : { workflowsPath: require.resolve('./workflows') }),
    dataConverter: dataConverter(config.temporal.payloadKeys, 'mark'),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    // The SDK would send a step's heartbeats 8 s apart (0.8 x the workflow's 10 s heartbeatTimeout): too
    // close to the timeout on a busy node. Every 2 s leaves a missed heartbeat room before a retry.
    maxHeartbeatThrottleInterval: '2 seconds',
    shutdownGraceTime: config.worker.shutdownGraceMs,
  });
}

/**
 * Installs the process's Temporal Runtime with Prometheus metrics on a private port; returns the URL
 * /metrics proxies. Call before anything else touches Temporal (dev mode starts a dev server after it).
 */
export async function installWorkerRuntime(config: Config, logger: Logger): Promise<string> {
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  installRuntime(logger, config.logLevel, metricsAddress);
  return `http://${metricsAddress}/metrics`;
}

/**
 * `tenant-workflows worker`: runs until SIGTERM/SIGINT, then stops polling, gives in-flight activities
 * SHUTDOWN_GRACE_MS to finish, and closes the health server, the pool and the Temporal connection.
 */
export async function runWorker(config: Config, logger: Logger, options: { metricsUrl?: string } = {}): Promise<void> {
  if (config.temporal.payloadKeys.length === 0) {
    throw new Error('PAYLOAD_ENCRYPTION_KEYS is required by the worker: workflow payloads carry passwords; generate a key with: echo "k1:$(openssl rand -base64 32)"');
  }
  const metricsUrl = options.metricsUrl ?? (await installWorkerRuntime(config, logger));
  const knex = getAdminConnection(config, logger);
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  let server: Server | undefined;
  const stopPoolGauges = samplePoolGauges(Runtime.instance().metricMeter, knex);
  try {
    const worker = await createProvisioningWorker({ config, knex, connection, namespace });
    server = await startHealthServer({
      port: config.worker.httpPort,
      metricsUrl,
      logger,
      readiness: [
        { name: 'worker', check: () => Promise.resolve(worker.getState() === 'RUNNING' || worker.getState()) },
        { name: 'database', check: async () => Boolean(await knex.raw('SELECT 1')) },
        {
          name: 'migrations',
          check: async () => {
            const { pending } = await migrationStatus(migrationDatabases(config), config);
            return pending.length === 0 || `${pending.length} pending: ${pending.join(', ')}`;
          },
        },
      ],
    });
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal, graceMs: config.worker.shutdownGraceMs }, 'shutting down: no new tasks, waiting for in-flight activities');
      worker.shutdown();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    logger.info({ taskQueue: config.temporal.taskQueue, namespace, address: connectionOptions.address, httpPort: config.worker.httpPort }, 'worker started');
    try {
      await worker.run();
    } finally {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    }
  } finally {
    stopPoolGauges();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await destroyAdminConnection();
    await connection.close();
    logger.info('worker stopped');
  }
}
