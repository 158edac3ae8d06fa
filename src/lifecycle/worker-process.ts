import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { composeApp } from '../app';
import type { Config } from '../config';
import { payloadKeysRequired } from '../config/payload-keys-required';
import { migrationStatus } from '../db/migrate';
import { EXIT } from '../exit-codes';
import { closeHealthServer, startHealthServer } from '../health-server';
import type { Logger } from '../logging';
import { samplePoolGauges } from '../metrics';
import { freePort } from '../net';
import { temporalConnectConfig } from '../temporal/connection-options';
import { startConfiguredTracing } from '../telemetry/tracing';
import { installRuntime } from '../temporal/runtime';
import { loadWorkflowCode, workflowCode } from '../worker';
import { reportConnectionShare } from './connection-share';
import { checkDatabase } from './database-startup';
import { waitForMigrations } from './migration-wait';
import { ResourceStack } from './resource-stack';
import { StartupError } from './startup-error';
import { claimStopSignals, throwIfStopped, unlessStopped } from './stop-signals';
import { checkNamespace, connectTemporal, temporalAnswers } from './temporal-startup';

/** Readiness asks the Temporal frontend within this; the probe's own timeout is longer. */
const TEMPORAL_READINESS_DEADLINE_MS = 1500;

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

  // Started before the pool and the Worker, so unwound after them: the spans of their last work are exported.
  const tracing = startConfiguredTracing(config.telemetry);
  if (tracing) {
    logger.info({ tracesUrl: config.telemetry!.tracesUrl, serviceName: config.telemetry!.serviceName }, 'tracing on: exporting spans over OTLP/HTTP');
    resources.push('the tracer provider (flushing spans)', () => tracing.shutdown());
  }
  const app = composeApp(config, logger, undefined, tracing);
  const knex = app.database.admin;
  resources.push('the database pool', () => app.close());
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
            const { pending } = await migrationStatus(app.database, config);
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
  await reportConnectionShare(knex, config, logger, Runtime.instance().metricMeter);

  const { connectionOptions, namespace } = temporalConnectConfig();
  const address = connectionOptions.address;
  const connection = await connectTemporal(connectionOptions, config.worker.dependencyWaitMs, stop, logger);
  resources.push('the Temporal connection', () => connection.close());
  started.connection = connection;
  await checkNamespace(connection, address, namespace, stop);

  started.phase = 'waiting for migrations';
  await waitForMigrations({
    pending: async () => (await migrationStatus(app.database, config)).pending,
    intervalMs: config.worker.migrationRecheckMs,
    stop,
    logger,
  });

  // Bundling from source takes seconds; done before the Worker exists, a stop need not wait for it.
  const workflows = await unlessStopped(stop, loadWorkflowCode(config));
  logger.info({ taskQueue: config.temporal.taskQueue }, 'migrations current; creating the Temporal worker');
  // Not raced against a stop: a Worker holds the connection from its creation on, and must be released
  // (below) before the connection closes.
  const worker = await app.createWorker({ connection, namespace, workflows });
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
