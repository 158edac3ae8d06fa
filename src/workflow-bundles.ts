/** The prebuilt workflow bundles `npm run build` writes next to the compiled code (see build-workflow-bundle.ts). */
export const WORKFLOW_BUNDLE = 'workflow-bundle.js';
/** The same workflows with the OpenTelemetry workflow interceptors, for a worker with tracing on. */
export const WORKFLOW_BUNDLE_TRACED = 'workflow-bundle-traced.js';

/** The OpenTelemetry workflow-side interceptors module (RunWorkflow/StartActivity spans, context into activity headers). */
export const WORKFLOW_TRACING_INTERCEPTORS = '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';

/** The interceptor modules a bundle includes: the tracing ones only in the traced bundle. */
export function workflowInterceptorModules(traced: boolean): string[] {
  return traced ? [require.resolve(WORKFLOW_TRACING_INTERCEPTORS)] : [];
}
