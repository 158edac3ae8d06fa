import { runShortChaos } from '../harness/short-chaos';

const JEST_TIMEOUT_MS = 150_000;
const ROWS = 100_000;

describe('a deletion whose worker is SIGKILLed mid-export and mid-delete (npm run chaos --scenarios offboarding)', () => {
  it(
    'a tenant of 100,000 rows: nothing of it left, no other tenant touched, the archive complete and verified, deletedRows exact',
    async () => {
      // The chaos run's offboarding scenario on the suite's Temporal server: a worker process from source with
      // pages of 1,000 and batches of 500, SIGKILLed twice mid-export and once mid-delete (each time once the
      // activity's current attempt has heartbeated), restarted each time. Its checks read every table with a
      // tenant column from the catalog, every other tenant's row counts, the archive (re-hashed against its
      // manifest, whose row counts must be the seeded ones) and the result's deletedRows.
      const args = ['--scenarios', 'offboarding', '--tenants', '1', '--kills', '0', '--offboarding-rows', String(ROWS), '--offboarding-kills', '3', '--seed', '20261204', '--timeout-s', '110', '--workers', '2'];
      const run = await runShortChaos(args, JEST_TIMEOUT_MS - 10_000);
      const line = /^offboarding: .*$/m.exec(run.stdout)?.[0];
      console.log(line);
      if (run.status !== 0) throw new Error(`the chaos run exited ${run.status}:\n${run.stdout}\n${run.stderr.slice(-6000)}`);
      expect(line).toMatch(/^offboarding: PASS: /);
      expect(line).toMatch(new RegExp(`: ${ROWS} rows .* 3 SIGKILLs \\(2 mid-export, 1 mid-delete\\), .*; deletedRows ${ROWS};`));
      expect(run.stdout).toMatch(/^shutdown: PASS/m);
    },
    JEST_TIMEOUT_MS,
  );
});
