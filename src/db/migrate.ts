import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';
import type { Config } from '../config';
import { getAdminConnection, getStorageConnection } from './admin';
import { MIGRATIONS, migrationSource, type MigrationTarget } from './migrations';

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
export interface MigrationDatabases {
  admin: Knex;
  storage: Knex;
}

export function migrationDatabases(config: Config): MigrationDatabases {
  return { admin: getAdminConnection(config), storage: getStorageConnection(config) };
}

function connectionFor(target: MigrationTarget, db: MigrationDatabases): Knex {
  return target === 'storage' ? db.storage : db.admin;
}

function migratorConfig(target: MigrationTarget, config: Config, name?: string): Knex.MigratorConfig {
  return {
    migrationSource: migrationSource(target, { tenantData: config.db.tenantSchema, storage: config.storage.schema }, config.db.server.user),
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

/** Ensures the runtime role and the storage schema exist, then applies every pending migration. Returns the names applied. */
export async function migrateLatest(db: MigrationDatabases, config: Config): Promise<string[]> {
  const { pending } = await migrationStatus(db, config);
  return migrateTo(db, config, pending.at(-1));
}

/** Applies pending migrations in name order up to and including `version` (a name or its numeric prefix). */
export async function migrateTo(db: MigrationDatabases, config: Config, version: string | undefined): Promise<string[]> {
  const { pending, applied } = await migrationStatus(db, config);
  if (version === undefined) return [];
  const matches = (name: string) => name === version || name.startsWith(`${version}_`);
  if (applied.some(matches)) return [];
  const last = pending.findIndex(matches);
  if (last < 0) throw new Error(`no migration named ${version}; known: ${MIGRATIONS.map((m) => m.name).join(', ')}`);
  await prepare(db, config);
  const done: string[] = [];
  for (const name of pending.slice(0, last + 1)) {
    const target = targetOf(name);
    await connectionFor(target, db).migrate.up(migratorConfig(target, config, name));
    done.push(name);
  }
  return done;
}

/** Rolls back the newest `steps` applied migrations, newest first. Returns the names rolled back. */
export async function migrateDown(db: MigrationDatabases, config: Config, steps: number): Promise<string[]> {
  const { applied } = await migrationStatus(db, config);
  const undone: string[] = [];
  for (const name of applied.reverse().slice(0, steps)) {
    const target = targetOf(name);
    await connectionFor(target, db).migrate.down(migratorConfig(target, config, name));
    undone.push(name);
  }
  return undone;
}

/** Rolls back every applied migration (tests, and `migrate --down --step` with all of them). */
export function migrateRollbackAll(db: MigrationDatabases, config: Config): Promise<string[]> {
  return migrateDown(db, config, MIGRATIONS.length);
}

/**
 * Creates DB_USER_SERVER as a login role when it does not exist yet (with DB_PASSWORD_SERVER when
 * given), so the grants in the migrations have a grantee. An existing role is left as it is.
 * CREATE ROLE takes no bind parameters, hence the escaping through pg's own helpers.
 */
async function ensureServerRole(knex: Knex, config: Config): Promise<void> {
  const { user, password } = config.db.server;
  const exists = await knex<{ rolname: string }>('pg_roles').where({ rolname: user }).first('rolname');
  if (exists) return;
  const withPassword = password ? ` PASSWORD ${escapeLiteral(password.reveal())}` : '';
  try {
    await knex.raw(`CREATE ROLE ?? LOGIN${withPassword}`, [user]);
  } catch (error) {
    // 42710 duplicate_object: another migrator created it between our check and our CREATE.
    if ((error as { code?: string }).code !== '42710') throw error;
  }
}
