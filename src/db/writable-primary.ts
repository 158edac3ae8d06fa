import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type { Logger } from '../logging';
import { safeErrorMessage } from './driver-errors';
import { sqlState } from './errors';

/**
 * Surviving a PostgreSQL failover with one long-lived pool. node-postgres (pg 8) has neither libpq's
 * multiple hosts nor `target_session_attrs=read-write`, and knex/tarn only drop a pooled connection
 * whose socket ended (knex sets `connection.__knex__disposed` on the pg client's 'error' and 'end',
 * and its pool `validate` destroys such a connection at the next acquire instead of handing it out).
 * A connection still open to a node that became read-only (a demoted primary, a standby the service
 * address now points at) would be reused forever, every write failing with 25006. So:
 *
 * - every new connection is checked before the pool hands it out (knex's `pool.afterCreate`): one
 *   round trip, `pg_is_in_recovery()` and `transaction_read_only`; a standby or read-only server is
 *   closed at once and the acquire fails with ServerNotWritableError (transient: the step is retried,
 *   and its next connection is checked again);
 * - a connection whose query failed with a read-only, shutdown or connection SQLSTATE
 *   (DISCARD_SQLSTATES, class 08) is marked with knex's own `__knex__disposed`, so the pool destroys
 *   it at the next acquire rather than reusing it; the statement's own error still goes to its caller.
 *
 * The checks, the discards and the time from the first fault to the next writable connection are
 * logged and reported to listeners (src/metrics.ts turns them into Prometheus metrics).
 */

/** SQLSTATEs after which a connection is never reused, with the condition name PostgreSQL gives them. */
export const DISCARD_SQLSTATES: Readonly<Record<string, string>> = {
  '25006': 'read_only_sql_transaction',
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
  '57P04': 'database_dropped',
};

/** Why a connection must not be reused after this error: its SQLSTATE, or undefined to keep the connection. */
export function discardReason(error: unknown): string | undefined {
  const state = sqlState(error);
  if (!state) return undefined;
  if (state in DISCARD_SQLSTATES || state.startsWith('08')) return state;
  return undefined;
}

/** What the check on connect found: a writable primary, a standby, a primary in read-only mode, or no answer. */
export type ConnectionCheckResult = 'writable' | 'in_recovery' | 'read_only' | 'error';

/** The server a new connection reached cannot take writes; transient: a later attempt may reach the new primary. */
export class ServerNotWritableError extends Error {
  constructor(readonly reason: Exclude<ConnectionCheckResult, 'writable' | 'error'>) {
    super(
      reason === 'in_recovery'
        ? 'the database server is a standby (pg_is_in_recovery() is true): the connection was closed; the primary may be failing over'
        : 'the database server is read-only (transaction_read_only is on): the connection was closed; the primary may be failing over',
    );
    this.name = 'ServerNotWritable';
  }
}

export interface WritablePrimaryListener {
  /** A new connection was checked, in `ms`. */
  checked?: (result: ConnectionCheckResult, ms: number) => void;
  /** A connection was discarded after an error with this SQLSTATE (or ServerNotWritable's reason). */
  discarded?: (reason: string) => void;
  /** The first writable connection after a fault, `ms` after the first fault. */
  recovered?: (ms: number) => void;
}

/** The pg client as far as this module touches it. */
interface PgConnection {
  __knexUid?: string;
  __knex__disposed?: unknown;
  query: (sql: string) => Promise<{ rows: Array<Record<string, unknown>> }>;
  end: () => Promise<void>;
  once: (event: 'end', listener: () => void) => unknown;
  on: (event: 'error', listener: (error: unknown) => void) => unknown;
}

/** What knex logs when its pool destroys a discarded connection ("Connection Error: ..."). */
const DISCARDED = 'discarded: the server answered with a read-only, shutdown or connection error';

const round = (ms: number) => Math.round(ms * 10) / 10;

/** tarn's pool events, as far as this module listens to them. */
interface TarnEvents {
  on: (event: 'createFail', listener: (eventId: unknown, error: unknown) => void) => unknown;
}

const CHECK_SQL = "SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only";

export class WritablePrimaryGuard {
  /** The pool's open connections by knex's uid, which 'query-error' events carry. */
  private readonly connections = new Map<string, PgConnection>();
  private readonly listeners = new Set<WritablePrimaryListener>();
  /** performance.now() of the first fault since the last writable connection, while one is open. */
  private faultSince: number | undefined;
  private discardedSinceFault = 0;

  constructor(private readonly logger: Logger) {}

