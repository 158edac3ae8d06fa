import type { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities, type ProvisioningActivities } from './activities';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { runRecords, type RunRecords } from './db/run-records';
import { createLogger, type Logger } from './logging';
import type { Tracing } from './telemetry/tracing';
import { traceQueries } from './telemetry/sql-spans';
import { createProvisioningWorker } from './worker';

/**
 * The composition root: the one place that builds the process's parts from its Config, in the one
 * direction data flows (config -> Database -> run records -> activities -> Worker). A process composes
 * one App, so it has one shared admin pool; commands, the worker's lifecycle and tests take what they
 * need from it instead of building their own.
 */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly runs: RunRecords;
  /** The activities the worker registers, bound to the shared admin pool and the run records. */
  readonly activities: ProvisioningActivities;
  /** The process's tracing, when on: the Worker gets its interceptors, the pools' statements become spans. */
  readonly tracing: Tracing | undefined;
  /** The Temporal Worker with this App's activities; `overrides` lets tests wrap the activities. */
  createWorker(options: {
    connection: NativeConnection;
    namespace: string;
    taskQueue?: string;
    workflows?: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
    activities?: ProvisioningActivities;
  }): Promise<Worker>;
  /** Closes the database pools. */
  close(): Promise<void>;
}

/**
 * `database` is for tests that share one Database between an App and their own queries; the App closes it.
 * `tracing`, started by the process (src/telemetry), turns on spans for the Worker and the SQL statements.
 */
export function composeApp(config: Config, logger: Logger, database: Database = openDatabase(config, logger), tracing?: Tracing): App {
  if (tracing) {
    traceQueries(database.admin, config.db.database);
    if (database.storage !== database.admin) traceQueries(database.storage, config.storage.db?.database ?? config.db.database);
  }
  const runs = runRecords(config, database);
  const activities = createActivities({ knex: database.admin, bcryptCost: config.bcryptCost, runs, offboarding: config.offboarding });
  return {
    config,
    logger,
    database,
    runs,
    activities,
    tracing,
    createWorker: (options) => createProvisioningWorker({ config, tracing, ...options, activities: options.activities ?? activities }),
    close: () => database.close(),
  };
}

/** Runs fn with an App of its own and closes it afterwards: what a command that is not the worker does. */
export async function withApp<T>(config: Config, fn: (app: App) => Promise<T>, logger: Logger = createLogger(config.logLevel)): Promise<T> {
  const app = composeApp(config, logger);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
