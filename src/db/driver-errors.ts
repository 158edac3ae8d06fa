import type { Knex } from 'knex';
import { DatabaseError } from 'pg';

/**
 * Knex prefixes a failed query's message with its statement (`insert into ... - <message>`), which
 * can carry a password hash, a role's verifier or a row. Installed on every pool (admin.ts, with
 * compileSqlOnError off so no binding is ever interpolated), this puts PostgreSQL's own message
 * back before the error leaves the query: knex emits 'query-error' synchronously, before it rethrows.
 */
export function keepServerMessages(knex: Knex): void {
  knex.on('query-error', (error: unknown, query: { sql?: unknown }) => {
    if (!(error instanceof Error) || typeof query.sql !== 'string') return;
    const prefix = `${query.sql} - `;
    if (error.message.startsWith(prefix)) error.message = error.message.slice(prefix.length);
  });
}

/**
 * The one way a caught error is shown (logs, run records, Temporal failures, CLI lines): for an
 * error PostgreSQL raised, its message and SQLSTATE only, never the statement, `detail` (which
 * quotes rows and key values: `Failing row contains (...)`), `where` or the bindings.
 */
export function safeErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error instanceof DatabaseError)) return error.message;
  return error.code ? `${error.message} (SQLSTATE ${error.code})` : error.message;
}
