import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { withApp } from '../app';
import { ensureDatabase } from '../db/maintenance';
import { migrateLatest } from '../db/migrate';
import { startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startLocalTemporal } from '../dev/local-temporal';
import { lockDataDir } from '../dev/data-dir-lock';
import { startDevCodecServer } from '../dev/codec-server';
import { chooseDevPort, parsePortFlag } from '../dev/ports';
import { forgetOwnPrintedSettings } from '../dev/printed-settings';
import { createLogger, type Logger } from '../logging';
import { installWorkerRuntime, runWorker } from '../lifecycle/worker-process';

export const DEV_USAGE = `Usage: tenant-workflows dev [--data-dir DIR] [--db-port N] [--temporal-port N] [--ui-port N] [--codec-port N] [--http-port N]

Runs everything on this machine: an embedded PostgreSQL (port 54329) and a local Temporal dev server
(port 7233, UI on 8233, decoding payloads through a local codec server on 8081 that redacts passwords),
both keeping their data under DIR (default .data), applies the migrations and
runs the worker (health and metrics on 8080). A usual port another process holds is replaced by a free
one (the banner says which); a port given by flag must be free (else exit 75). One dev process per DIR:
a second one exits 75 naming the first. DB_HOST or TEMPORAL_ADDRESS, when set, are used instead of
starting that server, unless SECRETS_DIR is DIR/secrets: then they are the lines this command printed
(exported in this shell), and it starts its own servers again.
Ctrl-C stops all of it (stop 'npm run dev' with Ctrl-C: npm does not pass kill -INT <npm pid> on).`;

const DEV_DB_PORT = 54329;
const DEV_TEMPORAL_PORT = 7233;
const DEV_UI_PORT = 8233;
const DEV_CODEC_PORT = 8081;
const DEV_HTTP_PORT = 8080;
const DEV_DATABASE = 'tenant_workflows';

/** A payload key kept in the data directory, so the worker and CLI in other shells share it. */
function devSecretsDir(dataDir: string): string {
  const dir = join(dataDir, 'secrets');
  const keyFile = join(dir, 'payload_encryption_keys');
  if (!existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, `dev:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return dir;
}

export async function devCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'db-port': { type: 'string' },
      'temporal-port': { type: 'string' },
      'ui-port': { type: 'string' },
      'codec-port': { type: 'string' },
      'http-port': { type: 'string' },
    },
  });
  const requested = {
    db: parsePortFlag('--db-port', values['db-port']),
    temporal: parsePortFlag('--temporal-port', values['temporal-port']),
    ui: parsePortFlag('--ui-port', values['ui-port']),
    codec: parsePortFlag('--codec-port', values['codec-port']),
    http: parsePortFlag('--http-port', values['http-port']),
  };
  const dataDir = resolve(values['data-dir'] ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const releaseDataDir = lockDataDir(dataDir);
  stops.push(() => Promise.resolve(releaseDataDir()));
  const env = process.env;
  const notes: string[] = [];
  const secretsDir = devSecretsDir(dataDir);
  forgetOwnPrintedSettings(env, secretsDir, notes);
  env.SECRETS_DIR ||= secretsDir;
  let logger: Logger | undefined;
  const startsPostgres = !env.DB_HOST;
  let codecUrl: string | undefined;
  try {
    if (startsPostgres) {
      const port = await chooseDevPort({ service: 'PostgreSQL', flag: '--db-port', requested: requested.db, preferred: DEV_DB_PORT }, notes);
      const pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), persistent: true, port });
      stops.unshift(pg.stop);
      Object.assign(env, { DB_HOST: pg.host, DB_PORT: String(pg.port), DB_USER_ADMIN: pg.user, DB_NAME_SERVER: DEV_DATABASE });
      // The embedded server's password goes where the other shells' commands read secrets from.
      writeFileSync(join(env.SECRETS_DIR, 'db_password_admin'), pg.password, { mode: 0o600 });
    }
    if (requested.http !== undefined || !env.HTTP_PORT) {
      env.HTTP_PORT = String(await chooseDevPort({ service: 'health and metrics', flag: '--http-port', requested: requested.http, preferred: DEV_HTTP_PORT }, notes));
    }
    const config = loadConfig(env);
    if (startsPostgres) await ensureDatabase(config.db, DEV_DATABASE);
    logger = createLogger(config.logLevel);
    const metricsUrl = await installWorkerRuntime(config, logger);
    if (!env.TEMPORAL_ADDRESS) {
      const port = await chooseDevPort({ service: 'Temporal', flag: '--temporal-port', requested: requested.temporal, preferred: DEV_TEMPORAL_PORT }, notes);
      const uiPort = await chooseDevPort({ service: 'Temporal UI', flag: '--ui-port', requested: requested.ui, preferred: DEV_UI_PORT }, notes);
      const codecPort = await chooseDevPort({ service: 'codec server', flag: '--codec-port', requested: requested.codec, preferred: DEV_CODEC_PORT }, notes);
      const codec = await startDevCodecServer(config, codecPort, uiPort, logger);
      stops.unshift(codec.close);
      codecUrl = codec.url;
      const log = logger;
      const temporal = await startLocalTemporal({ dbFilename: join(dataDir, 'temporal.sqlite'), port, ui: true, uiPort, uiCodecEndpoint: codec.url, log: (message) => log.info(message) });
      stops.unshift(() => temporal.teardown());
      env.TEMPORAL_ADDRESS = temporal.address;
      env.TEMPORAL_UI_URL ||= `http://localhost:${uiPort}`;
    }
    const applied = await withApp(config, ({ database }) => migrateLatest(database, config), logger);
    logger.info({ applied }, 'migrations applied');
    const uiUrl = env.TEMPORAL_UI_URL ? `   UI: ${env.TEMPORAL_UI_URL}` : '';
    console.error(`
tenant-workflows dev is running.
${notes.map((note) => `  note: ${note}\n`).join('')}  PostgreSQL   postgres://${config.db.admin.user}@${config.db.host}:${config.db.port}/${config.db.database}
  Temporal     ${env.TEMPORAL_ADDRESS}${uiUrl}
${codecUrl ? `  Codec        ${codecUrl} (the UI decodes through it; passwords redacted)\n` : ''}  Health       http://localhost:${config.worker.httpPort}/readyz   metrics: /metrics

From another shell:
  export SECRETS_DIR=${env.SECRETS_DIR} DB_HOST=${config.db.host} DB_PORT=${config.db.port} DB_NAME_SERVER=${config.db.database} DB_USER_ADMIN=${config.db.admin.user} TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}${env.TEMPORAL_UI_URL ? ` TEMPORAL_UI_URL=${env.TEMPORAL_UI_URL}` : ''}
  npm run cli -- create-tenant --name "Acme Inc" --email admin@acme.test --first-name Ada --last-name Lovelace --wait
  npm run cli -- status acme-inc

Ctrl-C stops the worker, Temporal and PostgreSQL (data stays in ${dataDir}).
`);
    await runWorker(config, logger, { metricsUrl });
    return 0;
  } finally {
    for (const stop of stops) await stop().catch((error: unknown) => (logger ? logger.warn({ err: error }, 'while stopping a dev server') : console.error(error)));
  }
}
