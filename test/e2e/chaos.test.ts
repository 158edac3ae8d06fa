import { pgbouncerInstalled } from '../harness/pgbouncer';
import { runShortChaos } from '../harness/short-chaos';

const JEST_TIMEOUT_MS = 240_000;
/** Every scenario but the failover, which brings its own servers and worker: test/e2e/chaos-failover.test.ts runs it. */
const SCENARIOS = ['sigkill', 'terminate-backends', 'restart-postgres'];

const WORKERS = 3;
/** Production's shape where the machine has Debian's pgbouncer (CI installs it): the workers reach PostgreSQL through it. */
const THROUGH_PGBOUNCER = pgbouncerInstalled();

describe(`npm run chaos, short (${WORKERS} real worker processes${THROUGH_PGBOUNCER ? ' through PgBouncer' : ''}, PostgreSQL and Temporal)`, () => {
  it(
    'passes every scenario: SIGKILLs, terminated backends, a PostgreSQL restart, then a clean shutdown',
    async () => {
      if (!THROUGH_PGBOUNCER) process.stderr.write('[chaos test] pgbouncer is not installed (apt-get install -y pgbouncer): the workers connect directly\n');
      // The same scenarios and checks, fewer provisionings and kills; on the suite's Temporal server, on an
      // embedded PostgreSQL of its own (the suite's cannot be restarted by a test).
      const args = ['--tenants', '12', '--kills', '4', '--seed', '20261121', '--timeout-s', '60', '--embedded-database', '--scenarios', SCENARIOS.join(','), '--workers', String(WORKERS)];
      const run = await runShortChaos([...args, ...(THROUGH_PGBOUNCER ? ['--pgbouncer'] : [])], JEST_TIMEOUT_MS - 15_000);
      if (run.status !== 0) throw new Error(`the chaos run exited ${run.status}:\n${run.stdout}\n${run.stderr.slice(-6000)}`);
      // The run names the scenarios it runs and how the workers connect; each scenario, and the shutdown, must pass.
      expect(/^scenarios: (.+)$/m.exec(run.stdout)?.[1]?.split(', ')).toEqual(SCENARIOS);
      expect(run.stdout).toMatch(new RegExp(`^workers: ${WORKERS} processes, ${THROUGH_PGBOUNCER ? 'through PgBouncer' : 'connected to PostgreSQL directly'}`, 'm'));
      expect(run.stdout).toMatch(new RegExp(`^shutdown: PASS: the last ${WORKERS} workers exited 0`, 'm'));
      for (const name of [...SCENARIOS, 'shutdown']) expect(run.stdout).toMatch(new RegExp(`^${name}: PASS`, 'm'));
    },
    JEST_TIMEOUT_MS,
  );
});
