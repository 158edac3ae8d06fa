import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Knex } from 'knex';

/** Longer statements (a multi-row insert of the seed) are cut here. */
const MAX_STATEMENT_LENGTH = 2000;

/**
 * The statement as a span may carry it: every string literal (plain, E'' and dollar-quoted) replaced
 * by '?', so a literal secret never reaches a trace (CREATE ROLE ... PASSWORD 'SCRAM-SHA-256$...' is
 * DDL and cannot take a bind parameter). Bind values are never recorded; the $n placeholders stay.
 */
export function sanitizeStatement(sql: string): string {
  const text = sql
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$/g, "'?'")
    .replace(/(?:\b[EeUu]&?)?'(?:[^']|'')*'?/g, "'?'")
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_STATEMENT_LENGTH ? `${text.slice(0, MAX_STATEMENT_LENGTH)}...` : text;
}

/** The statement's first keyword, upper-case (SELECT, INSERT, ...): the span's name and db.operation. */
function operationOf(sql: string): string {
  return /^\s*(?:\/\*[\s\S]*?\*\/\s*)?([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
}

interface KnexQuery {
  __knexQueryUid?: string;
  sql?: string;
}

/**
 * Every statement `knex` (and its transactions) runs inside a traced operation becomes a CLIENT span,
 * child of the active span (an activity's): db.system, db.name, db.operation and the sanitized
 * statement; never its bind values, and on failure only the SQLSTATE (PostgreSQL's messages quote
 * the values: `Key (email)=(...) already exists`). A query with no active span opens none.
 */
export function traceQueries(knex: Knex, database: string): void {
  const tracer = trace.getTracer('tenant-workflows/sql');
  const open = new Map<string, Span>();
  knex.on('query', (query: KnexQuery) => {
    if (!query.__knexQueryUid || !query.sql || !trace.getActiveSpan()) return;
    const operation = operationOf(query.sql);
    open.set(
      query.__knexQueryUid,
      tracer.startSpan(`${operation} ${database}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': 'postgresql', 'db.name': database, 'db.operation': operation, 'db.statement': sanitizeStatement(query.sql) },
      }),
    );
  });
  const end = (query: KnexQuery | undefined, error?: unknown) => {
    const uid = query?.__knexQueryUid;
    const span = uid === undefined ? undefined : open.get(uid);
    if (!span) return;
    open.delete(uid!);
    if (error !== undefined) {
      const code = (error as { code?: unknown }).code;
      span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? `SQLSTATE ${code}` : 'query failed' });
      if (typeof code === 'string') span.setAttribute('db.response.status_code', code);
    }
    span.end();
  };
  knex.on('query-response', (_response: unknown, query: KnexQuery) => end(query));
  knex.on('query-error', (error: unknown, query: KnexQuery) => end(query, error ?? 'error'));
}
