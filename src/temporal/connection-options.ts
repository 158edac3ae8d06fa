import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { getSecret, secretFileName, type Env } from '../config/secret-files';

const API_KEY = 'TEMPORAL_API_KEY';

/**
 * The Temporal connection from the SDK's own conventions: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS*, and a TOML profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE).
 * TEMPORAL_API_KEY is a secret like the database passwords: the file $SECRETS_DIR/temporal_api_key (the
 * Kubernetes Secret) wins over the variable, and the SDK then treats it as if the variable held it (TLS on).
 */
export function temporalConnectConfig(env: Env = process.env): { connectionOptions: NativeConnectionOptions & { address: string }; namespace: string } {
  const apiKey = getSecret(secretFileName(API_KEY), API_KEY, env);
  const overrideEnvVars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  if (apiKey) overrideEnvVars[API_KEY] = apiKey.reveal();
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
  return { connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? 'localhost:7233' }, namespace: namespace ?? 'default' };
}
