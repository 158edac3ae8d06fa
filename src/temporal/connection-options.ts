import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * The Temporal connection from the SDK's own conventions: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS*, and a TOML profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE).
 */
export function temporalConnectConfig(): { connectionOptions: NativeConnectionOptions & { address: string }; namespace: string } {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  return { connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' }, namespace: namespace ?? 'default' };
}
