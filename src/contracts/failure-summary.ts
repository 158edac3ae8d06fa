export interface FailureSummary {
  message: string;
  /** The ApplicationFailure type, when the innermost cause has one. */
  type?: string;
}

/**
 * The type and message of the innermost cause of a failure chain (a workflow failure wraps an activity
 * failure, which wraps the ApplicationFailure that says what went wrong). Pure: used by workflow code too.
 */
export function failureSummary(error: unknown): FailureSummary {
  let cause: unknown = error;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const type = (cause as { type?: unknown } | null)?.type;
  return { message: cause instanceof Error ? cause.message : String(cause), ...(typeof type === 'string' && type !== '' ? { type } : {}) };
}
