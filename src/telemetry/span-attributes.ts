import { trace } from '@opentelemetry/api';

/**
 * The only step attributes a span carries: identifiers. An allow-list, not a deny-list, so a new log
 * attribute (an email, a count, a flag) never reaches a trace by accident.
 */
const SPAN_ATTRIBUTE = { slug: 'tenant.slug', tenantId: 'tenant.id', userId: 'user.id', adminUserId: 'user.id' } as const;

export function identifierAttributes(attributes: Record<string, unknown>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [key, name] of Object.entries(SPAN_ATTRIBUTE)) {
    const value = attributes[key];
    if (typeof value === 'string' && value) picked[name] = value;
  }
  return picked;
}

/** Adds the identifiers among `attributes` to the active span (an activity's); nothing when tracing is off. */
export function annotateActiveSpan(attributes: Record<string, unknown>): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(identifierAttributes(attributes));
}
