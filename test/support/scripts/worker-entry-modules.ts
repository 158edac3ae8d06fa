// Requires what the worker process composes (without starting it) and prints every module file loaded, as JSON.
/* eslint-disable @typescript-eslint/no-require-imports */
require('../../../src/lifecycle/worker-process');
require('../../../src/app');
require('../../../src/commands/worker');
/* eslint-enable @typescript-eslint/no-require-imports */
console.log(JSON.stringify(Object.keys(require.cache)));
