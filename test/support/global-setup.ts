import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { withDatabase } from '../../src/db/database';
import { migrateLatest } from '../../src/db/migrate';
import { createLogger } from '../../src/logging';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { startLocalTemporal } from '../../src/dev/local-temporal';
import { startCitusCoordinator, testingOnCitus } from '../harness/citus-cluster';
import { harnessLog, harnessState } from './harness-state';
import { createScratchDatabase } from '../harness/scratch-database';

/**
 * Provides a real PostgreSQL (TEST_DATABASE=citus: a Citus cluster, see citus-cluster.ts; else a throwaway
 * database on DB_HOST, else embedded-postgres) with the
 * migrations applied, and a real Temporal server (TEMPORAL_ADDRESS, else a local dev server).
 * Everything is passed to the tests through DB_* and TEMPORAL_ADDRESS in process.env.
 */
export default async function globalSetup(): Promise<void> {
  try {
    await setUp();
  } catch (error) {
    // Jest runs no global teardown after a failed setup: stop what was started (a Citus cluster) here.
    const { stops } = harnessState();
    while (stops.length > 0) await stops.shift()?.().catch(() => undefined);
    throw error;
  }
}

async function setUp(): Promise<void> {
  const { stops } = harnessState();
  process.env.DB_USER_SERVER ||= 'tenant_workflows_app';
  process.env.BCRYPT_COST ||= '10';
  process.env.PAYLOAD_ENCRYPTION_KEYS ||= `test:${randomBytes(32).toString('base64')}`;

  if (testingOnCitus()) {
    const citus = await startCitusCoordinator(harnessLog);
    stops.push(citus.stop);
    Object.assign(process.env, { DB_HOST: citus.host, DB_PORT: String(citus.port), DB_USER_ADMIN: citus.user });
    if (citus.password) process.env.DB_PASSWORD_ADMIN = citus.password;
    else delete process.env.DB_PASSWORD_ADMIN;
    harnessLog(`PostgreSQL: Citus coordinator ${citus.host}:${citus.port}, throwaway databases distributed over its workers`);
  } else if (process.env.DB_HOST) {
    harnessLog(`PostgreSQL: throwaway database on ${process.env.DB_HOST}:${process.env.DB_PORT ?? 5432}`);
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenant-workflows-pg-'));
    // A password no output would contain by chance, so tests that assert a secret is never printed can fail.
    const pg = await startEmbeddedPostgres({ dataDir, persistent: false, password: `pw-${randomBytes(12).toString('hex')}` });
    stops.push(pg.stop);
    Object.assign(process.env, {
      DB_HOST: pg.host,
      DB_PORT: String(pg.port),
      DB_USER_ADMIN: pg.user,
      DB_PASSWORD_ADMIN: pg.password,
    });
    harnessLog(`PostgreSQL: embedded-postgres on ${pg.host}:${pg.port}`);
  }
  const database = await createScratchDatabase('tw_test');
  stops.unshift(database.drop);
  process.env.DB_NAME_SERVER = database.name;

  const config = loadConfig(process.env);
  await withDatabase(config, createLogger(config.logLevel), (database) => migrateLatest(database, config));

  if (process.env.TEMPORAL_ADDRESS) {
    harnessLog(`Temporal: existing server at ${process.env.TEMPORAL_ADDRESS}`);
  } else {
    const temporal = await startLocalTemporal({ log: harnessLog });
    stops.unshift(() => temporal.teardown());
    process.env.TEMPORAL_ADDRESS = temporal.address;
    harnessLog(`Temporal: local dev server at ${temporal.address}`);
  }
}
