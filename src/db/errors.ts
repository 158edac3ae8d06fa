/** PostgreSQL SQLSTATE of a driver error, when it has one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Another attempt of the same step changed the row this attempt based its work on (between its read and
 * its transaction). Transient: the step's next attempt starts from what is there now.
 */
export class ConcurrentAttemptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentAttempt';
  }
}
