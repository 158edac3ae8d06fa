import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities, type ProvisioningActivities } from './activities';
import type { Config } from './config';
import { payloadKeysRequired } from './config/payload-keys-required';
import { destroyAdminConnection, getAdminConnection } from './db/admin';
import { runRecords } from './db/run-records';
import { migrationDatabases, migrationStatus } from './db/migrate';
import { EXIT } from './exit-codes';
import { closeHealthServer, startHealthServer } from './health-server';
import { checkDatabase } from './lifecycle/database-startup';
import { waitForMigrations } from './lifecycle/migration-wait';
import { ResourceStack } from './lifecycle/resource-stack';
import { StartupError } from './lifecycle/startup-error';
import { claimStopSignals, throwIfStopped, unlessStopped } from './lifecycle/stop-signals';
import { checkNamespace, connectTemporal, temporalAnswers } from './lifecycle/temporal-startup';
import type { Logger } from './logging';
import { samplePoolGauges } from './metrics';
import { freePort } from './net';
import { temporalConnectConfig } from './temporal/connection-options';
import { dataConverter } from './temporal/data-converter';
import { installRuntime } from './temporal/runtime';

/** Written by `npm run build`; when absent (ts-node, tests) the worker bundles src/workflows itself. */
const PREBUILT_BUNDLE = join(__dirname, 'workflow-bundle.js');
/** Compiled JavaScript (dist/) is an installation: it ships the prebuilt bundle, as NODE_ENV=production requires. */
const RUNNING_COMPILED = __filename.endsWith('.js');
/** Readiness asks the Temporal frontend within this; the probe's own timeout is longer. */
const TEMPORAL_READINESS_DEADLINE_MS = 1500;

/**
 * The workflow code the Worker loads: the prebuilt bundle when there is one. In production (NODE_ENV=production,
 * or compiled JavaScript) a missing bundle is an incomplete installation, not something to build at start-up.
 */
export function workflowCode(config: Config): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (existsSync(PREBUILT_BUNDLE)) return { workflowBundle: { codePath: PREBUILT_BUNDLE } };
  if (config.worker.production || RUNNING_COMPILED) {
    throw new StartupError(`the workflow bundle ${PREBUILT_BUNDLE} is missing: build it with 'npm run build' (the image does), or unset NODE_ENV=production to bundle from source`, EXIT.SOFTWARE);
  }
  return { workflowsPath: require.resolve('./workflows') };
}

/** The workflow code as the Worker takes it, bundled here when there is no prebuilt bundle (from source). */
async function loadWorkflowCode(config: Config): Promise<Pick<WorkerOptions, 'workflowBundle'>> {
  const code = workflowCode(config);
  if (code.workflowBundle) return { workflowBundle: code.workflowBundle };
  const { code: bundled } = await bundleWorkflowCode({ workflowsPath: code.workflowsPath!, logger: Runtime.instance().logger });
  return { workflowBundle: { code: bundled } };
}

export interface ProvisioningWorkerOptions {
  config: Config;
  knex: Knex;
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  /** Defaults to the real activities bound to `knex`; tests pass wrapped ones to inject faults. */
  activities?: ProvisioningActivities;
  /** Defaults to workflowCode(config): the prebuilt bundle, or src/workflows bundled by Worker.create. */
  workflows?: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
}

