import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * Run by `npm run build` after tsc: bundles the compiled workflows (and the failure converter, which
 * runs inside the workflow sandbox) into dist/workflow-bundle.js, which the worker loads in production
 * instead of bundling at every start.
 */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows'),
    failureConverterPath: require.resolve('./temporal/failure-converter'),
  });
  const target = join(__dirname, 'workflow-bundle.js');
  writeFileSync(target, code);
  console.log(`workflow bundle written to ${target} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
