import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ProvisioningActivities } from './activities';
import type { Config } from './config';
import { EXIT } from './exit-codes';
import { StartupError } from './lifecycle/startup-error';
import { dataConverter } from './temporal/data-converter';
import { WORKFLOW_BUNDLE, WORKFLOW_BUNDLE_TRACED, workflowInterceptorModules } from './workflow-bundles';
import type { Tracing } from './telemetry/tracing';

/**
 * Written by `npm run build`; when absent (ts-node, tests) the worker bundles src/workflows itself. The
 * traced bundle also holds the OpenTelemetry workflow interceptors: a worker without tracing runs none.
 */
const prebuiltBundle = (traced: boolean) => join(__dirname, traced ? WORKFLOW_BUNDLE_TRACED : WORKFLOW_BUNDLE);
/** Compiled JavaScript (dist/) is an installation: it ships the prebuilt bundle, as NODE_ENV=production requires. */
const RUNNING_COMPILED = __filename.endsWith('.js');
/**
 * The workflow code the Worker loads: the prebuilt bundle when there is one. In production (NODE_ENV=production,
 * or compiled JavaScript) a missing bundle is an incomplete installation, not something to build at start-up.
 */
export function workflowCode(config: Config): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const bundle = prebuiltBundle(config.telemetry !== undefined);
  if (existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  if (config.worker.production || RUNNING_COMPILED) {
    throw new StartupError(`the workflow bundle ${bundle} is missing: build it with 'npm run build' (the image does), or unset NODE_ENV=production to bundle from source`, EXIT.SOFTWARE);
  }
  return { workflowsPath: require.resolve('./workflows') };
}

/** The workflow code as the Worker takes it, bundled here when there is no prebuilt bundle (from source). */
export async function loadWorkflowCode(config: Config): Promise<Pick<WorkerOptions, 'workflowBundle'>> {
  const code = workflowCode(config);
  if (code.workflowBundle) return { workflowBundle: code.workflowBundle };
  const { code: bundled } = await bundleWorkflowCode({
    workflowsPath: code.workflowsPath!,
    workflowInterceptorModules: workflowInterceptorModules(config.telemetry !== undefined),
    logger: Runtime.instance().logger,
  });
  return { workflowBundle: { code: bundled } };
}

export interface ProvisioningWorkerOptions {
  config: Config;
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  /** The activities, bound to the shared pool by the composition root (src/app.ts). */
  activities: ProvisioningActivities;
  /** Defaults to workflowCode(config): the prebuilt bundle, or src/workflows bundled by Worker.create. */
  workflows?: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;
  /** The process's tracing: activity spans, and workflow spans through the exporter sink. */
  tracing?: Tracing;
}

/** The Temporal worker with the provisioning workflow and the given activities. */
export function createProvisioningWorker({ config, connection, namespace, taskQueue, activities, workflows, tracing }: ProvisioningWorkerOptions): Promise<Worker> {
  const code = workflows ?? workflowCode(config);
  return Worker.create({
    ...tracingOptions(tracing, code),
    connection,
    namespace,
    taskQueue: taskQueue ?? config.temporal.taskQueue,
    activities,
    ...code,
    dataConverter: dataConverter(config.temporal.payloadKeys, 'mark'),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    // The SDK would send a step's heartbeats 8 s apart (0.8 x the workflow's 10 s heartbeatTimeout): too
    // close to the timeout on a busy node. Every 2 s leaves a missed heartbeat room before a retry.
    maxHeartbeatThrottleInterval: '2 seconds',
    shutdownGraceTime: config.worker.shutdownGraceMs,
  });
}

/**
 * Tracing's interceptors and workflow span sink. Its workflow modules are for a Worker that bundles from
 * workflowsPath; a given bundle already is the traced one (workflowCode and loadWorkflowCode pick it).
 */
function tracingOptions(tracing: Tracing | undefined, code: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing) return {};
  const { interceptors, sinks } = tracing.workerOptions();
  return { sinks, interceptors: code.workflowBundle ? { ...interceptors, workflowModules: [] } : interceptors };
}
