// Requires the client entry alone and prints every module file it loaded, as JSON.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../../src/client');
console.log(JSON.stringify(Object.keys(require.cache)));
