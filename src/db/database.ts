import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logging';
import { createPool } from './admin';

/**
 * The process's connections: the shared admin pool every activity uses, and where the worker's own
 * tables live (the admin pool itself unless WORKFLOW_STORAGE_DB_* routes them to a database of their
 * own, which then gets a second pool of the same settings). Built once by the composition root.
 */
export interface Database {
  readonly admin: Knex;
  readonly storage: Knex;
  /** Closes the pools; later calls wait for the same close. */
  close(): Promise<void>;
}

export function openDatabase(config: Pick<Config, 'db' | 'storage'>, logger: Logger): Database {
  const admin = createPool(config.db, logger);
  const storage = config.storage.db ? createPool(config.storage.db, logger) : admin;
  let closed: Promise<void> | undefined;
  return {
    admin,
    storage,
    close: () => (closed ??= Promise.all([...new Set([admin, storage])].map((pool) => pool.destroy())).then(() => undefined)),
  };
}

/** Runs fn with a Database of its own, closed afterwards: for a command or a test that is not the worker. */
export async function withDatabase<T>(config: Pick<Config, 'db' | 'storage'>, logger: Logger, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(config, logger);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
