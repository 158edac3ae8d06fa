import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli } from './temporal-cli';

export interface LocalTemporalOptions {
  /** SQLite file to keep workflow history across restarts; in-memory when omitted. */
  dbFilename?: string;
  port?: number;
  ui?: boolean;
  uiPort?: number;
  /** The codec server the UI decodes payloads with (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  log: (message: string) => void;
}

/**
 * Starts a local Temporal dev server through @temporalio/testing (a development dependency, loaded
 * only here), from the temporal CLI resolveTemporalCli finds, or else the SDK's own download.
 */
export async function startLocalTemporal(options: LocalTemporalOptions): Promise<TestWorkflowEnvironment> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const cli = await resolveTemporalCli(options.log);
  if (!cli) options.log('no temporal CLI and no Go toolchain found; letting the Temporal SDK download the dev server');
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(cli ? { executable: { type: 'existing-path', path: cli } } : {}),
      ip: '127.0.0.1',
      port: options.port,
      dbFilename: options.dbFilename,
      ui: options.ui ?? false,
      uiPort: options.uiPort,
      ...(options.uiCodecEndpoint ? { extraArgs: ['--ui-codec-endpoint', options.uiCodecEndpoint] } : {}),
    },
  });
}
