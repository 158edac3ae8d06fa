import { runShortChaos } from '../harness/short-chaos';

const JEST_TIMEOUT_MS = 150_000;
/** Every scenario but the failover, which brings its own servers and worker: test/e2e/chaos-failover.test.ts runs it. */
const SCENARIOS = ['sigkill', 'terminate-backends', 'restart-postgres'];

describe('npm run chaos, short (a real worker process, PostgreSQL and Temporal)', () => {
  it(
    'passes every scenario: SIGKILLs, terminated backends, a PostgreSQL restart, then a clean shutdown',
    async () => {
      // The same scenarios and checks, fewer provisionings and kills; on the suite's Temporal server, on an
      // embedded PostgreSQL of its own (the suite's cannot be restarted by a test).
      const args = ['--tenants', '12', '--kills', '3', '--seed', '20261121', '--timeout-s', '40', '--embedded-database', '--scenarios', SCENARIOS.join(',')];
      const run = await runShortChaos(args, JEST_TIMEOUT_MS - 15_000);
      if (run.status !== 0) throw new Error(`the chaos run exited ${run.status}:\n${run.stdout}\n${run.stderr.slice(-6000)}`);
      // The run names the scenarios it runs; each one, and the shutdown, must pass.
      expect(/^scenarios: (.+)$/m.exec(run.stdout)?.[1]?.split(', ')).toEqual(SCENARIOS);
      for (const name of [...SCENARIOS, 'shutdown']) expect(run.stdout).toMatch(new RegExp(`^${name}: PASS`, 'm'));
    },
    JEST_TIMEOUT_MS,
  );
});