/** The Temporal worker with the provisioning workflow and the activities bound to the shared pool. */
export function createProvisioningWorker({ config, knex, connection, namespace, taskQueue, activities, workflows }: ProvisioningWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue: taskQueue ?? config.temporal.taskQueue,
    activities: activities ?? createActivities({ knex, bcryptCost: config.bcryptCost, runs: runRecords(config, knex) }),
    ...(workflows ?? workflowCode(config)),
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

/** Where start-up is, for /readyz before the Worker runs. */
type Phase = 'starting' | 'waiting for migrations' | 'running';

/**
 * `tenant-workflows worker`, one ordered start-up: configuration checks, the Runtime, the health server,
 * PostgreSQL, the Temporal connection and namespace, the migrations (waited for, not polled past), the
 * Worker. Whatever fails, or a SIGTERM/SIGINT at any point, tears down what was built in reverse and
 * throws a StartupError naming the cause. Once running, SIGTERM/SIGINT stops polling, gives in-flight
 * activities SHUTDOWN_GRACE_MS, and the same teardown closes the rest.
 */
export async function runWorker(config: Config, logger: Logger, options: { metricsUrl?: string } = {}): Promise<void> {
  const stop = claimStopSignals();
  const resources = new ResourceStack(logger);
  try {
    await startAndRun(config, logger, stop, resources, options.metricsUrl);
  } finally {
    await resources.unwind();
    logger.info('worker stopped');
  }
}

async function startAndRun(config: Config, logger: Logger, stop: AbortSignal, resources: ResourceStack, givenMetricsUrl: string | undefined): Promise<void> {
  if (config.temporal.payloadKeys.length === 0) {
    throw payloadKeysRequired('the worker');
  }
  workflowCode(config);
  const metricsUrl = givenMetricsUrl ?? (await installWorkerRuntime(config, logger));
  // Installed here, so shut down here; dev mode (givenMetricsUrl) installs its own and keeps it.
  if (!givenMetricsUrl) {
    // This instance: Runtime.instance() would install a new one if this one already shut itself down when idle.
    const runtime = Runtime.instance();
    resources.push('the Temporal runtime', () => runtime.shutdown());
  }

  const knex = getAdminConnection(config, logger);
  resources.push('the database pool', destroyAdminConnection);
  resources.push('the pool gauges', samplePoolGauges(Runtime.instance().metricMeter, knex));

  /** What readiness reports on, filled in as start-up goes. */
  const started: { phase: Phase; connection?: NativeConnection; worker?: Worker } = { phase: 'starting' };
  const server = await unlessStopped(
    stop,
    startHealthServer({
      port: config.worker.httpPort,
      metricsUrl,
      logger,
      readiness: [
        { name: 'worker', check: () => Promise.resolve(started.worker ? started.worker.getState() === 'RUNNING' || started.worker.getState() : started.phase) },
        {
          name: 'temporal',
          check: () => (started.connection ? temporalAnswers(started.connection, TEMPORAL_READINESS_DEADLINE_MS) : Promise.resolve('not connected')),
        },
        { name: 'database', check: async () => Boolean(await knex.raw('SELECT 1')) },
        {
          name: 'migrations',
          check: async () => {
            const { pending } = await migrationStatus(migrationDatabases(config), config);
            return pending.length === 0 || `${pending.length} pending: ${pending.join(', ')}`;
          },
        },
      ],
    }).catch((error: unknown) => {
      throw healthServerFailure(error, config.worker.httpPort);
    }),
    (late) => closeHealthServer(late),
  );
  resources.push('the health server', () => closeHealthServer(server));

  await checkDatabase(knex, config.db, config.worker.dependencyWaitMs, stop, logger);

  const { connectionOptions, namespace } = temporalConnectConfig();
  const address = connectionOptions.address;
  const connection = await connectTemporal(connectionOptions, config.worker.dependencyWaitMs, stop, logger);
  resources.push('the Temporal connection', () => connection.close());
  started.connection = connection;
  await checkNamespace(connection, address, namespace, stop);

  started.phase = 'waiting for migrations';
  await waitForMigrations({
    pending: async () => (await migrationStatus(migrationDatabases(config), config)).pending,
    intervalMs: config.worker.migrationRecheckMs,
    stop,
    logger,
  });

  // Bundling from source takes seconds; done before the Worker exists, a stop need not wait for it.
  const workflows = await unlessStopped(stop, loadWorkflowCode(config));
  logger.info({ taskQueue: config.temporal.taskQueue }, 'migrations current; creating the Temporal worker');
  // Not raced against a stop: a Worker holds the connection from its creation on, and must be released
  // (below) before the connection closes.
  const worker = await createProvisioningWorker({ config, knex, connection, namespace, workflows });
  const running: { run?: Promise<void> } = {};
  resources.push('the Temporal worker', async () => {
    if (!running.run) return releaseUnrun(worker);
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // Its failure, if any, is what runWorker throws; here it only has to be over.
    await running.run.catch(() => undefined);
  });
  started.worker = worker;
  throwIfStopped(stop);

  started.phase = 'running';
  running.run = worker.run();
  stop.addEventListener('abort', () => {
    logger.info({ signal: (stop.reason as { signal?: string }).signal, graceMs: config.worker.shutdownGraceMs }, 'shutting down: no new tasks, waiting for in-flight activities');
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace, address, httpPort: config.worker.httpPort }, 'worker started');
  await running.run;
}

/** A Worker holds its connection until its run ends; one created but never run is released by a run that ends at once. */
async function releaseUnrun(worker: Worker): Promise<void> {
  await worker.runUntil(Promise.resolve());
}

function healthServerFailure(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`HTTP_PORT ${port} is already in use by another process: stop that process, or set HTTP_PORT to a free port`, EXIT.TEMP_FAILURE);
  }
  if (code === 'EACCES') {
    return new StartupError(`HTTP_PORT ${port} may not be bound by this user (EACCES): set HTTP_PORT to a port above 1023`, EXIT.NO_PERMISSION);
  }
  return error;
}
