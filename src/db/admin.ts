import knex, { type Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import type { Logger } from '../logging';
import { keepServerMessages } from './driver-errors';
import { tenantSchemaParams } from './tenant-tables';
import { writablePrimaryGuard } from './writable-primary';

/** Shown in pg_stat_activity so operators (and the chaos tests) can tell the worker's sessions apart. */
export const APPLICATION_NAME = 'tenant-workflows';

/** Knex's own warnings (a connection the server closed, a deprecation) as structured log lines. */
function knexLog(logger: Logger): Knex.Config['log'] {
  const db = logger.child({ component: 'knex' });
  return {
    warn: (message: unknown) => db.warn(String(message)),
    error: (message: unknown) => db.error(String(message)),
    deprecate: (method: string, alternative: string) => db.warn(`${method} is deprecated; use ${alternative}`),
    debug: () => undefined,
  };
}

/** pg sends these as startup parameters, so every session of a pool has them from its first statement. A 0 is not sent. */
type SessionLimits = Pick<Knex.PgConnectionConfig, 'statement_timeout' | 'idle_in_transaction_session_timeout'> & { lock_timeout?: number };

function connectionSettings(db: DatabaseConfig, database: string): Knex.PgConnectionConfig & SessionLimits {
  return {
    host: db.host,
    port: db.port,
    database,
    user: db.admin.user,
    password: db.admin.password?.reveal(),
    ssl: db.ssl,
    application_name: APPLICATION_NAME,
    statement_timeout: db.sessionTimeouts.statementMs,
    lock_timeout: db.sessionTimeouts.lockMs,
    idle_in_transaction_session_timeout: db.sessionTimeouts.idleInTransactionMs,
  };
}

/** Every Knex instance of the process is built here: no statement text (nor its bindings) in its errors. */
/** knex reads `userParams` from its config (transactions inherit them); its typings omit the field. */
type KnexConfig = Knex.Config & { userParams?: Record<string, unknown> };

function buildKnex(config: KnexConfig): Knex {
  const instance = knex({ ...config, client: 'pg', compileSqlOnError: false });
  keepServerMessages(instance);
  return instance;
}

/**
 * A Knex (pg) pool of `db`'s settings. Connections open lazily on first query. Knex marks a pooled
 * connection whose backend died as disposed and replaces it on the next acquire, so an idle
 * connection's error never reaches the process as an unhandled 'error'. Only openDatabase calls this.
 */
export function createPool(db: DatabaseConfig, logger: Logger): Knex {
  // Failover: new connections must reach a writable primary; one that answered read-only is not reused.
  const { guard, attach } = writablePrimaryGuard(logger);
  return attach(
    buildKnex({
      log: knexLog(logger),
      connection: connectionSettings(db, db.database),
      pool: { min: db.pool.min, max: db.pool.max, idleTimeoutMillis: db.pool.idleTimeoutMs, afterCreate: guard.afterCreate },
      acquireConnectionTimeout: db.pool.acquireTimeoutMs,
      userParams: tenantSchemaParams(db.tenantSchema),
    }),
  );
}

/**
 * Runs fn with a short-lived connection of its own to `database`, apart from the pool: for a session
 * that must outlive the pool's checkouts (the migrations' lock) or must not be one of the pool's.
 */
export async function withSingleConnection<T>(db: DatabaseConfig, database: string, fn: (connection: Knex) => Promise<T>): Promise<T> {
  const connection = buildKnex({
    connection: connectionSettings(db, database),
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: db.pool.acquireTimeoutMs,
  });
  try {
    return await fn(connection);
  } finally {
    await connection.destroy();
  }
}
