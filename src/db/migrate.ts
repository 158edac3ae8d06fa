import type { Knex } from 'knex';
import { escapeIdentifier, escapeLiteral } from 'pg';
import type { Config } from '../config';
import { withSingleConnection } from './admin';
import type { Database } from './database';
import { safeErrorMessage } from './driver-errors';
import { sqlState } from './errors';
import { scramSha256Verifier } from './scram-verifier';
import { configuredMigrationSource, MIGRATIONS, type MigrationTarget } from './migrations';

/** Version tables, one per target, both in the storage schema of their target's database. */
export const MIGRATION_TABLES: Record<MigrationTarget, string> = { 'tenant-data': 'tenant_data_migrations', storage: 'storage_migrations' };
const TARGETS: readonly MigrationTarget[] = ['tenant-data', 'storage'];

export interface MigrationStatus {
  /** The newest applied migration, by name. */
  current: string | null;
  applied: string[];
  pending: string[];
}

/** The connections migrations run on: tenant data on the admin pool, the worker's tables on the storage connection. */
export type MigrationDatabases = Pick<Database, 'admin' | 'storage'>;

function connectionFor(target: MigrationTarget, db: MigrationDatabases): Knex {
  return target === 'storage' ? db.storage : db.admin;
}

function migratorConfig(target: MigrationTarget, config: Config, name?: string): Knex.MigratorConfig {
  return {
    migrationSource: configuredMigrationSource(target, config),
    tableName: MIGRATION_TABLES[target],
    schemaName: config.storage.schema,
    ...(name ? { name } : {}),
  };
}

const targetOf = (name: string): MigrationTarget => MIGRATIONS.find((m) => m.name === name)!.target;

/** Applied and pending migrations. Read-only: on an empty database it creates nothing. */
export async function migrationStatus(db: MigrationDatabases, config: Config): Promise<MigrationStatus> {
  const applied: string[] = [];
  for (const target of TARGETS) {
    const knex = connectionFor(target, db);
    if (await knex.schema.withSchema(config.storage.schema).hasTable(MIGRATION_TABLES[target])) {
      applied.push(...(await knex(`${config.storage.schema}.${MIGRATION_TABLES[target]}`).pluck<string[]>('name')));
    }
  }
  applied.sort();
  const pending = MIGRATIONS.map((m) => m.name).filter((name) => !applied.includes(name));
  return { current: applied.at(-1) ?? null, applied, pending };
}

async function prepare(db: MigrationDatabases, config: Config): Promise<void> {
  await ensureServerRole(db.admin, config);
  await db.admin.schema.createSchemaIfNotExists(config.db.tenantSchema);
  for (const knex of new Set([db.admin, db.storage])) await knex.schema.createSchemaIfNotExists(config.storage.schema);
}

/** Any constant shared by every version of this program: the key of the migrators' advisory lock. */
const MIGRATION_LOCK_KEY = 7_243_001;

/**
 * Runs fn while holding a transaction-level advisory lock on the admin database, on a session of its
 * own, so concurrent migrators (two Jobs, a Job and `dev`) take turns: each one decides what to apply
 * only once it holds the lock, and none races another's CREATE SCHEMA, CREATE ROLE or version tables.
 */
