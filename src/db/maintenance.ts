import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { withSingleConnection } from './admin';

/**
 * Runs fn with a short-lived single connection to the server's `postgres` maintenance database,
 * for what cannot run inside the application database: CREATE DATABASE, DROP DATABASE.
 */
export function withMaintenanceConnection<T>(db: DatabaseConfig, fn: (maintenance: Knex) => Promise<T>): Promise<T> {
  return withSingleConnection(db, 'postgres', fn);
}

/** Creates the database `name` unless it exists (dev mode's first start). */
export async function ensureDatabase(db: DatabaseConfig, name: string): Promise<void> {
  await withMaintenanceConnection(db, async (maintenance) => {
    const exists = await maintenance<{ datname: string }>('pg_database').where({ datname: name }).first('datname');
    if (!exists) await maintenance.raw('CREATE DATABASE ??', [name]);
  });
}
