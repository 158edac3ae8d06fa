#!/usr/bin/env node
// npm run test:citus [jest args]: the integration and end-to-end suites against a real Citus cluster
// (TEST_DATABASE=citus; see test/support/citus-cluster.ts). Skips, with one line saying why, where Citus
// is not installed and CITUS_URL is not set.
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { spawnSync } = require('node:child_process');

const scripts = process.env.CITUS_SCRIPTS ?? resolve(__dirname, '../../shared/citus');
const library = '/usr/lib/postgresql/15/lib/citus.so';
let reason;
if (!process.env.CITUS_URL) {
  if (!existsSync(join(scripts, 'cluster.sh'))) reason = `no CITUS_URL and no ${join(scripts, 'cluster.sh')}`;
  else if (!existsSync(library)) reason = `no CITUS_URL and Citus is not installed (${library} missing; run ${join(scripts, 'build.sh')} as root)`;
}
if (reason) {
  console.log(`test:citus skipped: ${reason}`);
  process.exit(0);
}
const args = process.argv.slice(2);
// The integration suite, and the end-to-end files whose outcome depends on the engine (the provisioning
// path, the saga, attach, reset/terminate, untrusted input, replay, run records, suspension, offboarding). The others (CLI
// start-up, dev mode, codec server, chaos) do not change with the engine; they run once, on PostgreSQL.
const ENGINE_E2E = ['provisioning', 'saga', 'attach', 'reset-and-terminate', 'untrusted-input', 'replay', 'run-records', 'suspension', 'offboarding'].map((name) => `test/e2e/${name}.test.ts`);
const selection = args.some((a) => !a.startsWith('-')) ? [] : ['test/integration', ...ENGINE_E2E];
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--runInBand', '--forceExit', ...selection, ...args], {
  stdio: 'inherit',
  env: { ...process.env, TEST_DATABASE: 'citus' },
});
process.exit(jest.status ?? 1);
