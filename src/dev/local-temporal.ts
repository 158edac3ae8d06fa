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
  /** Dynamic config values (`--dynamic-config-value key=value`), e.g. system.enableActivityEagerExecution: true. */
  dynamicConfig?: Record<string, string | number | boolean>;
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
      extraArgs: [
        ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
        ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
      ],
    },
  });
}
