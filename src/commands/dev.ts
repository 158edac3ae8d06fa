import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { ensureDatabase, getAdminConnection } from '../db/admin';
import { migrateLatest, migrationDatabases } from '../db/migrate';
import { startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startLocalTemporal } from '../dev/local-temporal';
import { createLogger } from '../logging';
import { installWorkerRuntime, runWorker } from '../worker';

export const DEV_USAGE = `Usage: tenant-workflows dev [--data-dir DIR]

Runs everything on this machine: an embedded PostgreSQL (port 54329) and a local Temporal dev server
(port 7233, UI on 8233), both keeping their data under DIR (default .data), applies the migrations and
runs the worker. DB_HOST or TEMPORAL_ADDRESS, when set, are used instead of starting that server.
Ctrl-C stops all of it.`;

const DEV_DB_PORT = 54329;
const DEV_TEMPORAL_PORT = 7233;
const DEV_UI_PORT = 8233;
const DEV_DATABASE = 'tenant_workflows';

/** A payload key kept in the data directory, so the worker and CLI in other shells share it. */
function devSecretsDir(dataDir: string): string {
  const dir = join(dataDir, 'secrets');
  const keyFile = join(dir, 'payload_encryption_keys');
  if (!existsSync(keyFile)) {
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(keyFile, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return dir;
}

export async function devCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { 'data-dir': { type: 'string' } } });
  const dataDir = resolve(values['data-dir'] ?? '.data');
  const stops: Array<() => Promise<void>> = [];
  const env = process.env;
  env.SECRETS_DIR ||= devSecretsDir(dataDir);

  if (!env.DB_HOST) {
    const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true, port: DEV_DB_PORT });
    stops.unshift(pg.stop);
    Object.assign(env, { DB_HOST: pg.host, DB_PORT: String(pg.port), DB_USER_ADMIN: pg.user, DB_NAME_SERVER: DEV_DATABASE });
    // The embedded server's password goes where the other shells' commands read secrets from.
    writeFileSync(join(env.SECRETS_DIR, 'db_password_admin'), pg.password, { mode: 0o600 });
  }
  const config = loadConfig(env);
  if (stops.length > 0) await ensureDatabase(config.db, DEV_DATABASE);
  const logger = createLogger(config.logLevel);
  try {
    const metricsUrl = await installWorkerRuntime(config, logger);
    if (!env.TEMPORAL_ADDRESS) {
      const temporal = await startLocalTemporal({
        dbFilename: join(dataDir, 'temporal.sqlite'),
        port: DEV_TEMPORAL_PORT,
        ui: true,
        uiPort: DEV_UI_PORT,
        log: (message) => logger.info(message),
      });
      stops.unshift(() => temporal.teardown());
      env.TEMPORAL_ADDRESS = temporal.address;
    }
    getAdminConnection(config, logger);
    const applied = await migrateLatest(migrationDatabases(config), config);
    logger.info({ applied }, 'migrations applied');
    console.error(`
tenant-workflows dev is running.
  PostgreSQL   postgres://${config.db.admin.user}@${config.db.host}:${config.db.port}/${config.db.database}
  Temporal     ${env.TEMPORAL_ADDRESS}   UI: http://localhost:${DEV_UI_PORT}
  Health       http://localhost:${config.worker.httpPort}/readyz   metrics: /metrics

From another shell:
  export SECRETS_DIR=${env.SECRETS_DIR} DB_HOST=${config.db.host} DB_PORT=${config.db.port} DB_NAME_SERVER=${config.db.database} DB_USER_ADMIN=${config.db.admin.user}
  npm run cli -- create-tenant --name "Acme Inc" --email admin@acme.test --first-name Ada --last-name Lovelace --wait
  npm run cli -- status acme-inc

Ctrl-C stops the worker, Temporal and PostgreSQL (data stays in ${dataDir}).
`);
    await runWorker(config, logger, { metricsUrl });
    return 0;
  } finally {
    for (const stop of stops) await stop().catch((error: unknown) => logger.warn({ err: error }, 'while stopping a dev server'));
  }
}