  /** Reports checks, discards and recoveries to `listener` until the returned function is called. */
  subscribe(listener: WritablePrimaryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** knex's `pool.afterCreate`: hands the connection to the pool only when it reached a writable primary. */
  readonly afterCreate = (connection: PgConnection, done: (error: Error | null, connection: PgConnection) => void): void => {
    this.check(connection).then(
      () => done(null, connection),
      (error: Error) => done(error, connection),
    );
  };

  /**
   * Watches `knex`'s failed queries and marks the connections they failed on, and its pool's failed
   * connects (refused, 57P03 while a server starts or stops), which open a fault; call once per pool.
   */
  watch(knex: Knex): void {
    knex.on('query-error', (error: unknown, query: { __knexUid?: string }) => {
      const reason = discardReason(error);
      const connection = query.__knexUid === undefined ? undefined : this.connections.get(query.__knexUid);
      if (reason && connection) this.discard(connection, reason, error);
    });
    const pool = (knex.client as { pool?: TarnEvents }).pool;
    pool?.on('createFail', (_eventId: unknown, error: unknown) => {
      if (error instanceof ServerNotWritableError) return;
      if (this.faultSince === undefined) this.logger.warn({ reason: safeErrorMessage(error) }, 'database connection failed: the server cannot be reached');
      this.fault();
    });
  }

  private async check(connection: PgConnection): Promise<void> {
    const startedAt = performance.now();
    let result: ConnectionCheckResult;
    try {
      const { rows } = await connection.query(CHECK_SQL);
      const row = rows[0] ?? {};
      result = row.in_recovery === true ? 'in_recovery' : row.read_only === 'on' ? 'read_only' : 'writable';
    } catch (error) {
      this.emit('checked', 'error', performance.now() - startedAt);
      this.fault();
      await connection.end().catch(() => undefined);
      throw error;
    }
    const ms = performance.now() - startedAt;
    this.emit('checked', result, ms);
    if (result !== 'writable') {
      this.fault();
      this.emit('discarded', result);
      this.logger.warn({ check: result, checkMs: round(ms) }, 'database connection refused: the server is not a writable primary');
      // A connection afterCreate rejects is never destroyed by knex: close it here.
      await connection.end().catch(() => undefined);
      throw new ServerNotWritableError(result);
    }
    this.track(connection);
    if (this.faultSince !== undefined) {
      const recoveryMs = performance.now() - this.faultSince;
      this.logger.info({ recoveryMs: round(recoveryMs), discarded: this.discardedSinceFault, checkMs: round(ms) }, 'database writable again: a new connection reached a writable primary');
      this.faultSince = undefined;
      this.discardedSinceFault = 0;
      this.emit('recovered', recoveryMs);
    }
  }

  private track(connection: PgConnection): void {
    const uid = connection.__knexUid;
    if (uid === undefined) return;
    this.connections.set(uid, connection);
    connection.once('end', () => this.connections.delete(uid));
    // An idle connection the server closes (57P01 on a shutdown or pg_terminate_backend) ends in
    // the pg client's 'error'; knex disposes of it already, this only reports it.
    connection.on('error', (error: unknown) => {
      const reason = discardReason(error);
      if (reason) this.discard(connection, reason, error);
    });
  }

  private discard(connection: PgConnection, reason: string, error: unknown): void {
    if (connection.__knex__disposed === DISCARDED) return;
    const alreadyDisposed = Boolean(connection.__knex__disposed);
    // knex's pool validate destroys a connection carrying this at its next acquire; it is released as usual.
    connection.__knex__disposed = DISCARDED;
    this.connections.delete(connection.__knexUid ?? '');
    this.fault();
    this.discardedSinceFault += 1;
    this.emit('discarded', reason);
    this.logger.warn({ sqlState: reason, reason: safeErrorMessage(error), closedByServer: alreadyDisposed }, 'database connection discarded: it will not be reused');
  }

  private fault(): void {
    this.faultSince ??= performance.now();
  }

  private emit<E extends keyof WritablePrimaryListener>(event: E, ...args: Parameters<NonNullable<WritablePrimaryListener[E]>>): void {
    for (const listener of this.listeners) {
      try {
        (listener[event] as ((...a: typeof args) => void) | undefined)?.(...args);
      } catch {
        // A metrics listener's failure must not fail a connection.
      }
    }
  }
}

const guards = new WeakMap<Knex, WritablePrimaryGuard>();

/** Builds a guard for one pool: pass its afterCreate into the pool config, then call attach with the Knex built. */
export function writablePrimaryGuard(logger: Logger): { guard: WritablePrimaryGuard; attach: (knex: Knex) => Knex } {
  const guard = new WritablePrimaryGuard(logger.child({ component: 'db-failover' }));
  return {
    guard,
    attach: (knex) => {
      guard.watch(knex);
      guards.set(knex, guard);
      return knex;
    },
  };
}

/** The guard of a pool built by src/db/admin.ts, for metrics and tests. */
export function guardOf(knex: Knex): WritablePrimaryGuard | undefined {
  return guards.get(knex);
}
