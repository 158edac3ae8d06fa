import { loadConfig, type Config } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { createLogger } from '../../src/logging';

let shared: Database | undefined;

/** A Database of its own for `config` (a scratch database); the caller closes it. */
export function openTestDatabase(config: Config): Database {
  return openDatabase(config, createLogger(config.logLevel));
}

/**
 * The test file's Database on the test database (jest loads support modules once per test file, so each
 * file has its own); closeTestDatabase() closes it, and the next call opens a new one.
 */
export function testDatabase(): Database {
  if (!shared) {
    shared = openTestDatabase(loadConfig(process.env));
  }
  return shared;
}

export async function closeTestDatabase(): Promise<void> {
  const closing = shared;
  shared = undefined;
  await closing?.close();
}

/** Runs fn with a Database of its own for `config`, closed afterwards. */
export async function withTestDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = openTestDatabase(config);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}
