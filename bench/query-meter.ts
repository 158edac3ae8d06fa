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

/**
 * Attributes the Knex 'query' events of one knex instance to the operation running at the time, and
 * times each statement. Knex emits 'query-response' only for builder statements, so BEGIN and COMMIT
 * are timed until the next statement on their connection or, for the last, until the operation
 * returns. One operation at a time: concurrent operations would be counted together.
 */
export class QueryMeter {
  private current: Measurement | undefined;
  private readonly awaitingResponse = new Map<string, number>();
  private readonly untimedByConnection = new Map<string, number>();

  constructor(knex: Knex) {
    knex.on('query', (query: QueryEvent) => this.started(query));
    knex.on('query-response', (_response: unknown, query: QueryEvent) => this.settled(query));
    knex.on('query-error', (_error: unknown, query: QueryEvent) => this.settled(query));
  }

  async measure<T>(operation: () => Promise<T>): Promise<{ result: T; measurement: Measurement }> {
    if (this.current) throw new Error('QueryMeter measures one operation at a time');
    const measurement: Measurement = { statements: 0, wallMs: 0, dbMs: 0, sql: [] };
    this.current = measurement;
    const startedAt = performance.now();
    try {
      const result = await operation();
      return { result, measurement };
    } finally {
      const endedAt = performance.now();
      for (const sentAt of this.untimedByConnection.values()) measurement.dbMs += endedAt - sentAt;
      measurement.wallMs = endedAt - startedAt;
      this.untimedByConnection.clear();
      this.awaitingResponse.clear();
      this.current = undefined;
    }
  }

  private started(query: QueryEvent): void {
    if (!this.current) return;
    const now = performance.now();
    this.current.statements += 1;
    this.current.sql.push(query.sql);
    const connection = query.__knexUid ?? 'unknown';
    const untimed = this.untimedByConnection.get(connection);
    if (untimed !== undefined) {
      this.current.dbMs += now - untimed;
      this.untimedByConnection.delete(connection);
    }
    if (query.__knexQueryUid) this.awaitingResponse.set(query.__knexQueryUid, now);
    else this.untimedByConnection.set(connection, now);
  }

  private settled(query: QueryEvent): void {
    const sentAt = query.__knexQueryUid ? this.awaitingResponse.get(query.__knexQueryUid) : undefined;
    if (sentAt === undefined || !this.current) return;
    this.current.dbMs += performance.now() - sentAt;
    this.awaitingResponse.delete(query.__knexQueryUid!);
  }
}
