import { randomBytes } from 'node:crypto';
import { loadConfig, Secret, type Config } from '../../src/config';
import { withSingleConnection } from '../../src/db/admin';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { withTestDatabase } from '../support/test-database';
import { migrateLatest } from '../../src/db/migrate';
import { scramSha256Verifier } from '../../src/db/scram-verifier';
import { runCli } from '../support/run-cli';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';

/** DB_USER_SERVER, created by migrate with DB_PASSWORD_SERVER: the password never travels in SQL text nor reaches any output. */
const base = loadConfig(process.env);
const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`;
const password = `s3cret-${randomBytes(6).toString('hex')}`;
const rolesToDrop: string[] = [];
const databasesToDrop: string[] = [];

afterAll(async () => {
  await withMaintenanceConnection(base.db, async (k) => {
    for (const name of databasesToDrop) await k.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    for (const role of rolesToDrop) await k.raw('DROP ROLE IF EXISTS ??', [role]);
  });
});

describe('migrate run by an admin role without CREATEROLE', () => {
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // A non-superuser owning a fresh database: it can migrate everything but DB_USER_SERVER's creation.
    const admin = unique('tw_no_createrole');
    const adminPassword = `admin-${randomBytes(6).toString('hex')}`;
    const database = unique('tw_scratch_no_createrole');
    rolesToDrop.push(admin);
    databasesToDrop.unshift(database);
    await withMaintenanceConnection(base.db, async (k) => {
      await k.raw(`CREATE ROLE ?? LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '${scramSha256Verifier(adminPassword)}'`, [admin]);
      await k.raw('CREATE DATABASE ?? OWNER ??', [database, admin]);
    });
    const server = unique('tw_app_never_created');
    rolesToDrop.push(server);
    env = { ...process.env, DB_NAME_SERVER: database, DB_USER_ADMIN: admin, DB_PASSWORD_ADMIN: adminPassword, DB_USER_SERVER: server, DB_PASSWORD_SERVER: password };
  });

  it.each([[[]], [['--json']]])('exits 1 with %j, naming the missing privilege and the two ways out, never the password', async (flags) => {
    const result = await runCli(['migrate', ...flags], env);
    // With --json the failure is one JSON object on stdout (its message holds what the stderr line says).
    const output = flags.includes('--json') ? `${(JSON.parse(result.stdout) as { error: { message: string } }).error.message}${result.stderr}` : result.stdout + result.stderr;
    expect(result.status).toBe(1);
    expect(output).toContain(`cannot create the role "${env.DB_USER_SERVER}" (DB_USER_SERVER)`);
    expect(output).toContain(`DB_USER_ADMIN "${env.DB_USER_ADMIN}" lacks the CREATEROLE privilege`);
    expect(output).toMatch(/Create it beforehand .* or grant CREATEROLE to/);
    expect(output).not.toContain(password);
    expect(output).not.toContain('SCRAM-SHA-256$');
    if (flags.includes('--json')) expect(JSON.parse(result.stdout)).toEqual({ error: { type: expect.any(String), message: expect.stringContaining('lacks the CREATEROLE privilege') } });
  });
});

describe('migrate run by a superuser', () => {
  let scratch: ScratchDatabase;
  let config: Config;
  const statements: string[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase('tw_scratch_server_role');
    const server = unique('tw_app_scram');
    rolesToDrop.unshift(server);
    config = { ...scratch.config, db: { ...scratch.config.db, server: { user: server, password: new Secret(password) } } };
    await withTestDatabase(config, async (database) => {
      database.admin.on('query', (query: { sql: string; bindings?: unknown[] }) => statements.push(`${query.sql} ${JSON.stringify(query.bindings ?? [])}`));
      await migrateLatest(database, config);
    });
  });
  afterAll(() => scratch.drop());

  it('creates DB_USER_SERVER without the password in any statement it sends', () => {
    expect(statements.some((sql) => sql.startsWith('CREATE ROLE'))).toBe(true);
    expect(statements.filter((sql) => sql.includes(password))).toEqual([]);
  });

  it('stores a SCRAM-SHA-256 verifier derived from the password, and the role logs in with it', async () => {
    const { rolpassword } = await withMaintenanceConnection(base.db, (k) => k('pg_authid').where({ rolname: config.db.server.user }).first<{ rolpassword: string }>('rolpassword'));
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(rolpassword) ?? [];
    expect(iterations).toBe('4096');
    expect(scramSha256Verifier(password, Buffer.from(salt!, 'base64'), Number(iterations))).toBe(rolpassword);

    const asServer = { ...config.db, admin: config.db.server };
    const whoAmI = await withSingleConnection(asServer, config.db.database, (k) => k.raw<{ rows: { user: string }[] }>('SELECT current_user AS user'));
    expect(whoAmI.rows[0]?.user).toBe(config.db.server.user);
  });
});
