import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';

export interface Measurement {
  /** Knex 'query' events while the operation ran: every statement, BEGIN and COMMIT included. */
  statements: number;
  /** Wall time of the call: database round trips plus whatever ran in between (bcrypt, for one). */
  wallMs: number;
  /** Time the operation waited on PostgreSQL: from sending each statement to its response, summed. */
  dbMs: number;
  /** The SQL of each statement, in order. */
  sql: string[];
}

interface QueryEvent {
  sql: string;
  /** The connection the statement ran on. */
  __knexUid?: string;
  /** Set for query-builder statements; absent for a transaction's BEGIN and COMMIT. */
  __knexQueryUid?: string;
}

/** One measure() call in progress. */
interface OpenMeasurement {
  measurement: Measurement;
  /** BEGIN/COMMIT sent on a connection and not yet timed, by connection. */
  untimedByConnection: Map<string, number>;
}

/**
 * Attributes the Knex 'query' events of one knex instance to the operation that issued them, and times
 * each statement. The operation is found through AsyncLocalStorage, so operations measured at the same
 * time (a concurrent benchmark, a worker's activities) are counted apart. Knex emits 'query-response'
 * only for builder statements, so BEGIN and COMMIT are timed until the operation's next statement on
 * their connection or, for the last, until the operation returns.
 */
export class QueryMeter {
  private readonly current = new AsyncLocalStorage<OpenMeasurement>();
  private readonly awaitingResponse = new Map<string, { open: OpenMeasurement; sentAt: number }>();

  constructor(knex: Knex) {
    knex.on('query', (query: QueryEvent) => this.started(query));
    knex.on('query-response', (_response: unknown, query: QueryEvent) => this.settled(query));
    knex.on('query-error', (_error: unknown, query: QueryEvent) => this.settled(query));
  }

  async measure<T>(operation: () => Promise<T>): Promise<{ result: T; measurement: Measurement }> {
    let measurement: Measurement | undefined;
    const result = await this.meter(operation, (m) => (measurement = m));
    return { result, measurement: measurement! };
  }

  /** Runs the operation and hands its measurement to `record`, whether it succeeds or throws. */
  async meter<T>(operation: () => Promise<T>, record: (measurement: Measurement) => void): Promise<T> {
    const open: OpenMeasurement = { measurement: { statements: 0, wallMs: 0, dbMs: 0, sql: [] }, untimedByConnection: new Map() };
    const startedAt = performance.now();
    try {
      return await this.current.run(open, operation);
    } finally {
      const endedAt = performance.now();
      for (const sentAt of open.untimedByConnection.values()) open.measurement.dbMs += endedAt - sentAt;
      open.measurement.wallMs = endedAt - startedAt;
      for (const [queryUid, pending] of this.awaitingResponse) if (pending.open === open) this.awaitingResponse.delete(queryUid);
      record(open.measurement);
    }
  }

  private started(query: QueryEvent): void {
    const open = this.current.getStore();
    if (!open) return;
    const now = performance.now();
    open.measurement.statements += 1;
    open.measurement.sql.push(query.sql);
    const connection = query.__knexUid ?? 'unknown';
    const untimed = open.untimedByConnection.get(connection);
    if (untimed !== undefined) {
      open.measurement.dbMs += now - untimed;
      open.untimedByConnection.delete(connection);
    }
    if (query.__knexQueryUid) this.awaitingResponse.set(query.__knexQueryUid, { open, sentAt: now });
    else open.untimedByConnection.set(connection, now);
  }

  private settled(query: QueryEvent): void {
    const pending = query.__knexQueryUid ? this.awaitingResponse.get(query.__knexQueryUid) : undefined;
    if (!pending) return;
    pending.open.measurement.dbMs += performance.now() - pending.sentAt;
    this.awaitingResponse.delete(query.__knexQueryUid!);
  }
}