function withMigrationLock<T>(config: Config, fn: () => Promise<T>): Promise<T> {
  return withSingleConnection(config.db, config.db.database, (session) =>
    session.transaction(async (trx) => {
      // This session waits for the other migrator and then idles while fn runs: the pool's limits would end it.
      for (const setting of ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout']) await trx.raw(`SET LOCAL ${setting} = 0`);
      await trx.raw('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
      return fn();
    }),
  );
}

/** Ensures the runtime role and the storage schema exist, then applies every pending migration. Returns the names this call applied. */
export function migrateLatest(db: MigrationDatabases, config: Config): Promise<string[]> {
  return applyPending(db, config, (pending) => pending.length - 1);
}

/** Applies pending migrations in name order up to and including `version` (a name or its numeric prefix). Returns the names this call applied. */
export function migrateTo(db: MigrationDatabases, config: Config, version: string): Promise<string[]> {
  const matches = (name: string) => name === version || name.startsWith(`${version}_`);
  return applyPending(db, config, (pending, applied) => {
    if (applied.some(matches)) return -1;
    const last = pending.findIndex(matches);
    if (last < 0) throw new Error(`no migration named ${version}; known: ${MIGRATIONS.map((m) => m.name).join(', ')}`);
    return last;
  });
}

/**
 * Under the migration lock, applies the pending migrations up to the index `lastOf` picks (-1: none).
 * Reports what knex itself ran, never what was merely pending when this process looked.
 */
function applyPending(db: MigrationDatabases, config: Config, lastOf: (pending: string[], applied: string[]) => number): Promise<string[]> {
  return withMigrationLock(config, async () => {
    const { pending, applied } = await migrationStatus(db, config);
    const last = lastOf(pending, applied);
    if (last < 0) return [];
    await prepare(db, config);
    const done: string[] = [];
    for (const name of pending.slice(0, last + 1)) {
      const target = targetOf(name);
      const [, ran] = (await connectionFor(target, db).migrate.up(migratorConfig(target, config, name))) as [number, string[]];
      done.push(...ran);
    }
    return done;
  });
}

/** The newest `steps` applied migrations, newest first: what `migrateDown` would roll back. */
export async function rollbackPlan(db: MigrationDatabases, config: Config, steps: number): Promise<string[]> {
  const { applied } = await migrationStatus(db, config);
  return applied.reverse().slice(0, steps);
}

/** Rolls back the newest `steps` applied migrations, newest first. Returns the names rolled back. */
export function migrateDown(db: MigrationDatabases, config: Config, steps: number): Promise<string[]> {
  return withMigrationLock(config, async () => {
    const undone: string[] = [];
    for (const name of await rollbackPlan(db, config, steps)) {
      const target = targetOf(name);
      const [, ran] = (await connectionFor(target, db).migrate.down(migratorConfig(target, config, name))) as [number, string[]];
      undone.push(...ran);
    }
    return undone;
  });
}

/** Rolls back every applied migration (tests, and `migrate --down --step` with all of them). */
export function migrateRollbackAll(db: MigrationDatabases, config: Config): Promise<string[]> {
  return migrateDown(db, config, MIGRATIONS.length);
}

/**
 * Creates DB_USER_SERVER as a login role when it does not exist yet (with DB_PASSWORD_SERVER when
 * given), so the grants in the migrations have a grantee. An existing role is left as it is. The
 * password travels as a SCRAM-SHA-256 verifier, so neither the statement, nor the server's log, nor
 * an error quoting the statement holds it. CREATE ROLE takes no bind parameters, hence pg's escaping.
 */
async function ensureServerRole(knex: Knex, config: Config): Promise<void> {
  const { user, password } = config.db.server;
  const exists = await knex<{ rolname: string }>('pg_roles').where({ rolname: user }).first('rolname');
  if (exists) return;
  const withPassword = password ? ` PASSWORD ${escapeLiteral(scramSha256Verifier(password.reveal()))}` : '';
  try {
    await knex.raw(`CREATE ROLE ${escapeIdentifier(user)} LOGIN${withPassword}`);
  } catch (error) {
    // 42710 duplicate_object: another migrator created it between our check and our CREATE.
    if (sqlState(error) === '42710') return;
    throw new Error(cannotCreateRole(config, error), { cause: error });
  }
}

/** Names the role, what went wrong and the two ways out; never the statement, which carries the verifier. */
function cannotCreateRole(config: Config, error: unknown): string {
  const { server, admin } = config.db;
  const cause = sqlState(error) === '42501' ? `DB_USER_ADMIN ${escapeIdentifier(admin.user)} lacks the CREATEROLE privilege` : safeErrorMessage(error);
  return (
    `cannot create the role ${escapeIdentifier(server.user)} (DB_USER_SERVER): ${cause}. ` +
    `Create it beforehand (CREATE ROLE ${escapeIdentifier(server.user)} LOGIN PASSWORD '...') or grant CREATEROLE to ${escapeIdentifier(admin.user)}, then run migrate again`
  );
}
