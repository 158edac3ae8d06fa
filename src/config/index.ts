import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';
import { EnvReader } from './env-reader';
import { legacyVariableProblems } from './legacy';
import { readOffboarding, type OffboardingConfig } from './offboarding';
import { Secret } from './secret';
import type { Env } from './secret-files';
import { readTelemetry, type TelemetryConfig } from './telemetry';

export { ConfigError } from './errors';
export type { OffboardingConfig } from './offboarding';
export { Secret } from './secret';
export type { TelemetryConfig } from './telemetry';
export { getSecret, secretFileName, DEFAULT_SECRETS_DIR, type Env } from './secret-files';

export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DatabaseRole {
  user: string;
  password: Secret | undefined;
}

export interface DatabaseConfig {
  host: string;
  port: number;
  database: string;
  /** The role the worker connects as: owns the schema, runs migrations, writes tenant data. */
  admin: DatabaseRole;
  /** The application's runtime role: migrations grant it access to the tables they create. */
  server: DatabaseRole;
  /** TENANT_DATA_SCHEMA: the schema of the tenant tables, named in every statement (never left to search_path). */
  tenantSchema: string;
  pool: { min: number; max: number; acquireTimeoutMs: number; idleTimeoutMs: number };
  /**
   * Server-side limits set on every session of the pools, so a statement stuck on a lock or a
   * transaction left open ends and rolls back (and a shutdown is bounded). 0: not set by us.
   */
  sessionTimeouts: { statementMs: number; lockMs: number; idleInTransactionMs: number };
  /** false: plain TCP. Otherwise TLS, verifying the server's certificate when rejectUnauthorized. */
  ssl: false | { rejectUnauthorized: boolean; ca?: string };
}

/** One AES-256 key for the Temporal payload codec; the first configured key encrypts, all decrypt. */
export interface PayloadKey {
  id: string;
  key: Secret;
}

export interface WorkerConfig {
  httpPort: number;
  /** How long in-flight activities get to finish after SIGTERM before the pool closes. */
  shutdownGraceMs: number;
  /** Activities running at once; at most DB_POOL_MAX so none waits for a connection. */
  maxConcurrentActivities: number;
  /** How long start-up retries an unreachable Temporal frontend or PostgreSQL before it exits 69. */
  dependencyWaitMs: number;
  /** How often a worker waiting for pending migrations checks again. */
  migrationRecheckMs: number;
  /** NODE_ENV=production: the prebuilt workflow bundle is required, never built at start-up. */
  production: boolean;
}

/**
 * Where the worker's own tables (provisioning run records) and their migrations live. Unset
 * WORKFLOW_STORAGE_DB_* means the shared admin connection; the schema is always a dedicated one.
 */
export interface StorageConfig {
  schema: string;
  /** A dedicated database (same admin role and pool settings), or undefined for the admin connection's. */
  db: DatabaseConfig | undefined;
}

export interface Config {
  db: DatabaseConfig;
  storage: StorageConfig;
  temporal: { taskQueue: string; uiUrl: string | undefined; payloadKeys: PayloadKey[] };
  worker: WorkerConfig;
  offboarding: OffboardingConfig;
  bcryptCost: number;
  logLevel: LogLevel;
  /** OpenTelemetry tracing; undefined when no OTEL_EXPORTER_OTLP_*ENDPOINT is set (tracing off). */
  telemetry: TelemetryConfig | undefined;
}

/**
 * Builds the one typed config from the environment and mounted secret files. Throws a
 * ConfigError listing every problem, one line each; never echoes a secret's value.
 */
