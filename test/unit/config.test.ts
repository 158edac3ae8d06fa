import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { getSecret, loadConfig } from '../../src/config';
import { configProblemsOf } from '../support/config-problems';
import { LEGACY_DB_VARIABLES } from '../../src/config/legacy';

const emptySecrets = mkdtempSync(join(tmpdir(), 'tw-no-secrets-'));
const base = { SECRETS_DIR: emptySecrets };

const problemsOf = (env: Record<string, string>) => configProblemsOf({ ...base, ...env });

describe('loadConfig', () => {
  it('builds the documented defaults from an empty environment', () => {
    const config = loadConfig(base);
    expect(config.db).toMatchObject({
      host: 'localhost',
      port: 5432,
      database: 'server',
      admin: { user: 'postgres', password: undefined },
      server: { user: 'app_user', password: undefined },
      pool: { min: 0, max: 10, acquireTimeoutMs: 5000 },
      sessionTimeouts: { statementMs: 30_000, lockMs: 10_000, idleInTransactionMs: 60_000 },
      ssl: false,
    });
    expect(config.temporal.taskQueue).toBe('tenant-workflows');
    expect(config.bcryptCost).toBe(12);
  });

  it('reads every DB_* variable', () => {
    const config = loadConfig({
      ...base,
      DB_HOST: 'db.internal',
      DB_PORT: '6432',
      DB_NAME_SERVER: 'saas',
      DB_USER_SERVER: 'app',
      DB_PASSWORD_SERVER: ' app-pw ',
      DB_USER_ADMIN: 'admin',
      DB_PASSWORD_ADMIN: 'admin-pw',
      DB_POOL_MIN: '2',
      DB_POOL_MAX: '20',
      DB_POOL_ACQUIRE_TIMEOUT_MS: '3000',
    });
    expect(config.db.host).toBe('db.internal');
    expect(config.db.port).toBe(6432);
    expect(config.db.database).toBe('saas');
    expect(config.db.server.user).toBe('app');
    expect(config.db.server.password?.reveal()).toBe('app-pw');
    expect(config.db.admin.user).toBe('admin');
    expect(config.db.admin.password?.reveal()).toBe('admin-pw');
    expect(config.db.pool).toMatchObject({ min: 2, max: 20, acquireTimeoutMs: 3000 });
  });

  it('gives one line naming DB_PORT for DB_PORT=abc', () => {
    const problems = problemsOf({ DB_PORT: 'abc' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DB_PORT: 'abc' is not valid; set an integer from 1 to 65535/);
    expect(problems[0]).not.toContain('\n');
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ DB_PORT: '70000', DB_POOL_MAX: '0', BCRYPT_COST: '4', DB_SSL_MODE: 'maybe' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['DB_POOL_MAX', 'DB_PORT', 'DB_SSL_MODE', 'BCRYPT_COST']);
  });

  it('reads the session timeouts, 0 included, and refuses a negative one naming it', () => {
    const config = loadConfig({ ...base, DB_STATEMENT_TIMEOUT_MS: '0', DB_LOCK_TIMEOUT_MS: '2500', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '90000' });
    expect(config.db.sessionTimeouts).toEqual({ statementMs: 0, lockMs: 2500, idleInTransactionMs: 90_000 });
    expect(problemsOf({ DB_LOCK_TIMEOUT_MS: '-1' })).toEqual([expect.stringMatching(/^DB_LOCK_TIMEOUT_MS: '-1' is not valid; set an integer from 0 to 86400000/)]);
  });

  it('refuses a pool minimum above the maximum', () => {
    expect(problemsOf({ DB_POOL_MIN: '5', DB_POOL_MAX: '2' })[0]).toMatch(/^DB_POOL_MIN: '5' is not valid; set an integer from 0 to 2/);
  });

  it.each(Object.entries(LEGACY_DB_VARIABLES))('refuses to start with %s set and names %s', (legacy, replacement) => {
    const problems = problemsOf({ [legacy]: 'x' });
    expect(problems).toEqual([`${legacy} is no longer read; rename it to ${replacement} and unset ${legacy}`]);
  });

  it('reads the TLS CA file and names it when missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'CERT');
    expect(loadConfig({ ...base, DB_SSL_MODE: 'verify-full', DB_SSL_CA_FILE: join(dir, 'ca.pem') }).db.ssl).toEqual({
      rejectUnauthorized: true,
      ca: 'CERT',
    });
    expect(loadConfig({ ...base, DB_SSL_MODE: 'require' }).db.ssl).toEqual({ rejectUnauthorized: false });
    expect(problemsOf({ DB_SSL_MODE: 'verify-full', DB_SSL_CA_FILE: join(dir, 'missing.pem') })[0]).toMatch(
      /^DB_SSL_CA_FILE: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });
});

