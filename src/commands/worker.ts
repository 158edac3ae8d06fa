import { parseArgs } from 'node:util';
import { getConfig } from '../config';
import { EXIT } from '../exit-codes';
import { createLogger } from '../logging';
import { runWorker } from '../lifecycle/worker-process';

export const WORKER_USAGE = `Usage: tenant-workflows worker

Runs the Temporal worker on TEMPORAL_TASK_QUEUE until SIGTERM or SIGINT, serving /healthz, /readyz
and /metrics on HTTP_PORT. Configuration comes from the environment (see the README).`;

export async function workerCommand(argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true });
  const config = getConfig();
  await runWorker(config, createLogger(config.logLevel));
  return EXIT.OK;
}
