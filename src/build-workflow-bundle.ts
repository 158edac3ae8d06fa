import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE, WORKFLOW_BUNDLE_TRACED, workflowInterceptorModules } from './workflow-bundles';

/**
 * Run by `npm run build` after tsc: bundles the compiled workflows (and the failure converter, which
 * runs inside the workflow sandbox) into dist/workflow-bundle.js, which the worker loads in production
 * instead of bundling at every start, and into dist/workflow-bundle-traced.js with the OpenTelemetry
 * workflow interceptors, which a worker with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT) loads instead.
 */
async function main(): Promise<void> {
  for (const [file, traced] of [[WORKFLOW_BUNDLE, false], [WORKFLOW_BUNDLE_TRACED, true]] as const) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      failureConverterPath: require.resolve('./temporal/failure-converter'),
      workflowInterceptorModules: workflowInterceptorModules(traced),
    });
    const target = join(__dirname, file);
    writeFileSync(target, code);
    console.log(`workflow bundle written to ${target} (${(code.length / 1024).toFixed(0)} KiB)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