export function loadConfig(env: Env = process.env): Config {
  const legacy = legacyVariableProblems(env);
  if (legacy.length > 0) throw new ConfigError(legacy);

  const read = new EnvReader(env);
  const poolMax = read.int('DB_POOL_MAX', 10, 1, 1000);
  const db: DatabaseConfig = {
    host: read.string('DB_HOST', 'localhost'),
    port: read.int('DB_PORT', 5432, 1, 65535),
    database: read.string('DB_NAME_SERVER', 'server'),
    admin: { user: read.string('DB_USER_ADMIN', 'postgres'), password: read.secret('DB_PASSWORD_ADMIN') },
    server: { user: read.string('DB_USER_SERVER', 'app_user'), password: read.secret('DB_PASSWORD_SERVER') },
    tenantSchema: readSchemaName(read, 'TENANT_DATA_SCHEMA', 'public'),
    pool: {
      min: read.int('DB_POOL_MIN', 0, 0, poolMax),
      max: poolMax,
      acquireTimeoutMs: read.int('DB_POOL_ACQUIRE_TIMEOUT_MS', 5000, 100, 600_000),
      idleTimeoutMs: read.int('DB_POOL_IDLE_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    },
    sessionTimeouts: {
      statementMs: read.int('DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
      lockMs: read.int('DB_LOCK_TIMEOUT_MS', 10_000, 0, 86_400_000),
      idleInTransactionMs: read.int('DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 0, 86_400_000),
    },
    ssl: readSsl(read),
  };
  const config: Config = {
    db,
    storage: readStorage(read, db),
    temporal: {
      taskQueue: read.string('TEMPORAL_TASK_QUEUE', 'tenant-workflows'),
      uiUrl: read.optionalString('TEMPORAL_UI_URL'),
      payloadKeys: readPayloadKeys(read),
    },
    worker: {
      httpPort: read.int('HTTP_PORT', 8080, 1, 65535),
      shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 30_000, 0, 3_600_000),
      maxConcurrentActivities: read.int('WORKER_MAX_CONCURRENT_ACTIVITIES', poolMax, 1, poolMax),
      dependencyWaitMs: read.int('STARTUP_DEPENDENCY_WAIT_MS', 30_000, 0, 3_600_000),
      migrationRecheckMs: read.int('MIGRATION_RECHECK_INTERVAL_MS', 10_000, 100, 3_600_000),
      production: read.optionalString('NODE_ENV') === 'production',
    },
    offboarding: readOffboarding(read),
    bcryptCost: read.int('BCRYPT_COST', 12, 10, 15),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    telemetry: readTelemetry(read),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function readSchemaName(read: EnvReader, variable: string, fallback: string): string {
  const schema = read.string(variable, fallback);
  if (!SQL_IDENTIFIER.test(schema)) {
    read.problems.push(`${variable}: '${schema}' is not valid; use lower-case letters, digits and underscores, starting with a letter (at most 63)`);
  }
  return schema;
}

function readStorage(read: EnvReader, db: DatabaseConfig): StorageConfig {
  const schema = readSchemaName(read, 'WORKFLOW_STORAGE_SCHEMA', 'tenant_workflows');
  if (schema === db.tenantSchema) {
    read.problems.push(`WORKFLOW_STORAGE_SCHEMA: '${schema}' is also TENANT_DATA_SCHEMA; the worker's own tables need a schema of their own`);
  }
  const host = read.optionalString('WORKFLOW_STORAGE_DB_HOST');
  const port = read.optionalString('WORKFLOW_STORAGE_DB_PORT');
  const database = read.optionalString('WORKFLOW_STORAGE_DB_NAME');
  if (!host && !port && !database) return { schema, db: undefined };
  return {
    schema,
    db: { ...db, host: host ?? db.host, port: read.int('WORKFLOW_STORAGE_DB_PORT', db.port, 1, 65535), database: database ?? db.database },
  };
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** PAYLOAD_ENCRYPTION_KEYS: `id:base64key[,id:base64key...]`, each key 32 bytes; the first encrypts. */
function readPayloadKeys(read: EnvReader): PayloadKey[] {
  const raw = read.secret('PAYLOAD_ENCRYPTION_KEYS')?.reveal();
  if (!raw) return [];
  const keys: PayloadKey[] = [];
  for (const [index, entry] of raw.split(',').entries()) {
    const [id = '', key = ''] = entry.trim().split(':', 2);
    if (!KEY_ID.test(id) || Buffer.from(key, 'base64').length !== 32 || keys.some((k) => k.id === id)) {
      read.problems.push(
        `PAYLOAD_ENCRYPTION_KEYS: entry ${index + 1} is not a unique 'id:key' with a base64 key of 32 bytes; generate one with: echo "k1:$(openssl rand -base64 32)"`,
      );
      return [];
    }
    keys.push({ id, key: new Secret(key) });
  }
  return keys;
}

function readSsl(read: EnvReader): DatabaseConfig['ssl'] {
  const mode = read.oneOf('DB_SSL_MODE', SSL_MODES, 'disable');
  const caFile = read.optionalString('DB_SSL_CA_FILE');
  if (mode === 'disable') {
    if (caFile) read.problems.push('DB_SSL_CA_FILE: set but DB_SSL_MODE is disable; set DB_SSL_MODE=verify-full to use it');
    return false;
  }
  if (!caFile) return { rejectUnauthorized: mode === 'verify-full' };
  try {
    return { rejectUnauthorized: mode === 'verify-full', ca: readFileSync(caFile, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    read.problems.push(`DB_SSL_CA_FILE: cannot read ${caFile} (${code}); mount the CA certificate there or fix the path`);
    return false;
  }
}

let cached: Config | undefined;

/** The process's config, loaded once on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
