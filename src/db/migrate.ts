import type { Knex } from 'knex';
import { escapeLiteral } from 'pg';
import type { Config } from '../config';
import { migrationSource } from './migrations';

export const MIGRATIONS_TABLE = 'tenant_workflows_migrations';

export interface MigrationStatus {
  current: string | null;
  applied: string[];
  pending: string[];
}

function migratorConfig(config: Config): Knex.MigratorConfig {
  return { migrationSource: migrationSource({ serverRole: config.db.server.user }), tableName: MIGRATIONS_TABLE };
}

export async function migrationStatus(knex: Knex, config: Config): Promise<MigrationStatus> {
  const [completed, pending] = (await knex.migrate.list(migratorConfig(config))) as [{ name: string }[], { name: string }[]];
  const applied = completed.map((m) => m.name);
  return { current: applied.at(-1) ?? null, applied, pending: pending.map((m) => m.name) };
}

/** Ensures the runtime role exists, then applies every pending migration. Returns the names applied. */
export async function migrateLatest(knex: Knex, config: Config): Promise<string[]> {
  await ensureServerRole(knex, config);
  const [, applied] = (await knex.migrate.latest(migratorConfig(config))) as [number, string[]];
  return applied;
}

/** Rolls back every migration (tests and `migrate --down`). */
export async function migrateRollbackAll(knex: Knex, config: Config): Promise<string[]> {
  const [, reverted] = (await knex.migrate.rollback(migratorConfig(config), true)) as [number, string[]];
  return reverted;
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
