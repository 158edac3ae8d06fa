export interface FailureSummary {
  message: string;
  /** The ApplicationFailure type, when the innermost cause has one. */
  type?: string;
}

/**
 * The type and message of a failure chain's cause `depth` levels down, or of its innermost cause (a
 * workflow failure wraps an activity failure, which wraps the ApplicationFailure that says what went
 * wrong). Pure: used by workflow code too.
 */
export function failureSummary(error: unknown, depth = Infinity): FailureSummary {
  let cause: unknown = error;
  for (let level = 0; level < depth && cause instanceof Error && cause.cause instanceof Error; level++) cause = cause.cause;
  const type = (cause as { type?: unknown } | null)?.type;
  return { message: cause instanceof Error ? cause.message : String(cause), ...(typeof type === 'string' && type !== '' ? { type } : {}) };
}
