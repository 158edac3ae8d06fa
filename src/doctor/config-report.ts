import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SECRETS_DIR, secretFileName, type Config, type Env } from '../config';

export type ValueSource = 'env' | 'secret file' | 'default' | 'unset';

export interface ConfigEntry {
  name: string;
  /** The effective value; a secret shows as [REDACTED] (or undefined when unset). */
  value: string | undefined;
  source: ValueSource;
  /** The secret file it was read from. */
  file?: string;
}

type Getter = (config: Config, env: Env) => string | number | boolean | undefined;

/** What doctor shows, in this order. Secrets are never read here beyond whether they are set. */
const SHOWN: Array<[name: string, get: Getter]> = [
  ['DB_HOST', (c) => c.db.host],
  ['DB_PORT', (c) => c.db.port],
  ['DB_NAME_SERVER', (c) => c.db.database],
  ['DB_USER_ADMIN', (c) => c.db.admin.user],
  ['DB_USER_SERVER', (c) => c.db.server.user],
  ['DB_SSL_MODE', (c) => (c.db.ssl === false ? 'disable' : c.db.ssl.rejectUnauthorized ? 'verify-full' : 'require')],
  ['DB_POOL_MAX', (c) => c.db.pool.max],
  ['TENANT_DATA_SCHEMA', (c) => c.db.tenantSchema],
  ['WORKFLOW_STORAGE_SCHEMA', (c) => c.storage.schema],
  ['WORKFLOW_STORAGE_DB_HOST', (c) => c.storage.db?.host],
  ['WORKFLOW_STORAGE_DB_NAME', (c) => c.storage.db?.database],
  ['TEMPORAL_ADDRESS', (_c, env) => env.TEMPORAL_ADDRESS?.trim() || 'localhost:7233'],
  ['TEMPORAL_NAMESPACE', (_c, env) => env.TEMPORAL_NAMESPACE?.trim() || 'default'],
  ['TEMPORAL_TASK_QUEUE', (c) => c.temporal.taskQueue],
  ['WORKER_MAX_CONCURRENT_ACTIVITIES', (c) => c.worker.maxConcurrentActivities],
  ['HTTP_PORT', (c) => c.worker.httpPort],
  ['LOG_LEVEL', (c) => c.logLevel],
  ['SECRETS_DIR', (_c, env) => env.SECRETS_DIR?.trim() || DEFAULT_SECRETS_DIR],
];

const SECRETS = ['DB_PASSWORD_ADMIN', 'DB_PASSWORD_SERVER', 'PAYLOAD_ENCRYPTION_KEYS', 'TEMPORAL_API_KEY', 'CODEC_AUTH_TOKEN'];

/** The effective configuration, each value with where it came from; secrets redacted. */
export function configReport(config: Config, env: Env): ConfigEntry[] {
  const entries: ConfigEntry[] = SHOWN.map(([name, get]) => {
    const value = get(config, env);
    const fromEnv = Boolean(env[name]?.trim());
    return { name, value: value === undefined ? undefined : String(value), source: fromEnv ? 'env' : value === undefined ? 'unset' : 'default' };
  });
  const secretsDir = env.SECRETS_DIR || DEFAULT_SECRETS_DIR;
  for (const name of SECRETS) {
    const file = join(secretsDir, secretFileName(name));
    // Whether it is set at all, as getSecret reads it: the file wins over the variable.
    if (existsSync(file)) entries.push({ name, value: '[REDACTED]', source: 'secret file', file });
    else if (env[name]?.trim()) entries.push({ name, value: '[REDACTED]', source: 'env' });
    else entries.push({ name, value: undefined, source: 'unset' });
  }
  return entries;
}
