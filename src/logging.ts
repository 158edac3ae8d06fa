import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger } from 'pino';

/**
 * Field names whose values never reach a log line, at the top level or one object down. A
 * second line of defence: code should not pass secrets to the logger in the first place.
 */
const SECRET_FIELDS = ['password', 'passwordHash', 'password_hash', 'temporaryPassword', 'secret', 'apiKey', 'encryptionKey'];
export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`)];

/** Structured JSON logs on stdout (or the given stream), one object per line. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tenant-workflows' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    destination,
  );
}