describe('workflow storage settings', () => {
  it('defaults to the admin connection and the tenant_workflows schema', () => {
    expect(loadConfig(base).storage).toEqual({ schema: 'tenant_workflows', db: undefined });
  });

  it('routes to a dedicated database, other settings defaulting to DB_*', () => {
    const storage = loadConfig({ ...base, DB_HOST: 'db', DB_PORT: '6432', WORKFLOW_STORAGE_DB_NAME: 'workflows', WORKFLOW_STORAGE_SCHEMA: 'wf' }).storage;
    expect(storage.schema).toBe('wf');
    expect(storage.db).toMatchObject({ host: 'db', port: 6432, database: 'workflows', admin: { user: 'postgres' } });
    expect(loadConfig({ ...base, WORKFLOW_STORAGE_DB_HOST: 'other', WORKFLOW_STORAGE_DB_PORT: '5433' }).storage.db).toMatchObject({ host: 'other', port: 5433, database: 'server' });
  });

  it.each(['Bad-Schema', '1schema', 'a'.repeat(64)])('refuses WORKFLOW_STORAGE_SCHEMA=%s', (schema) => {
    expect(problemsOf({ WORKFLOW_STORAGE_SCHEMA: schema })[0]).toMatch(/^WORKFLOW_STORAGE_SCHEMA: '.*' is not valid; use lower-case letters/);
  });

  it('refuses a non-numeric WORKFLOW_STORAGE_DB_PORT', () => {
    expect(problemsOf({ WORKFLOW_STORAGE_DB_PORT: 'x' })).toEqual([
      "WORKFLOW_STORAGE_DB_PORT: 'x' is not valid; set an integer from 1 to 65535, for example WORKFLOW_STORAGE_DB_PORT=5432",
    ]);
  });
});

describe('worker and codec settings', () => {
  const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

  it('reads the start-up settings: dependency wait, migration re-check interval, NODE_ENV=production', () => {
    expect(loadConfig(base).worker).toMatchObject({ dependencyWaitMs: 30_000, migrationRecheckMs: 10_000, production: false });
    expect(loadConfig({ ...base, STARTUP_DEPENDENCY_WAIT_MS: '5000', MIGRATION_RECHECK_INTERVAL_MS: '500', NODE_ENV: 'production' }).worker).toMatchObject({
      dependencyWaitMs: 5000,
      migrationRecheckMs: 500,
      production: true,
    });
    expect(problemsOf({ MIGRATION_RECHECK_INTERVAL_MS: '0' })).toEqual([
      "MIGRATION_RECHECK_INTERVAL_MS: '0' is not valid; set an integer from 100 to 3600000, for example MIGRATION_RECHECK_INTERVAL_MS=10000",
    ]);
  });

  it('defaults activity concurrency to the pool size and refuses more than the pool', () => {
    expect(loadConfig({ ...base, DB_POOL_MAX: '7' }).worker).toMatchObject({ httpPort: 8080, shutdownGraceMs: 30_000, maxConcurrentActivities: 7 });
    expect(problemsOf({ DB_POOL_MAX: '4', WORKER_MAX_CONCURRENT_ACTIVITIES: '8' })).toEqual([
      "WORKER_MAX_CONCURRENT_ACTIVITIES: '8' is not valid; set an integer from 1 to 4, for example WORKER_MAX_CONCURRENT_ACTIVITIES=4",
    ]);
  });

  it('reads payload keys in order, the first one encrypting', () => {
    const keys = loadConfig({ ...base, PAYLOAD_ENCRYPTION_KEYS: `k2:${key(2)}, k1:${key(1)}` }).temporal.payloadKeys;
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]!.key.reveal()).toBe(key(2));
    expect(loadConfig(base).temporal.payloadKeys).toEqual([]);
  });

  it.each([['k1:short'], [`k1:${key(1)},k1:${key(2)}`], [`bad id:${key(1)}`], ['no-colon']])('refuses PAYLOAD_ENCRYPTION_KEYS=%s without echoing it', (value) => {
    const problems = problemsOf({ PAYLOAD_ENCRYPTION_KEYS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PAYLOAD_ENCRYPTION_KEYS: entry \d is not a unique 'id:key'/);
    expect(problems[0]).not.toContain(value);
  });
});

describe('secrets', () => {
  it('prefers the mounted file, trimmed, over the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-secrets-'));
    writeFileSync(join(dir, 'db_password_admin'), '  from-file\n');
    const config = loadConfig({ SECRETS_DIR: dir, DB_PASSWORD_ADMIN: 'from-env', DB_PASSWORD_SERVER: 'server-env' });
    expect(config.db.admin.password?.reveal()).toBe('from-file');
    expect(config.db.server.password?.reveal()).toBe('server-env');
    expect(getSecret('absent', 'ABSENT', { SECRETS_DIR: dir })).toBeUndefined();
  });

  it('never prints a secret value', () => {
    const config = loadConfig({ ...base, DB_PASSWORD_ADMIN: 'hunter2-very-secret' });
    const renderings = [JSON.stringify(config), inspect(config, { depth: 10 }), `${String(config.db.admin.password)}`];
    for (const text of renderings) {
      expect(text).not.toContain('hunter2-very-secret');
      expect(text).toContain('[REDACTED]');
    }
  });

  it('names the unreadable secret file without its content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-secrets-'));
    // A directory where a file is expected cannot be read as one (EISDIR), even as root.
    mkdirSync(join(dir, 'db_password_server'));
    expect(problemsOf({ SECRETS_DIR: dir })[0]).toMatch(/^DB_PASSWORD_SERVER: cannot read secret file .*db_password_server \(EISDIR\)/);
  });
});
