import { types } from 'node:util';
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger } from 'pino';

/**
 * Field names whose values never reach a log line, at the top level or one object down. A
 * second line of defence: code should not pass secrets to the logger in the first place.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'password_hash', 'temporaryPassword', 'secret', 'apiKey', 'encryptionKey'];
export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`)];

export interface LoggedError {
  /** An ApplicationFailure's type, else the error's name. */
  type: string;
  name: string;
  message: string;
  /** A driver's error code (a SQLSTATE, ECONNREFUSED...), when it has one. */
  code?: string;
  stack?: string;
  cause?: LoggedError;
}

const MAX_DEPTH = 5;

/**
 * What a log line shows of an error: its type, name, message, code, stack and causes, and nothing
 * else, since other properties (an ApplicationFailure's details, a driver error's parameters) may
 * carry input. isNativeError also recognizes errors made in the workflow sandbox's realm.
 */
function loggedError(error: Error, depth: number): LoggedError {
  const { type, code } = error as { type?: unknown; code?: unknown };
  const cause: unknown = error.cause;
  return {
    type: typeof type === 'string' ? type : error.name,
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    ...(isError(cause) && depth < MAX_DEPTH ? { cause: loggedError(cause, depth + 1) } : {}),
  };
}

function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** `value` with every Error in it (in plain objects and arrays, a few levels down) replaced by its LoggedError. */
export function serializeErrors(value: unknown, depth = 0): unknown {
  if (isError(value)) return loggedError(value, 0);
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => serializeErrors(item, depth + 1));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, serializeErrors(item, depth + 1)]));
  return value;
}

/** Structured JSON logs on stdout (or the given stream), one object per line; every Error in a line serialized (serializeErrors). */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tenant-workflows' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (fields) => serializeErrors(fields) as Record<string, unknown> },
      // pino's own `err` serializer would run after the formatter above and redo its work differently.
      serializers: { err: (value: unknown) => serializeErrors(value) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    destination,
  );
}
